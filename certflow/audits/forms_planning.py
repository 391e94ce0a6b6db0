"""Forms of the planning pages: they parse input only; every rule is in the services and domain."""

from django import forms
from django.utils.translation import gettext_lazy as _

from certflow.applications.models import SiteKind
from certflow.audits.domain import AuditType

MAX_DAYS = 5
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class DaysForm(forms.Form):
    """Up to five audit days (date pickers work on phones) and a message to the other side."""

    message = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, message_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, MAX_DAYS + 1):
            self.fields[f"day_{n}"] = forms.DateField(
                label=_("第 %(n)s 个审核日") % {"n": n}, required=n == 1, widget=DATE_INPUT
            )
        self.order_fields([f"day_{n}" for n in range(1, MAX_DAYS + 1)] + ["message"])
        self.fields["message"].required = message_required

    @property
    def days(self) -> list:
        return [self.cleaned_data[f"day_{n}"] for n in range(1, MAX_DAYS + 1) if self.cleaned_data.get(f"day_{n}")]


class CreateForm(forms.Form):
    audit_type = forms.ChoiceField(
        label=_("审核类型"),
        choices=[
            (AuditType.INITIAL, AuditType.INITIAL.label),
            (AuditType.RECERTIFICATION, AuditType.RECERTIFICATION.label),
        ],
    )


class SpecialForm(forms.Form):
    enterprise = forms.ModelChoiceField(label=_("企业"), queryset=None)
    application = forms.ModelChoiceField(label=_("相关申请（可选）"), queryset=None, required=False)
    reason = forms.CharField(
        label=_("特殊审核事由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如投诉调查、重大变更、暂停后的跟踪审核。通知期按认证规范文件中的特殊审核通知期计算。"),
    )

    def __init__(self, *args, **kwargs):
        from certflow.accounts.models import Enterprise
        from certflow.applications.models import Application

        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.order_by("name")
        self.fields["application"].queryset = Application.objects.select_related("enterprise").order_by("-id")


class TeamForm(forms.Form):
    members = forms.MultipleChoiceField(label=_("审核组成员"), required=False, widget=forms.CheckboxSelectMultiple)
    lead = forms.ChoiceField(label=_("审核组长"), required=False, widget=forms.RadioSelect)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(c.user.pk), c.facts.label) for c in candidates]
        self.fields["members"].choices = choices
        self.fields["lead"].choices = choices


class SiteForm(forms.Form):
    kind = forms.ChoiceField(label=_("场所类型"), choices=SiteKind.choices)
    name = forms.CharField(label=_("名称"), max_length=200)
    address = forms.CharField(label=_("地址"), max_length=300)


class SlotForm(forms.Form):
    day = forms.ChoiceField(label=_("日期"))
    start = forms.TimeField(label=_("开始"), widget=TIME_INPUT)
    end = forms.TimeField(label=_("结束"), widget=TIME_INPUT)
    activity = forms.CharField(label=_("审核活动"), max_length=300)
    site = forms.ChoiceField(label=_("场所"), required=False)
    auditor = forms.ChoiceField(label=_("审核员"), required=False)
    item_ids = forms.MultipleChoiceField(
        label=_("涉及条款项"), required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )

    def __init__(self, *args, days=(), sites=(), team=(), items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [(d.isoformat(), d.isoformat()) for d in days]
        self.fields["site"].choices = [("", "—")] + [(str(s.pk), s.name) for s in sites]
        self.fields["auditor"].choices = [("", _("全体审核组"))] + [
            (str(m.user_id), m.user.full_name or m.user.email) for m in team
        ]
        self.fields["item_ids"].choices = [(item.id, f"{item.id} {item.title.zh}") for item in items]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))
