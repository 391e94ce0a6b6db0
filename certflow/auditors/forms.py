"""Forms of the register pages. They parse input only; the rules live in domain and services."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from certflow.accounts.models import Enterprise, User
from certflow.accounts.roles import StaffRole, UserKind
from certflow.auditors.domain import AuditorLevel


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ProfileForm(forms.Form):
    qualification_number = forms.CharField(label=_("资格证书编号"), max_length=60)
    level = forms.ChoiceField(label=_("级别"), choices=AuditorLevel.choices)
    valid_from = forms.DateField(label=_("资格生效日期"), widget=DateInput())
    valid_until = forms.DateField(label=_("资格有效期至"), widget=DateInput())
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("资格有效期至不能早于生效日期"))
        return data


def unregistered_auditors():
    return (
        User.objects.filter(
            kind=UserKind.CB_STAFF,
            is_active=True,
            role_grants__role__in=[StaffRole.AUDITOR, StaffRole.LEAD_AUDITOR],
            role_grants__revoked_at__isnull=True,
            auditor_profile__isnull=True,
        )
        .distinct()
        .order_by("full_name", "email")
    )


class ProfileCreateForm(ProfileForm):
    user = forms.ModelChoiceField(
        label=_("人员"),
        queryset=User.objects.none(),
        help_text=_("持有审核员或审核组长角色、尚未登记的认证机构人员"),
    )
    field_order = ["user", "qualification_number", "level", "valid_from", "valid_until", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = unregistered_auditors()
        self.fields["user"].label_from_instance = lambda u: f"{u.full_name} <{u.email}>" if u.full_name else u.email


class CompetenceForm(forms.Form):
    category = forms.ChoiceField(label=pgettext_lazy("auditors", "定制商品类别"))
    granted_on = forms.DateField(label=_("认定日期"), required=False, widget=DateInput())
    basis = forms.CharField(
        label=_("认定依据"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("例如：培训记录、从业经历、见证审核"),
    )

    def __init__(self, *args, categories: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = categories


class ConflictForm(forms.Form):
    enterprise = forms.ModelChoiceField(
        label=pgettext_lazy("auditors", "企业"), queryset=Enterprise.objects.order_by("name")
    )
    until = forms.DateField(
        label=_("冲突截止日期"), required=False, widget=DateInput(), help_text=_("留空表示长期存在")
    )
    reason = forms.CharField(
        label=_("冲突原因"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("例如：近两年曾为该企业提供咨询；亲属在该企业任职"),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回理由"), widget=forms.Textarea(attrs={"rows": 2}))


class UnavailabilityForm(forms.Form):
    start = forms.DateField(label=_("开始日期"), widget=DateInput())
    end = forms.DateField(label=_("结束日期"), widget=DateInput())
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("结束日期不能早于开始日期"))
        return data


class RegisterFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    level = forms.ChoiceField(label=_("级别"), required=False)
    category = forms.ChoiceField(label=_("类别"), required=False)
    flag = forms.ChoiceField(label=_("资格状态"), required=False)

    def __init__(self, *args, categories, flags, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", _("全部级别")), *AuditorLevel.choices]
        self.fields["category"].choices = [("", _("全部类别")), *categories]
        self.fields["flag"].choices = [("", _("全部状态")), *flags]
