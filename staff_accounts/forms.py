"""The forms of the second-factor steps: a code from the authenticator app, or a recovery code."""

from django import forms
from django.utils.translation import gettext_lazy as _


def normalised_code(value: str) -> str:
    """A code as typed, without the spaces and dashes people copy with it, in lower case."""
    return "".join(value.split()).replace("-", "").lower()


class AppCodeForm(forms.Form):
    """Enrolment: the 6-digit code the newly set-up app shows, proving it has the secret."""

    code = forms.CharField(
        label=_("Code from the app"),
        help_text=_("The 6-digit code your authenticator app shows now."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        error_messages={"required": _("Enter the 6-digit code your authenticator app shows.")},
    )

    def clean_code(self) -> str:
        code = normalised_code(self.cleaned_data["code"])
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("Enter the code as 6 digits, for example 123456."), code="format")
        return code


class SignInCodeForm(forms.Form):
    """Signing in: a code from the authenticator app, or one of the recovery codes."""

    code = forms.CharField(
        label=_("Code"),
        help_text=_("The 6-digit code your authenticator app shows, or one of your recovery codes."),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
        error_messages={"required": _("Enter the code from your authenticator app, or a recovery code.")},
    )

    def clean_code(self) -> str:
        return normalised_code(self.cleaned_data["code"])
