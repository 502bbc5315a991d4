"""Template tags for the Content-Security-Policy: the GOV.UK Frontend snippet, and a nonce for admin scripts."""

from django import template
from django.utils.safestring import mark_safe

from portal.csp import nonce_attribute
from portal.inline_scripts import GOVUK_FRONTEND_SUPPORTED

register = template.Library()


@register.simple_tag
def govuk_frontend_supported_script():
    """GOV.UK Frontend's inline snippet, exactly the text whose hash the policy allows."""
    return mark_safe(f"<script>{GOVUK_FRONTEND_SUPPORTED}</script>")  # noqa: S308  # nosec B308 B703 (a constant)


@register.simple_tag
def csp_nonce_attribute():
    """` nonce="…"` with the nonce of the response being made (empty outside a request)."""
    return nonce_attribute()
