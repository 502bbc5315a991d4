"""Journey URLs of e-forms served without walking Wagtail's page tree.

Every request of a journey (`<form url>start/`, `<form url><journey id>/<step>/`, save,
confirmation, resume, remove) comes through one URL pattern placed before Wagtail's catch-all.
The e-form is found in a map of the live, unrestricted e-forms by URL path, then loaded by id
(one query, which also checks it is still live at that path) and the request goes to the same
route of `EFormPage` Wagtail would have called. Anything the map does not know (a form behind
a view restriction, a path that is not an e-form's, a stale entry) goes to Wagtail's own `serve`.

The map lives in the shared cache under a *generation*: a token that any publish, unpublish,
move or deletion of a page, and any change of a site, a view restriction or a form version,
replaces, so every web node sees the change at once. Each process keeps its copy of the map
(and its parsed form versions, see `pinned_version`) for the current generation only.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Exists
from django.db.models.signals import post_delete, post_save
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import split_domain_port
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move
from wagtail.views import serve as wagtail_serve

GENERATION_KEY = "forms_catalogue:routes:generation"
MAP_FORMAT = 3  # part of the map's cache key: a release that changes RouteMap never reads an older one
MAP_KEY = f"forms_catalogue:routes:map:{MAP_FORMAT}:{{generation}}"
MAP_TIMEOUT = 24 * 60 * 60


@dataclass(frozen=True)
class SiteRoot:
    """What Wagtail needs to pick a site for a host name and port, and the URL path of its root page."""

    hostname: str
    port: int
    is_default: bool
    root_url_path: str


@dataclass
class RouteMap:
    """The sites, and the live e-forms without view restrictions: URL path to (page id, tree path).

    `site_root_paths` is Wagtail's `Site.get_site_root_paths()`, handed to each page found so
    that its `url` needs no further cache lookup.
    """

    sites: tuple[SiteRoot, ...] = ()
    forms: dict[str, tuple[int, str]] = field(default_factory=dict)
    site_root_paths: list = field(default_factory=list)


class _ProcessCache(threading.local):
    """Per-process (per-thread) copies tied to one generation."""

    generation: str = ""
    entries: dict[str, Any] | None = None


_process = _ProcessCache()


# --- the generation ------------------------------------------------------------------------


def current_generation(request: HttpRequest | None = None) -> str:
    """The generation in the shared cache (read once per request); a new one when the cache has none."""
    if request is not None and hasattr(request, "_eform_route_generation"):
        return request._eform_route_generation
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY) or ""
    if request is not None:
        request._eform_route_generation = generation
    return generation


def bump_generation(**kwargs) -> None:
    """Make every node forget its journey routes and cached versions (a signal receiver)."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def process_cache(request: HttpRequest | None = None) -> dict[str, Any]:
    """This process's cache for the current generation (emptied when the generation changes)."""
    generation = current_generation(request)
    if _process.entries is None or _process.generation != generation:
        _process.generation, _process.entries = generation, {}
    return _process.entries


# --- the map -------------------------------------------------------------------------------


def build_route_map() -> RouteMap:
    """The map from the database: every site, and every live e-form not under a view restriction."""
    from .models import EFormPage

    sites = tuple(
        SiteRoot(hostname, port, is_default, root_url_path)
        for hostname, port, is_default, root_url_path in Site.objects.values_list(
            "hostname", "port", "is_default_site", "root_page__url_path"
        )
    )
    restricted = tuple(PageViewRestriction.objects.values_list("page__path", flat=True))
    forms = {
        url_path: (page_id, tree_path)
        for url_path, page_id, tree_path in EFormPage.objects.live().values_list("url_path", "pk", "path")
        if not tree_path.startswith(restricted)
    }
    return RouteMap(sites=sites, forms=forms, site_root_paths=list(Site.get_site_root_paths()))


def route_map(request: HttpRequest | None = None) -> RouteMap:
    """The map of the current generation: this process's copy, else the shared cache's, else built."""
    local = process_cache(request)
    if "map" not in local:
        key = MAP_KEY.format(generation=current_generation(request))
        routes = cache.get(key)
        if routes is None:
            routes = build_route_map()
            cache.set(key, routes, timeout=MAP_TIMEOUT)
        local["map"] = routes
    return local["map"]


def _site_rank(site: SiteRoot, hostname: str, port: int) -> int:
    """Wagtail's order of preference: host and port, host of the default site, the default site, the host."""
    if site.hostname == hostname and site.port == port:
        return 0
    if site.hostname == hostname and site.is_default:
        return 1
    return 2 if site.is_default else 3


def site_for(routes: RouteMap, request: HttpRequest) -> SiteRoot | None:
    """The site Wagtail would serve this request from (as `wagtail.models.sites.get_site_for_hostname`)."""
    hostname = split_domain_port(request._get_raw_host())[0]
    port = int(request.get_port())
    candidates = [site for site in routes.sites if site.hostname == hostname or site.is_default]
    ranked = sorted(((_site_rank(site, hostname, port), site) for site in candidates), key=lambda pair: pair[0])
    if not ranked:
        return None
    if len(ranked) == 1 or ranked[0][0] in (0, 1):
        return ranked[0][1]
    if ranked[0][0] == 2:  # the default site, unless exactly one other site has this host name
        return ranked[len(ranked) == 2][1]
    return None


def unrestricted_live_form(page_id: int, tree_path: str, url_path: str):
    """The e-form, in one query, if it is still live at this place with no view restriction on it or above it.

    A map entry may be stale (local-memory caches are one per process, so other workers hear of a
    change late), so whatever the map says is checked here; None sends the request to Wagtail.
    """
    from .models import EFormPage

    ancestors = [tree_path[:length] for length in range(Page.steplen, len(tree_path) + 1, Page.steplen)]
    restricted = PageViewRestriction.objects.filter(page__path__in=ancestors)
    return (
        EFormPage.objects.filter(pk=page_id, live=True, url_path=url_path, path=tree_path)
        .filter(~Exists(restricted))
        .first()
    )


def find_form(request: HttpRequest, path: str):
    """The live e-form whose URL is a prefix of `path` on the request's site, and the rest of the path."""

    routes = route_map(request)
    site = site_for(routes, request)
    if site is None:
        return None, ""
    segments = path.strip("/").split("/")
    for length in range(len(segments) - 1, 0, -1):
        url_path = site.root_url_path + "".join(f"{segment}/" for segment in segments[:length])
        if url_path in routes.forms:
            page = unrestricted_live_form(*routes.forms[url_path], url_path)
            if page is not None:  # where Wagtail's Page.url looks for them first
                page._wagtail_cached_site_root_paths = routes.site_root_paths
            return page, "".join(f"{segment}/" for segment in segments[length:])
    return None, ""


def serve_journey(request: HttpRequest, path: str) -> HttpResponse:
    """A journey request: the e-form's own route when the map knows the form, else Wagtail's routing."""
    page, rest = find_form(request, path)
    if page is None:
        return wagtail_serve(request, path)
    try:
        match = page.resolve_subpage(f"/{rest}")
    except Http404:
        return wagtail_serve(request, path)
    request.routable_resolver_match = match
    return match.func(request, *match.args, **match.kwargs)


def journey_body_limit(request: HttpRequest, path: str) -> int | None:
    """The largest body a journey request of this form may send (None when the map does not know the form)."""
    from .uploads import form_body_limit

    page, _rest = find_form(request, path)
    version = page.current_version() if page is not None else None
    return form_body_limit(version.definition()) if version is not None else None


serve_journey.body_limit = journey_body_limit  # read by portal.upload_limits.RequestBodyLimitMiddleware


def connect() -> None:
    """Replace the generation whenever what the map or the cached versions hold may change."""
    from .models import FormVersion

    page_signals = {
        "published": page_published,
        "unpublished": page_unpublished,
        "slug-changed": page_slug_changed,
        "moved": post_page_move,
    }
    for name, signal in page_signals.items():
        signal.connect(bump_generation, dispatch_uid=f"eform-routes-{name}")
    for model in (Page, Site, PageViewRestriction, FormVersion):
        post_delete.connect(bump_generation, sender=model, dispatch_uid=f"eform-routes-delete-{model.__name__}")
    for model in (Site, PageViewRestriction, FormVersion):
        post_save.connect(bump_generation, sender=model, dispatch_uid=f"eform-routes-save-{model.__name__}")


# --- frozen versions -----------------------------------------------------------------------


def pinned_version(request: HttpRequest, page, version_id: int):
    """The frozen version (of this page) a journey started on: loaded and parsed once per process and generation."""
    from .models import FormVersion

    versions = process_cache(request).setdefault("versions", {})
    version = versions.get(version_id)
    if version is None:
        version = FormVersion.objects.filter(pk=version_id).first()
        if version is None:
            return None
        versions[version_id] = version
    return version if version.page_id == page.pk else None
