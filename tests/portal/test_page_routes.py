"""The map of pages: catalogue pages found without Wagtail's page-tree walk, the site chosen as
Wagtail would, and Wagtail's routing wherever the map cannot answer."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction

from home.models import ServicePage
from portal import page_routes
from portal.page_cache import bump_generation as retire_cached_pages

SERVICE = "/bins-and-recycling/report-missed-bin/"


def routed_by_wagtail(response) -> bool:
    """True when Wagtail's page routing ran for this request (it remembers its route on the request)."""
    return hasattr(response.wsgi_request, "_wagtail_route_for_request")


def fetched(client, url: str):
    """The page rendered afresh (not from the page cache)."""
    retire_cached_pages()
    return client.get(url)


@pytest.mark.django_db
def test_a_service_page_is_served_from_the_map_with_its_breadcrumbs(client, clear_cache):
    client.get(SERVICE)  # builds the map
    with CaptureQueriesContext(connection) as queries:
        response = fetched(client, SERVICE)
    assert response.status_code == 200 and not routed_by_wagtail(response)
    assert len(queries) == 1
    html = response.content.decode()
    assert 'href="/bins-and-recycling/">Bins and recycling</a>' in html  # the breadcrumb from the map
    assert 'href="/bins-and-recycling/report-missed-bin/form/start/"' in html  # its live e-form's start


@pytest.mark.django_db
def test_a_renamed_or_unpublished_page_is_seen_at_once(client, clear_cache):
    page = ServicePage.objects.get(url_path__endswith=SERVICE)
    assert fetched(client, SERVICE).status_code == 200

    page.title = "Report a bin we missed"
    page.save_revision().publish()
    assert "Report a bin we missed" in fetched(client, SERVICE).content.decode()

    page.slug = "missed-bin"
    page.save_revision().publish()
    assert fetched(client, SERVICE).status_code == 404
    assert fetched(client, "/bins-and-recycling/missed-bin/").status_code == 200

    page.unpublish()
    assert fetched(client, "/bins-and-recycling/missed-bin/").status_code == 404


@pytest.mark.django_db
def test_a_stale_map_entry_is_checked_against_the_database(client, clear_cache):
    """Another process may hold an older map: a page gone offline since is never served from it."""
    client.get(SERVICE)
    ServicePage.objects.filter(url_path__endswith=SERVICE).update(live=False)  # no signal: the map is stale
    response = fetched(client, SERVICE)
    assert response.status_code == 404 and routed_by_wagtail(response)


@pytest.mark.django_db
def test_a_restricted_page_goes_to_wagtail_which_asks_for_the_password(client, clear_cache):
    page = ServicePage.objects.get(url_path__endswith=SERVICE)
    client.get(SERVICE)
    PageViewRestriction.objects.create(page=page, restriction_type="password", password="letmein")
    response = fetched(client, SERVICE)
    assert response.status_code == 200 and routed_by_wagtail(response)
    assert 'name="password"' in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_path_gets_the_councils_404(client, clear_cache):
    response = fetched(client, "/bins-and-recycling/no-such-service/")
    assert response.status_code == 404 and routed_by_wagtail(response)


def site(hostname: str, port: int = 80, is_default: bool = False, root: str = "/home/") -> page_routes.SiteRoot:
    return page_routes.SiteRoot(hostname, port, is_default, root)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("portal.example.gov.uk", "/home/"),
        ("roads.example.gov.uk", "/roads/"),
        ("roads.example.gov.uk:8080", "/roads-8080/"),
        ("unknown.example", "/home/"),
    ],
)
def test_the_site_is_the_one_wagtail_would_pick(rf, host, expected):
    routes = page_routes.RouteMap(
        sites=(
            site("portal.example.gov.uk", is_default=True),
            site("roads.example.gov.uk", root="/roads/"),
            site("roads.example.gov.uk", 8080, root="/roads-8080/"),
        )
    )
    hostname, _, port = host.partition(":")
    request = rf.get("/", HTTP_HOST=host, SERVER_PORT=port or "80")
    assert page_routes.site_for(routes, request).root_url_path == expected


def test_no_site_for_an_unknown_host_without_a_default_site(rf):
    routes = page_routes.RouteMap(sites=(site("portal.example.gov.uk"),))
    assert page_routes.site_for(routes, rf.get("/", HTTP_HOST="other.example")) is None


@pytest.mark.django_db
def test_without_a_shared_cache_a_map_is_used_for_a_short_while_only(client, clear_cache, settings, monkeypatch):
    """Another process's publish is not heard of here: a title changed there shows once the map expires."""
    settings.ROUTE_MAP_TIMEOUT = 10
    page = ServicePage.objects.get(url_path__endswith=SERVICE)
    client.get(SERVICE)
    Page.objects.filter(pk=page.get_parent().pk).update(title="Bins, recycling and waste")  # as another process
    assert "Bins and recycling</a>" in fetched(client, SERVICE).content.decode()

    later = page_routes.time.monotonic() + 11
    monkeypatch.setattr(page_routes.time, "monotonic", lambda: later)
    cache_of_other_processes = page_routes.MAP_KEY.format(generation=page_routes.current_generation())
    page_routes.cache.delete(cache_of_other_processes)  # the shared copy expired too (same timeout)
    assert "Bins, recycling and waste</a>" in fetched(client, SERVICE).content.decode()


@pytest.mark.django_db
def test_a_service_page_from_the_map_offers_its_form_as_wagtails_routing_does(client, clear_cache):
    """The "Start now" of a service page comes from its live e-form among its children in the map."""
    from forms_catalogue.models import EFormPage

    start = 'href="/bins-and-recycling/report-missed-bin/form/start/"'
    assert start in fetched(client, SERVICE).content.decode()
    form = EFormPage.objects.get(url_path__endswith=f"{SERVICE}form/")
    form.unpublish()
    mapped = fetched(client, SERVICE)
    assert not routed_by_wagtail(mapped) and start not in mapped.content.decode()
    form.save_revision().publish()
    assert start in fetched(client, SERVICE).content.decode()
