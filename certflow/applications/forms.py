"""Forms of the application pages. They parse input only; every rule (and its message) is the services'."""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from certflow.applications.domain import ApplicationType
from certflow.applications.models import SiteKind


def local(text) -> str:
    """The half of a scheme text (`.zh` / `.en`) in the reader's language."""
    return text.zh if (get_language() or "zh").startswith("zh") else text.en


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); the service inspects each one."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        # Only "is anything there": what a file is, and whether it is empty or too large, is for
        # certflow.core.uploads to judge, with its own message naming the file.
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return files


class ApplicationCreateForm(forms.Form):
    enterprise = forms.ModelChoiceField(queryset=None, label=_("申请企业"), empty_label=None)
    application_type = forms.ChoiceField(
        label=_("申请类型"),
        choices=ApplicationType.choices,
        initial=ApplicationType.INITIAL,
        widget=forms.RadioSelect,
        help_text=_("旧版证书转换：已获原定制商品服务认证、须在过渡期内按 A/0 版重新认证的企业。"),
    )

    def __init__(self, *args, enterprises, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises
        if len(enterprises) == 1:
            self.fields["enterprise"].initial = enterprises[0].pk
            self.fields["enterprise"].widget = forms.HiddenInput()


class DetailsForm(forms.Form):
    """Section 1: type, custom-goods categories and service stages (clause 1), as the scheme names them."""

    application_type = forms.ChoiceField(label=_("申请类型"), choices=ApplicationType.choices)
    categories = forms.MultipleChoiceField(label=_("定制商品类别"), required=False, widget=forms.CheckboxSelectMultiple)
    other_category_description = forms.CharField(
        label=_("其他定制商品说明"),
        required=False,
        max_length=300,
        help_text=_("选择“其他定制商品”时必填：请写明具体商品，例如“定制眼镜”。"),
    )
    service_stages = forms.MultipleChoiceField(
        label=_("定制服务涵盖的环节"), required=False, widget=forms.CheckboxSelectMultiple
    )
    service_description = forms.CharField(
        label=_("定制服务说明"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("简述您如何按客户需求设计、生产和交付定制商品。"),
    )

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = [(c.code, local(c.name)) for c in scheme.scope.categories]
        self.fields["service_stages"].choices = [(s.code, local(s.name)) for s in scheme.scope.service_stages]

    @classmethod
    def for_application(cls, application, scheme, data=None):
        initial = {
            "application_type": application.application_type,
            "categories": application.categories,
            "other_category_description": application.other_category_description,
            "service_stages": application.service_stages,
            "service_description": application.service_description,
        }
        return cls(data, initial=initial, scheme=scheme)


class SiteForm(forms.Form):
    kind = forms.ChoiceField(label=_("场所类型"), choices=SiteKind.choices)
    name = forms.CharField(label=_("名称"), max_length=200)
    address = forms.CharField(label=_("地址"), max_length=300)


class UploadForm(forms.Form):
    files = MultipleFileField(label=_("选择文件"), help_text=_("可一次选择多个文件。"))
    replaces = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DeclarationForm(forms.Form):
    made = forms.BooleanField(label=_("本企业确认以上声明属实"), required=False)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("撤回原因（可选）"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SupplementRequestForm(forms.Form):
    """Clause 6 申请受理 2: tell the enterprise, per material, what to add or change."""

    message = forms.CharField(
        label=_("总体说明（可选）"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.materials = []
        for material in scheme.materials:
            ask, text = f"ask_{material.code}", f"text_{material.code}"
            self.fields[ask] = forms.BooleanField(label=local(material.name), required=False)
            self.fields[text] = forms.CharField(
                label=_("需补充或修改的内容"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.materials.append((material.code, self[ask], self[text]))

    def clean(self):
        data = super().clean()
        for _code, ask, text in self.materials:
            # A message typed under an unticked material is most likely a forgotten tick: ask, don't drop it.
            if data.get(text.name, "").strip() and not data.get(ask.name):
                self.add_error(ask.name, _("已填写说明：请勾选该材料，或清空说明。"))
        return data

    def items(self) -> dict[str, str]:
        data = self.cleaned_data
        return {code: data.get(text.name, "") for code, ask, text in self.materials if data.get(ask.name)}


class NotAcceptForm(forms.Form):
    reason = forms.CharField(
        label=_("不予受理的理由"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    out_of_scope = forms.BooleanField(label=_("超出认证范围（第1章）"), required=False)

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["out_of_scope"].help_text = local(scheme.scope.exclusion)


class ListFilterForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("申请编号、企业名称或统一社会信用代码")}),
    )
    status = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("全部状态")), *statuses]

    def values(self) -> tuple[str, str]:
        if not self.is_valid():
            return "", ""
        return self.cleaned_data["q"].strip(), self.cleaned_data["status"]
