from django import forms
from django.utils.translation import gettext_lazy as _

from certflow.certificates.domain import REASON_REQUIRED


class StatusChangeForm(forms.Form):
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False)

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["reason"].required = action in REASON_REQUIRED
