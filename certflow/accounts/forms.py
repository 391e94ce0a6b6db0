"""Forms of the sign-in pages. People sign in with their e-mail address."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class EmailAuthenticationForm(AuthenticationForm):
    # The field keeps AuthenticationForm's name `username`: django-axes reads the login from it.
    username = forms.EmailField(
        label=_("电子邮箱"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email", "inputmode": "email"}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("电子邮箱或密码不正确。请注意密码区分大小写。"),
        "inactive": _("该账号已停用，请联系认证机构。"),
    }


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("企业名称或统一社会信用代码")}),
    )

    def search(self) -> str:
        return self.cleaned_data["q"].strip() if self.is_valid() else ""


class OTPCodeForm(forms.Form):
    otp = forms.CharField(
        label=_("验证码"),
        max_length=12,
        help_text=_("身份验证器应用（如 Microsoft Authenticator、Google 身份验证器）上显示的 6 位数字。"),
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )


class ResetSecondFactorForm(forms.Form):
    reason = forms.CharField(
        label=_("重置原因"),
        max_length=200,
        help_text=_("例如：手机遗失，已电话核实本人身份。"),
    )
