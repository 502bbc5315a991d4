"""The language of a request is its URL's: Welsh under /cy/, English anywhere else.

Django's `LocaleMiddleware` would also read a language cookie and the browser's
`Accept-Language`, add `Vary: Accept-Language` to English pages and redirect by it. Here the URL
alone decides, so a link or a bookmark keeps its language, a page is the same for every browser
(the page cache and a CDN keep one copy per URL) and the language switcher is an ordinary link.
The APIs read `Accept-Language` themselves where they accept a language.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import translate_url
from django.utils import translation


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
