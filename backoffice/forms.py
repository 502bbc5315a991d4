"""Citizen-facing forms of the back office."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .references import ALPHABET, LENGTH, normalise_reference


class TrackForm(forms.Form):
    """Reference and email address, as given when the request was made."""

    reference = forms.CharField(
        label=_("Reference"),
        help_text=_("For example, K7MQ-X3PT-RA. It is in your confirmation email."),
        max_length=40,
        error_messages={
            "required": _("Enter your reference"),
            "max_length": _("Enter your reference as it is in your confirmation email, like K7MQ-X3PT-RA"),
        },
    )
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The email address you gave with your request."),
        max_length=254,
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )

    def clean_reference(self) -> str:
        reference = normalise_reference(self.cleaned_data["reference"])
        if len(reference) != LENGTH or any(ch not in ALPHABET for ch in reference):
            raise forms.ValidationError(
                _("Enter your reference as it is in your confirmation email, like K7MQ-X3PT-RA"), code="format"
            )
        return reference
