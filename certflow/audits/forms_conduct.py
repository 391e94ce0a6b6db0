"""Forms of the conduct pages: a finding, an evidence file, a confirmation, the closing meeting."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certflow.reviews.domain import ANSWERS, ChecklistResult

ATTENDEE_ROWS = 8
SIDES = (("cb", _("审核组")), ("enterprise", _("企业")))


class FindingForm(forms.Form):
    result = forms.ChoiceField(
        label=_("结果"), choices=[(r, ChecklistResult(r).label) for r in ANSWERS], widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("审核发现 / 不符合事实"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    na_reason = forms.CharField(label=_("不适用理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    client_token = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)


class FindingFileForm(forms.Form):
    file = forms.FileField(
        label=_("照片或 PDF"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )


class ConfirmForm(forms.Form):
    representative_name = forms.CharField(label=_("企业代表姓名"), max_length=100, required=False)
    representative_title = forms.CharField(label=_("职务"), max_length=100, required=False)
    remark = forms.CharField(label=_("企业意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ClosingForm(forms.Form):
    held_at = forms.DateTimeField(
        label=_("会议时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    conclusion = forms.CharField(label=_("审核结论"), widget=forms.Textarea(attrs={"rows": 4}))
    recommendation = forms.CharField(
        label=_("审核组推荐意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, attendees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("held_at", timezone.localtime().replace(second=0, microsecond=0))
        for i in range(ATTENDEE_ROWS):
            row = attendees[i] if i < len(attendees) else {}
            self.fields[f"name_{i}"] = forms.CharField(
                label=_("姓名"),
                max_length=100,
                required=False,
                widget=forms.TextInput(attrs={"placeholder": _("姓名"), "aria-label": _("姓名")}),
            )
            self.fields[f"title_{i}"] = forms.CharField(
                label=_("职务"),
                max_length=100,
                required=False,
                widget=forms.TextInput(attrs={"placeholder": _("职务"), "aria-label": _("职务")}),
            )
            self.fields[f"side_{i}"] = forms.ChoiceField(
                label=_("一方"), choices=SIDES, required=False, widget=forms.Select(attrs={"aria-label": _("一方")})
            )
            self.initial.setdefault(f"name_{i}", row.get("name", ""))
            self.initial.setdefault(f"title_{i}", row.get("title", ""))
            self.initial.setdefault(f"side_{i}", row.get("side", "enterprise"))

    def attendee_rows(self):
        return [(self[f"name_{i}"], self[f"title_{i}"], self[f"side_{i}"]) for i in range(ATTENDEE_ROWS)]

    def attendees(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {"name": data[f"name_{i}"], "title": data[f"title_{i}"], "side": data[f"side_{i}"] or "enterprise"}
            for i in range(ATTENDEE_ROWS)
            if data.get(f"name_{i}", "").strip()
        ]
