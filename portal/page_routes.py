"""Public pages found by URL path in a map, without walking Wagtail's page tree.

Wagtail finds a page by loading the site (one query), then each page on the way down the
tree, then the view restrictions (three to five queries more for a service page). Here a map
of every live page without a view restriction (URL path to id, tree path, type and title) is
built once per *generation* and kept in the shared cache and in each process, so a page is
found with no query and loaded in one (which also checks it is still live at that place with
no view restriction on it or above it: an entry may be stale). Its parents for the breadcrumbs
come from the map too.

`serve_page` serves the catalogue's plain page types this way (those that set
`served_by_route_map`): the home, category, service and information pages. Any other path (an
e-form's start page, a page behind a view restriction, an unknown path) goes to Wagtail's own
`serve`. The journey route of `forms_catalogue.routing` finds its e-forms in the same map.
Wagtail's `before_serve_page` and `on_serve_page` hooks run as in Wagtail's view, but for
Wagtail's view-restriction check (an `on_serve_page` hook): a page in the map has none.

The generation is a token in the shared cache that any publish, unpublish, move, slug change
or deletion of a page, and any change of a site or a view restriction, replaces, so every web
node sees the change at once. Each process keeps its copy of the map (and other apps' entries,
see `process_cache`) for the current generation only. With a per-process cache (no Redis)
other processes do not hear of a change, so there a map is used for ROUTE_MAP_TIMEOUT seconds
only (10 by default, as the page cache).
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.db.models import Exists
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.utils.translation import get_language
from wagtail import hooks
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move
from wagtail.views import serve as wagtail_serve
from wagtail.views import serve_chain
from wagtail.wagtail_hooks import check_view_restrictions

GENERATION_KEY = "page-routes:generation"
MAP_FORMAT = 2  # part of the map's cache key: a release that changes RouteMap never reads an older one
MAP_KEY = f"page-routes:map:{MAP_FORMAT}:{{generation}}"


@dataclass(frozen=True)
class SiteRoot:
    """What Wagtail needs to pick a site for a host name and port, the URL paths of its root page in each
    language (the root page and its translations: Wagtail's site root paths), and the site."""

    hostname: str
    port: int
    is_default: bool
    root_url_path: str
    site: Site | None = None
    root_url_paths: tuple[tuple[str, str], ...] = ()  # (language code, URL path of the root page in it)

    def root_in(self, language: str | None) -> str:
        """The URL path of the site's root page in a language (its own when it has no translation in it)."""
        return dict(self.root_url_paths).get(language or "", self.root_url_path)


@dataclass(frozen=True)
class PageEntry:
    """A live page without view restrictions, as the map knows it."""

    page_id: int
    tree_path: str
    content_type_id: int
    title: str
    slug: str
    url_path: str


@dataclass
class RouteMap:
    """The sites and the live pages without view restrictions, by URL path, and every live page's live children.

    `site_root_paths` is Wagtail's `Site.get_site_root_paths()`, handed to each page found so
    that its `url` needs no further cache lookup.
    """

    sites: tuple[SiteRoot, ...] = ()
    pages: dict[str, PageEntry] = field(default_factory=dict)
    # a page's live versions, by translation key then language code: their URL paths (the language switcher)
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    children: dict[str, tuple[PageEntry, ...]] = field(default_factory=dict)  # every live child, in tree order
    site_root_paths: list = field(default_factory=list)


class _ProcessCache(threading.local):
    """Per-process (per-thread) copies tied to one generation."""

    generation: str = ""
    entries: dict[str, Any] | None = None


_process = _ProcessCache()


# --- the generation ------------------------------------------------------------------------


def current_generation(request: HttpRequest | None = None) -> str:
    """The generation in the shared cache (read once per request); a new one when the cache has none."""
    if request is not None and hasattr(request, "_page_route_generation"):
        return request._page_route_generation
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY) or ""
    if request is not None:
        request._page_route_generation = generation
    return generation


def bump_generation(**kwargs) -> None:
    """Make every node forget its map and what it keeps per generation (a signal receiver)."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def process_cache(request: HttpRequest | None = None) -> dict[str, Any]:
    """This process's cache for the current generation (emptied when the generation changes)."""
    generation = current_generation(request)
    if _process.entries is None or _process.generation != generation:
        _process.generation, _process.entries = generation, {}
    return _process.entries


# --- the map -------------------------------------------------------------------------------


def build_route_map() -> RouteMap:
    """The map from the database: every site, and every live page not under a view restriction."""
    site_root_paths = list(Site.get_site_root_paths())
    sites = tuple(
        SiteRoot(
            site.hostname,
            site.port,
            site.is_default_site,
            site.root_page.url_path,
            site,
            tuple((root.language_code, root.root_path) for root in site_root_paths if root.site_id == site.pk),
        )
        for site in Site.objects.select_related("root_page")
    )
    for root in sites:
        del root.site._state.fields_cache["root_page"]  # keep the map small: the site alone
    restricted = tuple(PageViewRestriction.objects.values_list("page__path", flat=True))
    pages: dict[str, PageEntry] = {}
    children: dict[str, list[PageEntry]] = {}
    translations: dict[str, dict[str, str]] = {}
    live_pages = (
        Page.objects.live()
        .order_by("path")
        .values_list(
            "url_path", "pk", "path", "content_type_id", "title", "slug", "translation_key", "locale__language_code"
        )
    )
    for url_path, page_id, tree_path, content_type_id, title, slug, translation_key, language in live_pages:
        if not url_path:
            continue
        entry = PageEntry(page_id, tree_path, content_type_id, title, slug, url_path)
        children.setdefault(url_path[: url_path.rstrip("/").rfind("/") + 1], []).append(entry)
        if not tree_path.startswith(restricted):
            pages[url_path] = entry
            translations.setdefault(str(translation_key), {})[language] = url_path
    return RouteMap(
        sites=sites,
        pages=pages,
        translations=translations,
        children={parent: tuple(entries) for parent, entries in children.items()},
        site_root_paths=site_root_paths,
    )


def map_timeout() -> int:
    """Seconds a map is used: long with a shared cache (every change starts a new generation at once on
    every node), short with a per-process one (a change made in another process is not heard of here)."""
    return int(getattr(settings, "ROUTE_MAP_TIMEOUT", 10))


def route_map(request: HttpRequest | None = None) -> RouteMap:
    """The map of the current generation: this process's copy, else the shared cache's, else built."""
    local = process_cache(request)
    if "map" not in local or local["map_until"] < time.monotonic():
        key = MAP_KEY.format(generation=current_generation(request))
        routes = cache.get(key)
        if routes is None:
            routes = build_route_map()
            cache.set(key, routes, timeout=map_timeout())
        local["map"], local["map_until"] = routes, time.monotonic() + map_timeout()
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


def load_live_page(entry: PageEntry, queryset, routes: RouteMap, site: SiteRoot, request: HttpRequest):
    """The page of a map entry, in one query, if it is still live at its place with no view restriction on it or above.

    The page gets its parents from the map (unsaved pages with their id, tree path, URL path
    and title: enough for breadcrumbs and links), the site root paths for its URL, and the
    request its site, so serving it costs no further query for any of them. None when the
    entry is stale (the page moved, went offline or got a restriction since the map was built).
    """
    ancestors = [entry.tree_path[:length] for length in range(Page.steplen, len(entry.tree_path) + 1, Page.steplen)]
    restricted = PageViewRestriction.objects.filter(page__path__in=ancestors)
    page = (
        queryset.filter(pk=entry.page_id, live=True, url_path=entry.url_path, path=entry.tree_path)
        .filter(~Exists(restricted))
        .first()
    )
    if page is None:
        return None
    page._wagtail_cached_site_root_paths = routes.site_root_paths
    attach_parents(page, routes)
    if site.site is not None:
        request._wagtail_site = site.site
    return page


def still_live_revision(entry: PageEntry) -> int | None:
    """The live revision of the entry's page if it is still live at its place with no view restriction, else None.

    One short SQL statement, written out so that a journey's step pays no query building for it.
    """
    page_table = connection.ops.quote_name(Page._meta.db_table)
    restriction_table = connection.ops.quote_name(PageViewRestriction._meta.db_table)
    # Table names from the models, quoted; every value is a parameter.
    sql = (
        f"SELECT page.live_revision_id FROM {page_table} page "  # noqa: S608  # nosec B608
        "WHERE page.id = %s AND page.live AND page.url_path = %s AND page.path = %s AND NOT EXISTS ("
        f"SELECT 1 FROM {restriction_table} restriction JOIN {page_table} restricted "
        "ON restricted.id = restriction.page_id WHERE SUBSTR(%s, 1, LENGTH(restricted.path)) = restricted.path)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [entry.page_id, entry.url_path, entry.tree_path, entry.tree_path])
        row = cursor.fetchone()
    return row[0] if row else None


def kept_live_page(entry: PageEntry, queryset, routes: RouteMap, site: SiteRoot, request: HttpRequest):
    """As `load_live_page`, but the page is kept in this process for its live revision: a request then costs
    one short query (`still_live_revision`) instead of loading the page.

    For the e-forms' journeys, whose every step needs the form page; any publish gives a new live
    revision, so a kept page is never older than what is live.
    """
    revision = still_live_revision(entry)
    if revision is None:
        return None
    kept = process_cache(request).setdefault("pages", {})
    page = kept.get(entry.page_id)
    if page is None or page.live_revision_id != revision:
        page = load_live_page(entry, queryset, routes, site, request)
        if page is None:
            return None
        kept[entry.page_id] = page
    elif site.site is not None:
        request._wagtail_site = site.site
    return page


def attach_parents(page, routes: RouteMap) -> None:
    """Give the page its chain of parents from the map, down from the site's root (as Wagtail's routing does)."""
    child, url_path = page, page.url_path
    while child.depth > 2:
        url_path = url_path[: url_path.rstrip("/").rfind("/") + 1]
        entry = routes.pages.get(url_path)
        if entry is None:
            return
        parent = Page(
            id=entry.page_id,
            path=entry.tree_path,
            depth=len(entry.tree_path) // Page.steplen,
            title=entry.title,
            slug=entry.slug,
            url_path=entry.url_path,
            content_type_id=entry.content_type_id,
            live=True,
        )
        parent._wagtail_cached_site_root_paths = routes.site_root_paths
        child._cached_parent_obj = parent
        child = parent


def page_model(entry: PageEntry):
    """The entry's page class (content types are cached by Django after their first load)."""
    return ContentType.objects.get_for_id(entry.content_type_id).model_class()


def serve_page(request: HttpRequest, path: str) -> HttpResponse:
    """A page of the catalogue found in the map, else Wagtail's routing."""
    routes = route_map(request)
    site = site_for(routes, request)
    entry = routes.pages.get(site.root_in(get_language()) + path) if site else None
    model = page_model(entry) if entry else None
    if model is None or not getattr(model, "served_by_route_map", False):
        return wagtail_serve(request, path)
    if hasattr(model, "for_route_map"):  # what the page shows of its children, from the map
        queryset = model.for_route_map(routes.children.get(entry.url_path, ()))
    else:
        queryset = model.objects.all()
    page = load_live_page(entry, queryset, routes, site, request)
    if page is None:
        return wagtail_serve(request, path)
    # A routable page (an e-form's start page) is served by the route at its own URL, as Wagtail would.
    route_args = page.route(request, []).args if isinstance(page, RoutablePageMixin) else ()
    return serve_found_page(page, request, route_args, {})


def serve_found_page(page, request: HttpRequest, args, kwargs) -> HttpResponse:
    """Serve a page as Wagtail's `serve` view does once routed: its hooks (but the restriction check), then `serve`."""
    on_serve_chain = serve_chain
    for hook in reversed(hooks.get_hooks("on_serve_page")):
        if hook is not check_view_restrictions:  # a page from the map has no view restriction
            on_serve_chain = hook(on_serve_chain)
    for hook in hooks.get_hooks("before_serve_page"):
        result = hook(page, request, args, kwargs)
        if isinstance(result, HttpResponse):
            return result
    return on_serve_chain(page, request, args, kwargs)


def connect() -> None:
    """Replace the generation whenever what the map holds may change."""
    page_signals = {
        "published": page_published,
        "unpublished": page_unpublished,
        "slug-changed": page_slug_changed,
        "moved": post_page_move,
    }
    for name, signal in page_signals.items():
        signal.connect(bump_generation, dispatch_uid=f"page-routes-{name}")
    for model in (Page, Site, PageViewRestriction):
        post_delete.connect(bump_generation, sender=model, dispatch_uid=f"page-routes-delete-{model.__name__}")
    for model in (Site, PageViewRestriction):
        post_save.connect(bump_generation, sender=model, dispatch_uid=f"page-routes-save-{model.__name__}")
