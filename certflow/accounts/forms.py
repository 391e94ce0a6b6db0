"""Forms of the sign-in pages. People sign in with their e-mail address."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from certflow.accounts.uscc import USCCError, validate_uscc


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


class EnterpriseRegistrationForm(forms.Form):
    """An enterprise's self-registration: the enterprise, its code, and the person who becomes its administrator."""

    name = forms.CharField(label=_("企业名称"), max_length=200, help_text=_("与营业执照上的名称一致。"))
    uscc = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=40,
        help_text=_("营业执照上的 18 位代码。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    contact_name = forms.CharField(label=_("联系人姓名"), max_length=100)
    contact_phone = forms.CharField(
        label=_("联系电话"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})
    )
    email = forms.EmailField(
        label=_("电子邮箱"),
        max_length=254,
        help_text=_("用于登录和接收认证机构的通知。"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("再次输入密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_uscc(self):
        # The check character is judged here, before anything is written, with the message in the
        # reader's language beside the field (GB 32100-2015; the service checks again on save).
        try:
            return validate_uscc(self.cleaned_data["uscc"])
        except USCCError as exc:
            raise forms.ValidationError(exc.zh if (get_language() or "zh").startswith("zh") else exc.en) from None

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data
