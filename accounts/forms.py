from django import forms
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _


class BootstrapMixin:
    """Bootstrap's classes on every input, and is-invalid on those with errors (the
    templates write each field through accounts/_field.html)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] = "form-control is-invalid"


class PortalPasswordChangeForm(BootstrapMixin, PasswordChangeForm):
    pass


class PortalSetPasswordForm(BootstrapMixin, SetPasswordForm):
    pass


class PortalPasswordResetForm(BootstrapMixin, PasswordResetForm):
    pass


class CodeForm(BootstrapMixin, forms.Form):
    """A code from the authenticator app (six digits) or a recovery code."""

    code = forms.CharField(
        label=_("Mã xác thực"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )


class SetupCodeForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label=_("Mã gồm 6 chữ số do ứng dụng hiển thị"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
