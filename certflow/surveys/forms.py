"""Forms of the survey pages: the list upload, opening, sending, the questionnaire, call-backs, improvement."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from certflow.surveys.domain import CallOutcome

# <input type="date"> takes only ISO dates; the localised format (zh-hans: 2025/11/21) would be dropped by
# the browser, leaving the field empty.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("用户名单（CSV 或 Excel .xlsx）"),
        help_text=_("列：姓名、电话、邮箱、商品类别、订单号、下单日期、交付日期。CSV 可为 UTF-8 或 GBK 编码。"),
    )


class OpenForm(forms.Form):
    closes_on = forms.DateField(label=_("调查截止日期"), widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closes_on"].initial = timezone.localdate() + timedelta(days=21)


class SendForm(forms.Form):
    medium = forms.ChoiceField(
        label=_("发送方式"), choices=[("sms", _("短信")), ("email", _("电子邮件"))], widget=forms.RadioSelect
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("复查理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


def _local(text) -> str:
    """The scheme's Chinese text, or its English in the English interface."""
    return text.en if (get_language() or "zh").startswith("en") else text.zh


def _scale_choices(rules):
    return [(str(value), f"{value} {_local(label)}") for value, label in rules.scale_labels]


class AnswerForm(forms.Form):
    """The questionnaire: one optional 1–5 field per scheme dimension, the overall rating, free text."""

    comment = forms.CharField(
        label=_("意见和建议（选填）"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, rules, **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = rules
        choices = _scale_choices(rules)
        fields = {}
        for dimension in rules.dimensions:
            fields[f"d_{dimension.code}"] = forms.ChoiceField(
                label=_local(dimension.name), choices=choices, required=False, widget=forms.RadioSelect
            )
        fields["overall"] = forms.ChoiceField(
            label=_("总体而言，您对这次定制服务的满意程度"), choices=choices, required=False, widget=forms.RadioSelect
        )
        self.fields = {**fields, **self.fields}

    def dimension_fields(self):
        return [self[f"d_{d.code}"] for d in self.rules.dimensions]

    def ratings(self) -> dict:
        return {d.code: self.cleaned_data.get(f"d_{d.code}") or None for d in self.rules.dimensions}


class CallForm(AnswerForm):
    outcome = forms.ChoiceField(label=_("通话结果"), choices=CallOutcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("备注"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        order = ["outcome", "note"] + [k for k in self.fields if k not in ("outcome", "note")]
        self.fields = {k: self.fields[k] for k in order}
        self.fields["comment"].label = _("客户意见（选填）")


class ImprovementForm(forms.Form):
    cause_analysis = forms.CharField(label=_("原因分析"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    improvement = forms.CharField(label=_("改进措施"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    completion_date = forms.DateField(label=_("预计完成日期"), required=False, widget=DATE_INPUT)


class ImprovementReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("评审结论"), choices=[("accept", _("认可")), ("return", _("退回"))], widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("评审意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
