"""The languages a resident can use (settings.LANGUAGES): reading a language from a request, naming it for staff.

`language_code(value)` turns "cy", "CY", "cy-GB", "en" or "en-GB" into one of the codes of
settings.LANGUAGES ("en-gb", "cy"), or None for a language the portal does not offer.
`preferred_language(header)` reads an Accept-Language header (a preference, never an error:
the first language offered wins, else English).
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation.trans_real import parse_accept_lang_header

DEFAULT_LANGUAGE = settings.LANGUAGE_CODE
WELSH = "cy"
MAX_CODE_LENGTH = 35  # the longest tag BCP 47 software is expected to handle

# What staff read: the language's English name, and its own name when that differs.
LANGUAGE_NAMES = {"en-gb": _("English"), "cy": _("Welsh (Cymraeg)")}


def language_choices() -> list[tuple[str, str]]:
    """The portal's languages as (code, name staff read) pairs."""
    return [(code, LANGUAGE_NAMES.get(code, name)) for code, name in settings.LANGUAGES]


def language_code(value: object) -> str | None:
    """The code in settings.LANGUAGES that `value` names ("cy", "cy-GB", "en", "EN-gb"...), or None."""
    if not isinstance(value, str) or not value or len(value) > MAX_CODE_LENGTH:
        return None
    tag = value.strip().lower().replace("_", "-")
    codes = [code for code, _name in settings.LANGUAGES]
    if tag in codes:
        return tag
    primary = tag.split("-", 1)[0]
    return next((code for code in codes if code.split("-", 1)[0] == primary), None)


def preferred_language(header: str | None) -> str:
    """The first language of an Accept-Language header the portal offers, else the default (English)."""
    for tag, _quality in parse_accept_lang_header((header or "")[:1000]):
        code = language_code(tag)
        if code:
            return code
    return DEFAULT_LANGUAGE


def language_name(code: str) -> str:
    """The name staff read for a request's language: "English", "Welsh (Cymraeg)"."""
    return str(LANGUAGE_NAMES.get(code, code))
