"""Full-page cache for anonymous catalogue pages, in Django's cache framework.

What is cached: the anonymous GET (and HEAD) of a page that opts in, that is the Wagtail
pages built on `CacheablePageMixin` (home, category, service and information pages) and the
views wrapped in `cacheable_page` (the A to Z of services, the public coverage page). Each is
stored in the `default` cache (Redis with REDIS_URL, shared by every web node; local memory
otherwise), keyed by scheme, host, path, normalised query string and language.

What never is, whatever the page:
- a request that carries a session or messages cookie: it may belong to a signed-in user, or
  to a visitor who has unlocked a password-protected page; such a request neither reads nor
  fills the cache (a citizen without one meets the cache; the portal sets a session cookie
  only once a journey starts or someone signs in);
- a response that is not a 200, sets a cookie, used a CSRF token (any page with a POST form),
  read the session, carries a CSP nonce, streams, or says `no-store`/`private` itself;
- anything that did not opt in: e-form journeys, /track/, the admin, the APIs, search,
  /healthz.

A hit costs one cache read (no database query, no template) and answers with the stored
response, body and headers as first sent, `ETag` included (a matching `If-None-Match` gives 304).

Invalidation: a generation number lives in the same cache; every entry records the generation
it was rendered under, and is served only while the number has not changed (both are read in
one round trip). `invalidate()` bumps it, at once and again when the transaction commits (so a
page rendered from the old data meanwhile is not kept), whenever what a catalogue page shows
can change: a page saved, published, unpublished, moved or deleted (an e-form going live or
offline changes its service's call to action and the lists), a department (contact details),
a back-office queue (coverage), a view restriction, an image, a document or the site; and
after `migrate`, which every release runs, so a new release never serves the old one's HTML.
(The layout reads no Wagtail settings or snippets: the council's name and phase are Django
settings.) A council publishes a few times an hour, so emptying the whole catalogue each time
costs a few hundred re-renders at most, and cannot miss a page that lists another one.

Headers: a cacheable page says `Cache-Control: public, max-age=PAGE_CACHE_MAX_AGE` and
`Vary: Cookie` so a CDN may keep it briefly (a CDN is not told about a publish, so that
number is short); any other response without its own `Cache-Control` gets
`private, no-cache`, and one that set a cookie gets `private, no-store`.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers

from portal.language import language_of_path

logger = logging.getLogger(__name__)

GENERATION_KEY = "page-cache:generation"
KEY_PREFIX = "page-cache:page:"
CACHEABLE_ATTRIBUTE = "page_cache_public"
HIT_HEADER = "X-Page-Cache"
# Query parameters that only track where a visitor came from: they never change a page.
TRACKING_PARAMETERS = ("utm_", "gclid", "fbclid", "msclkid", "_ga")
# Paths that never opt in: not worth a cache read.
NEVER_CACHED_PATHS = (
    "/admin/",
    "/api/",
    "/open311/",
    "/track/",
    "/files/",
    "/documents/",
    "/search/",
    "/healthz",
    "/static/",
    "/media/",
)
# Headers that are not stored: they are set afresh for each response.
UNSTORED_HEADERS = frozenset({"set-cookie", "date", HIT_HEADER.lower()})


def cache_timeout() -> int:
    """Seconds an entry is kept in the server-side cache (0 turns the page cache off)."""
    return int(getattr(settings, "PAGE_CACHE_TIMEOUT", 300))


def browser_max_age() -> int:
    """The `max-age` a cacheable page gives browsers and CDNs."""
    return int(getattr(settings, "PAGE_CACHE_MAX_AGE", 60))


def page_cache():
    """The cache the pages and the generation live in (Django's `default`)."""
    return caches["default"]


def mark_cacheable(response: HttpResponseBase) -> HttpResponseBase:
    """Let the page cache store this response (the other conditions still apply)."""
    setattr(response, CACHEABLE_ATTRIBUTE, True)
    return response


def cacheable_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """View decorator: the view's anonymous page is the same for everyone and may be cached."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return mark_cacheable(view(request, *args, **kwargs))

    return wrapper


class CacheablePageMixin:
    """For Wagtail page types whose live page is the same for every anonymous visitor."""

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if not getattr(request, "is_preview", False):
            mark_cacheable(response)
        return response


def normalised_query(query_string: str) -> str:
    """The query string sorted, without blank values or visitor-tracking parameters."""
    pairs = [
        (name, value)
        for name, value in parse_qsl(query_string, keep_blank_values=False)
        if not name.startswith(TRACKING_PARAMETERS)
    ]
    return urlencode(sorted(pairs))


def page_key(request: HttpRequest) -> str:
    """The cache key of a request's page: scheme, host, path, normalised query and language.

    The host is taken as sent: a page is stored only once it has rendered, which validates the host
    (a host not allowed gets a 400 and nothing stored), so a key made from a host not allowed finds nothing.
    """
    query = request.META.get("QUERY_STRING", "")
    address = "|".join(
        (
            request.scheme,
            request._get_raw_host(),
            request.path,
            normalised_query(query) if query else "",
            language_of_path(request.path_info),
        )
    )
    return KEY_PREFIX + hashlib.sha256(address.encode()).hexdigest()


def may_use_cache(request: HttpRequest) -> bool:
    """True for an anonymous GET or HEAD without a session or messages cookie, on a path that may opt in."""
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path.startswith(NEVER_CACHED_PATHS):
        return False
    private_cookies = (settings.SESSION_COOKIE_NAME, getattr(settings, "MESSAGE_COOKIE_NAME", "messages"))
    return not any(name in request.COOKIES for name in private_cookies)


def is_shareable(request: HttpRequest, response: HttpResponseBase) -> bool:
    """True when the response opted in and nothing in it or its making is personal."""
    cache_control = response.get("Cache-Control", "").lower()
    session = getattr(request, "session", None)
    return (
        getattr(response, CACHEABLE_ATTRIBUTE, False)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.accessed)
        and "nonce-" not in response.get("Content-Security-Policy", "")
        and not any(word in cache_control for word in ("private", "no-store", "no-cache"))
    )


def current_generation(cache) -> int:
    """The generation now in the cache; a fresh one (a time, never used before) when it is missing."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def bump_generation() -> None:
    """Make every cached page stale, on every web node sharing the cache."""
    cache = page_cache()
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # missing (never set, evicted or cleared): any new value retires the old entries
            cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
    except Exception:  # a cache that is down holds no pages to retire; an editor's publish goes on
        logger.exception("page cache: could not bump the generation")


def invalidate() -> None:
    """Retire every cached page now, and again once the current transaction commits."""
    bump_generation()
    transaction.on_commit(bump_generation)


def public_headers(response: HttpResponseBase) -> None:
    """The headers of a page any cache may keep for a short while."""
    patch_cache_control(response, public=True, max_age=browser_max_age())
    patch_vary_headers(response, ("Cookie",))


def response_from_entry(request: HttpRequest, entry: dict) -> HttpResponseBase:
    """The stored page, as it was sent with its headers (or a 304 when the visitor's copy is current)."""
    response = None
    if "HTTP_IF_NONE_MATCH" in request.META:
        response = get_conditional_response(request, etag=entry["etag"])
        if response is not None:
            response.headers["ETag"] = entry["etag"]
            public_headers(response)
    if response is None:
        response = entry["response"]
    response.headers[HIT_HEADER] = "hit"
    return response


def store(cache, key: str, generation: int, response: HttpResponse) -> None:
    """Keep a page (body and headers, public ones already set) under its key, with the generation it was made in."""
    etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
    response.headers["ETag"] = etag
    public_headers(response)
    stored = HttpResponse(response.content, status=200)
    for name, value in response.headers.items():
        if name.lower() not in UNSTORED_HEADERS:
            stored.headers[name] = value
    cache.set(key, {"generation": generation, "response": stored, "etag": etag}, cache_timeout())


class PageCacheMiddleware:
    """Serve and fill the page cache; set `Cache-Control` on every page.

    Goes right after WhiteNoise, before sessions, CSRF and authentication, so a hit skips them
    all and a miss sees the cookies they set.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not may_use_cache(request):
            return private_headers(request, self.get_response(request))
        cache, key, generation = page_cache(), page_key(request), None
        if cache_timeout():
            try:
                found = cache.get_many([GENERATION_KEY, key])
                generation = found.get(GENERATION_KEY) or current_generation(cache)
            except Exception:  # a cache that is down must not break the page: render it
                logger.exception("page cache: could not read %s", request.path)
                found = {}
            entry = found.get(key)
            if entry is not None and generation is not None and entry.get("generation") == generation:
                return response_from_entry(request, entry)
        response = self.get_response(request)
        if not is_shareable(request, response):
            return private_headers(request, response)
        if generation is not None and request.method == "GET":  # a HEAD's body may be left out
            try:
                store(cache, key, generation, response)
                response.headers[HIT_HEADER] = "miss"
            except Exception:
                logger.exception("page cache: could not store %s", request.path)
        public_headers(response)  # again for a HEAD, or a page the cache could not take: it may change nothing
        return response


def private_headers(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """`private, no-store` on a response that set a cookie; `private, no-cache` on others that set nothing."""
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        patch_cache_control(response, private=True, no_store=True)
    elif "Cache-Control" not in response:
        patch_cache_control(response, private=True, no_cache=True)
    return response


def invalidate_on_change(sender, instance=None, **kwargs) -> None:
    """Signal receiver: a model a catalogue page shows has changed."""
    invalidate()


@functools.cache
def watched_models() -> tuple[type, ...]:
    """Every model whose change can alter what an anonymous catalogue page shows."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Page, PageViewRestriction, Site

    from backoffice.models import Queue
    from home.models import Department

    return (Page, PageViewRestriction, Site, Department, Queue, get_image_model(), get_document_model())


def on_model_change(sender, instance=None, **kwargs) -> None:
    """post_save/post_delete receiver: invalidate when the instance is one a catalogue page shows."""
    if isinstance(instance, watched_models()):
        invalidate()


def invalidate_after_migrate(sender, **kwargs) -> None:
    """post_migrate receiver: a release runs `migrate`, so pages rendered by the previous
    release's templates (and naming its static files) are not served by the new one."""
    bump_generation()


def connect_signals(app_config) -> None:
    """Invalidate on every change a catalogue page can show (see the module docstring), and on each release."""
    from wagtail.signals import page_published, page_unpublished, post_page_move

    post_migrate.connect(invalidate_after_migrate, sender=app_config, dispatch_uid="page-cache-post-migrate")

    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(invalidate_on_change, dispatch_uid=f"page-cache-{id(signal)}")
    post_save.connect(on_model_change, dispatch_uid="page-cache-post-save")
    post_delete.connect(on_model_change, dispatch_uid="page-cache-post-delete")
