"""The language of a request is its URL's: Welsh under /cy/, English anywhere else.

Django's `LocaleMiddleware` would also read a language cookie and the browser's
`Accept-Language`, add `Vary: Accept-Language` to English pages and redirect by it. Here the URL
alone decides, so a link or a bookmark keeps its language, a page is the same for every browser
(the page cache and a CDN keep one copy per URL) and the language switcher is an ordinary link.
The APIs read `Accept-Language` themselves where they accept a language (`preferred_language`).

The languages a resident can use are settings.LANGUAGES: `language_code(value)` turns "cy",
"CY", "cy-GB", "en" or "en-GB" into one of their codes ("en-gb", "cy"), or None for a language
the portal does not offer; `language_name(code)` is what staff read.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation.trans_real import parse_accept_lang_header


def language_of_path(path: str) -> str:
    """The language a path is in: its prefix's (`/cy/…`), else the default."""
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


class UrlLanguageMiddleware:
    """The URL's language for the request (and only for it), said in `Content-Language`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_of_path(request.path_info)
        request.LANGUAGE_CODE = language
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


def council_name() -> tuple[str, str]:
    """The council's name in the active language, and the language it is in (its Welsh name on a Welsh page
    when it has one, else its English name)."""
    if translation.get_language() == "cy" and settings.COUNCIL_NAME_WELSH:
        return settings.COUNCIL_NAME_WELSH, "cy"
    return settings.COUNCIL_NAME, settings.LANGUAGE_CODE


def language_prefix(language: str) -> str:
    """The URL prefix of a language: none for the default, `/cy` for Welsh."""
    return "" if language == settings.LANGUAGE_CODE else f"/{language}"


def page_url_in(request, page, language: str) -> str | None:
    """The URL of a page's live version in a language (from the map of pages), or None when it has none."""
    from portal import page_routes

    routes = page_routes.route_map(request)
    site = page_routes.site_for(routes, request)
    url_path = routes.translations.get(str(page.translation_key), {}).get(language)
    root = site.root_in(language) if site else None
    if url_path is None or root is None or not url_path.startswith(root):
        return None
    return f"{language_prefix(language)}/{url_path[len(root) :]}"


def url_in(request, language: str, page=None) -> str:
    """This page (or view) in another language; that language's home page when it has no version in it."""
    if page is not None and getattr(page, "translation_key", None):
        url = page_url_in(request, page, language)
    else:
        here = request.get_full_path()
        url = translate_url(here, language)
        url = None if url == here else url
    return url or f"{language_prefix(language)}/"


# What a screen reader says for the link to each language, in that language (not from the catalogue:
# a Welsh speaker on an English page hears Welsh).
SWITCH_TO = {"en-gb": "Change the language to English", "cy": "Newid yr iaith i'r Gymraeg"}


def language_links(request, page=None) -> list[dict[str, object]]:
    """The language switcher's entries: the current language, and a link to this page in each other one."""
    current = translation.get_language()
    return [
        {"code": code, "name": name, "current": True}
        if code == current
        else {"code": code, "name": name, "url": url_in(request, code, page), "switch_to": SWITCH_TO.get(code, name)}
        for code, name in settings.LANGUAGES
    ]


# --- the languages offered ------------------------------------------------------------------

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
