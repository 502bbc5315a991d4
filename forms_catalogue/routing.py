"""Journey URLs of e-forms served without walking Wagtail's page tree.

Every request of a journey (`<form url>start/`, `<form url><journey id>/<step>/`, save,
confirmation, resume, remove) comes through one URL pattern placed before Wagtail's catch-all.
The e-form is found in the map of live pages without view restrictions (`portal.page_routes`),
kept in the process for its live revision (one short query checks it is still live at that path,
unrestricted, at that revision) and served by the
route of `EFormPage` Wagtail would have chosen, with Wagtail's page hooks. Anything the map does
not know (a form behind a view restriction, a path that is not an e-form's, a stale entry) goes
to Wagtail's own `serve`.

Frozen form versions are parsed once per process and per generation of the map (`pinned_version`);
a change of any form version starts a new generation.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language
from wagtail.views import serve as wagtail_serve

from portal import page_routes


def find_form(request: HttpRequest, path: str):
    """The live e-form whose URL is a prefix of `path` on the request's site, and the rest of the path."""
    from .models import EFormPage

    routes = page_routes.route_map(request)
    site = page_routes.site_for(routes, request)
    if site is None:
        return None, ""
    segments = path.strip("/").split("/")
    root = site.root_in(get_language())  # the site's root page in the URL's language
    for length in range(len(segments), 0, -1):  # the whole path too: a form whose service slug looks like a journey id
        entry = routes.pages.get(root + "".join(f"{segment}/" for segment in segments[:length]))
        if entry is not None and page_routes.page_model(entry) is EFormPage:
            page = page_routes.kept_live_page(entry, EFormPage.objects.all(), routes, site, request)
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
    return page_routes.serve_found_page(page, request, (match.func, match.args, match.kwargs), {})


def journey_body_limit(request: HttpRequest, path: str) -> int | None:
    """The largest body a journey request of this form may send (None when the map does not know the form)."""
    from .uploads import form_body_limit

    page, _rest = find_form(request, path)
    version = page.current_version() if page is not None else None
    return form_body_limit(version.definition()) if version is not None else None


serve_journey.body_limit = journey_body_limit  # read by portal.upload_limits.RequestBodyLimitMiddleware


def connect() -> None:
    """Start a new generation of the map whenever a form version changes (its parsed copies are kept per generation)."""
    from .models import FormVersion

    post_save.connect(page_routes.bump_generation, sender=FormVersion, dispatch_uid="eform-routes-save-FormVersion")
    post_delete.connect(page_routes.bump_generation, sender=FormVersion, dispatch_uid="eform-routes-delete-FormVersion")


# --- frozen versions -----------------------------------------------------------------------


def pinned_version(request: HttpRequest, page, version_id: int):
    """The frozen version (of this page) a journey started on: loaded and parsed once per process and generation."""
    from .models import FormVersion

    versions = page_routes.process_cache(request).setdefault("versions", {})
    version = versions.get(version_id)
    if version is None:
        version = FormVersion.objects.filter(pk=version_id).first()
        if version is None:
            return None
        versions[version_id] = version
    return version if version.page_id == page.pk else None
