"""Forms of the review pages. They parse input only; every rule is the services' (and their messages)."""

import re

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from certflow.accounts.models import User
from certflow.accounts.roles import UserKind
from certflow.reviews.domain import ANSWERS, REVIEWER_ROLES, ChecklistResult
from certflow.reviews.services.nonconformities import MAX_EVIDENCE_FILES


def item_slug(item_id: str) -> str:
    """An HTML-id-safe form of a requirement id: "4.3.2-1" → "i4_3_2-1"."""
    return "i" + re.sub(r"[^0-9A-Za-z-]", "_", item_id)


def reviewer_candidates():
    """Active CB staff holding the auditor or lead-auditor role: whom the form offers."""
    return (
        User.objects.filter(
            Q(role_grants__role__in=REVIEWER_ROLES, role_grants__revoked_at__isnull=True),
            kind=UserKind.CB_STAFF,
            is_active=True,
        )
        .distinct()
        .order_by("full_name", "email")
    )


class ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} <{obj.email}>" if obj.full_name else obj.email


class AssignForm(forms.Form):
    reviewer = ReviewerChoiceField(queryset=User.objects.none(), label=_("文件审核员"), empty_label=_("请选择"))
    reason = forms.CharField(
        label=_("更换理由"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("更换审核员时填写，例如回避利益冲突。"),
    )

    def __init__(self, *args, reassign: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewer_candidates()
        if not reassign:
            del self.fields["reason"]


RESULT_CHOICES = [(value, label) for value, label in ChecklistResult.choices if value in ANSWERS]


class EntryForm(forms.Form):
    """One checklist item. Rendered once per item, each with its own ids (`auto_id`)."""

    result = forms.ChoiceField(label=_("结果"), choices=RESULT_CHOICES, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("说明 / 不符合事实"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    na_reason = forms.CharField(
        label=_("不适用理由"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 1})
    )
    evidence = forms.ChoiceField(label=_("证据文件"), required=False)
    evidence_page = forms.IntegerField(
        label=_("页码"), required=False, min_value=1, max_value=100_000, widget=forms.NumberInput(attrs={"size": 4})
    )

    def __init__(self, *args, item_id: str, evidence_files: list, material_names=None, **kwargs):
        """`evidence_files`: the application's current material files, read once for every item's form."""
        kwargs.setdefault("auto_id", f"{item_slug(item_id)}-%s")
        super().__init__(*args, **kwargs)
        self.item_id = item_id
        names = material_names or {}
        self._files = {str(f.pk): f for f in evidence_files}
        self.fields["evidence"].choices = [("", _("（无）"))] + [
            (
                str(f.pk),
                f"{names.get(f.material, f.material)} · {f.original_name}"
                + (f" (v{f.version})" if f.version > 1 else ""),
            )
            for f in evidence_files
        ]

    def clean_evidence(self):
        value = self.cleaned_data["evidence"]
        return self._files.get(value) if value else None

    @classmethod
    def initial_from(cls, entry) -> dict:
        if entry is None:
            return {}
        return {
            "result": entry.result,
            "note": entry.note,
            "na_reason": entry.na_reason,
            "evidence": entry.evidence_id,
            "evidence_page": entry.evidence_page,
        }


class CompleteForm(forms.Form):
    summary = forms.CharField(
        label=_("审核结论"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("将写入文件审核报告。完成后检查表不能再修改，不符合项将通知企业整改。"),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class CorrectiveActionForm(forms.Form):
    cause_analysis = forms.CharField(
        label=_("原因分析"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("为什么会出现该不符合：找到根本原因。"),
    )
    correction = forms.CharField(
        label=_("纠正"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("已对发现的问题本身做了什么处置。"),
    )
    corrective_action = forms.CharField(
        label=_("纠正措施"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("为防止再次发生而采取的措施（制度修订、培训等）。"),
    )
    files = MultipleFileField(label=_("证据文件"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = getattr(settings, "CERTFLOW_UPLOAD_MAX_BYTES", 20 << 20) // (1 << 20)
        self.fields["files"].help_text = gettext(
            "PDF、图片或 Office 文件，每次最多 %(n)s 个，每个不超过 %(mb)s MB。"
        ) % {
            "n": MAX_EVIDENCE_FILES,
            "mb": limit,
        }


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("审核员意见"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
