from django import forms
from django.utils.translation import gettext_lazy as _

from certflow.certificates.domain import REASON_REQUIRED


class StatusChangeForm(forms.Form):
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False)

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["reason"].required = action in REASON_REQUIRED


class ScopeReductionForm(forms.Form):
    """Tick what the certificate keeps; what is left unticked is excluded from the scope."""

    categories = forms.MultipleChoiceField(
        label=_("保留的定制商品类别"), widget=forms.CheckboxSelectMultiple, required=False
    )
    services = forms.MultipleChoiceField(label=_("保留的服务环节"), widget=forms.CheckboxSelectMultiple, required=False)
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, certificate, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        names = {c.code: c.name.zh for c in scheme.scope.categories}
        stages = {s.code: s.name.zh for s in scheme.scope.service_stages}
        self.fields["categories"].choices = [(c, names.get(c, c)) for c in certificate.scope_categories]
        self.fields["services"].choices = [(s, stages.get(s, s)) for s in certificate.scope_services]
        if not self.is_bound:
            self.initial = {"categories": certificate.scope_categories, "services": certificate.scope_services}
