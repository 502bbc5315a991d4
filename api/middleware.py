"""Rate limits on the APIs: every request under /api/ and /open311/ counts against its key or its address.

A request presenting a key (`Authorization: Bearer <key>`, or an `api_key` parameter in the
query string or an Open311 form body) counts against the key's public prefix; others count against
the caller's address. The key is not checked here (the endpoints do that): only its prefix is
read and looked up among the live keys' prefixes (cached), so a malformed, made-up or revoked key
counts against the address. Over `settings.API_RATE_LIMIT` (requests,
seconds) the answer is 429 with `Retry-After`, in the format of the API asked: an RFC 9457
problem document under /api/, Open311's error list (XML, or JSON for a `.json` path) under
/open311/. Counts live in Django's cache, so every web node shares them when it is Redis.
"""

import json
from collections.abc import Callable
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext

from portal.ratelimit import client_address, over_limit

from .keys import PREFIX_ALPHABET, PREFIX_LENGTH
from .models import Open311Client, QueueApiKey, live_key_prefixes
from .v1.problems import problem_response

API_PATHS = ("/api/", "/open311/")
OPEN311_PATH = "/open311/"
RATE_SCOPE = "api"
KEY_KINDS = frozenset({QueueApiKey.KEY_KIND, Open311Client.KEY_KIND})
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def presented_key(request: HttpRequest) -> str:
    """The key the caller sent as a bearer token or an `api_key` parameter, or "".

    Open311 clients send `api_key` in the form body of a POST, so only /open311/ bodies are read.
    """
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    if request.GET.get("api_key"):
        return request.GET["api_key"]
    form_post = request.method == "POST" and request.content_type in FORM_CONTENT_TYPES
    if form_post and request.path.startswith(OPEN311_PATH):
        try:
            return request.POST.get("api_key", "")
        except (SuspiciousOperation, MultiPartParserError, UnreadablePostError):
            return ""  # an unreadable body is the endpoint's to refuse
    return ""


def key_prefix(key: str) -> str | None:
    """`<kind>_<prefix>` of a well-formed key (`<kind>_<prefix>_<secret>`), else None. Never checks the secret."""
    kind, _, rest = key.partition("_")
    prefix, _, secret = rest.partition("_")
    well_formed = len(prefix) == PREFIX_LENGTH and all(character in PREFIX_ALPHABET for character in prefix)
    return f"{kind}_{prefix}" if kind in KEY_KINDS and well_formed and secret else None


def rate_identity(request: HttpRequest) -> str:
    """Who a request counts against: the prefix of a live key it presents, else its address."""
    prefix = key_prefix(presented_key(request))
    if prefix and prefix in live_key_prefixes():
        return f"key:{prefix}"
    return f"address:{client_address(request)}"


def too_many_requests(request: HttpRequest, limit: int, window: int) -> HttpResponse:
    """The 429 answer in the format of the API asked, with `Retry-After` (the whole window, at most)."""
    detail = gettext(
        "More than %(limit)s requests in %(window)s seconds were made with this key or from this address. "
        "Wait %(window)s seconds and try again."
    ) % {"limit": limit, "window": window}
    if request.path.startswith(OPEN311_PATH):
        response = open311_error(request.path, 429, detail)
    else:
        response = problem_response(request, 429, "too-many-requests", gettext("Too many requests"), detail)
    response["Retry-After"] = str(window)
    return response


def open311_error(path: str, code: int, description: str) -> HttpResponse:
    """An Open311 GeoReport v2 error list: JSON for a `.json` path, XML otherwise."""
    if path.endswith(".json"):
        body = json.dumps([{"code": code, "description": description}])
        return HttpResponse(body, status=code, content_type="application/json; charset=utf-8")
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f"<errors><error><code>{code}</code><description>{escape(description)}</description></error></errors>"
    )
    return HttpResponse(body, status=code, content_type="text/xml; charset=utf-8")


class ApiRateLimitMiddleware:
    """Counts each API and Open311 request against its key or address; over the limit, answers 429."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PATHS):
            limit, window = settings.API_RATE_LIMIT
            if over_limit(RATE_SCOPE, rate_identity(request), limit, window):
                return too_many_requests(request, limit, window)
        return self.get_response(request)
