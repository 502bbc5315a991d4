"""The forms of the second-factor steps (a code from the authenticator app, or a recovery code) and of unlocking."""

from django import forms
from django.contrib.auth import get_user_model
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


class LockoutForm(forms.Form):
    """A username and/or an address whose sign-in lock-out to look up or lift (the admin's look-up, the command)."""

    username = forms.CharField(
        label=_("Username"),
        required=False,
        max_length=150,
        help_text=_("The username of the account, as the person signs in with it."),
    )
    address = forms.GenericIPAddressField(
        label=_("Address"),
        required=False,
        help_text=_("The network (IP) address sign-ins came from, for example 192.0.2.10 or 2001:db8::1."),
        error_messages={"invalid": _("Enter the address as an IPv4 or IPv6 address, like 192.0.2.10 or 2001:db8::1.")},
    )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if username and not get_user_model().objects.filter(username=username).exists():
            raise forms.ValidationError(
                _("There is no account with the username %(username)s."), params={"username": username}, code="unknown"
            )
        return username

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("username") and not cleaned.get("address"):
            raise forms.ValidationError(_("Enter a username, an address, or both."), code="required")
        return cleaned

    def messages(self) -> list[str]:
        """Every error, as sentences (for a message or a command's error)."""
        return [message for errors in self.errors.values() for message in errors]
