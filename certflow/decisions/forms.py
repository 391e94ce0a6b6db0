"""Forms of the decision pages; the rules themselves are the services' (RuleViolation → form error)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from certflow.decisions.domain import Vote


class OpenForm(forms.Form):
    application = forms.IntegerField(widget=forms.HiddenInput)


class MemberAddForm(forms.Form):
    user = forms.IntegerField(widget=forms.HiddenInput)


class MemberRemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("退出原因"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("例如：声明与该企业存在利益冲突；长期出差无法参加审议。"),
    )


class OpinionForm(forms.Form):
    vote = forms.ChoiceField(label=_("表决意见"), choices=Vote.choices, widget=forms.RadioSelect)
    reasoning = forms.CharField(
        label=_("意见说明"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("不同意颁证须说明理由；理由将（不署名）写入不予认证通知书。"),
    )
    impartial = forms.BooleanField(
        label=_("本人声明：与该企业无利益冲突，未参与其文件审核、现场审核或为其提供咨询。"),
        required=False,
    )

    def __init__(self, *args, declared: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if declared:
            # Declared once for this seat (services.opinion_record); a revised vote does not ask again.
            del self.fields["impartial"]
