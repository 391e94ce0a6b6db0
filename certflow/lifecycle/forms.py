from django import forms
from django.utils.translation import gettext_lazy as _

from certflow.lifecycle.domain import CaseOutcome, ChangeAssessment, ChangeKind, EventKind


class LegacyImportForm(forms.Form):
    file = forms.FileField(
        label=_("证书清单文件"),
        help_text=_(
            "CSV（UTF-8 或 GBK）或 Excel（.xlsx）；第一行为列名：证书编号、企业名称、统一社会信用代码、颁证日期、"
            "有效期至、资质等级、认证范围，可选申请日期、认证依据。全部行无误才会导入。"
        ),
    )


class ComplaintForm(forms.Form):
    name = forms.CharField(label=_("姓名或单位"), max_length=100)
    contact = forms.CharField(label=_("联系方式（电话或邮箱）"), max_length=200)
    subject = forms.CharField(
        label=_("被投诉企业或证书编号"),
        max_length=200,
        required=False,
        help_text=_("如投诉认证机构本身的工作，可留空。"),
    )
    description = forms.CharField(label=_("投诉内容"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)
    # A field people do not see: bots fill it in.
    website = forms.CharField(required=False, widget=forms.HiddenInput)


class AppealForm(forms.Form):
    subject = forms.ChoiceField(label=_("申诉针对的决定"))
    contact = forms.CharField(label=_("联系方式"), max_length=200)
    description = forms.CharField(label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [("", "—")] + list(choices)


class AssignForm(forms.Form):
    handler = forms.ChoiceField(label=_("处理人"))

    def __init__(self, *args, handlers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].choices = [("", "—")] + [(str(u.pk), f"{u.full_name} <{u.email}>") for u in handlers]


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(label=_("处理结论"), choices=[("", "—")] + list(CaseOutcome.choices))
    decision = forms.CharField(label=_("处理决定及理由"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class SpecialAuditForm(forms.Form):
    reason = forms.CharField(label=_("特殊审核原因"), max_length=500, required=False)


class TrackForm(forms.Form):
    reference = forms.CharField(label=_("编号"), max_length=30)
    code = forms.CharField(label=_("查询码"), max_length=32)


class ChangeReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("变更类别"), choices=[("", "—")] + list(ChangeKind.choices))
    effective_on = forms.DateField(label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(
        label=_("变更内容"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=_("请说明变更前后的情况，以及对定制商品服务的影响。"),
    )


class ChangeAssessForm(forms.Form):
    assessment = forms.ChoiceField(label=_("评估结论"), choices=[("", "—")] + list(ChangeAssessment.choices))
    note = forms.CharField(
        label=_("评估说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )


class MajorEventForm(forms.Form):
    kind = forms.ChoiceField(label=_("事件类别"), choices=[("", "—")] + list(EventKind.choices))
    occurred_on = forms.DateField(label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(label=_("事件经过"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)


class EventResolveForm(forms.Form):
    resolution = forms.CharField(label=_("整改及验证情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    restore = forms.BooleanField(label=_("同时恢复证书"), required=False, initial=True)
