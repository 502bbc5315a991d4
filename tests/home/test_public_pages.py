"""The public site: pages, search, the A to Z of services, error pages, health check, robots and sitemap."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from home.models import CategoryPage, OnlineStatus, ServicePage
from home.views import WELSH_ALPHABET, initial
from portal.page_cache import HIT_HEADER, bump_generation

from .factories import make_category, make_services

pytestmark = pytest.mark.django_db


def test_home_page_shows_search_categories_and_popular_services(client, council_name):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert council_name in html
    assert 'role="search"' in html
    assert html.count('class="govuk-grid-column-one-third govuk-!-margin-bottom-6"') == 17
    assert "Most used services" in html
    assert "Skip to main content" in html
    assert "govuk-phase-banner" in html
    assert "GDS Transport" not in html and "govuk-crown" not in html


def test_home_page_links_to_track_a_request(client):
    """Someone who has already sent a request finds "Track a request" from the home page."""
    html = client.get("/").content.decode()
    assert f'href="{reverse("backoffice:track")}">Track a request</a>' in html


def test_category_page_lists_its_services(client):
    category = CategoryPage.objects.get(title="Bins and recycling")
    response = client.get(category.url)
    html = response.content.decode()
    assert response.status_code == 200
    for service in ServicePage.objects.child_of(category):
        assert service.title in html
    assert "govuk-breadcrumbs" in html


def test_service_page_explains_the_service(client):
    (page,) = make_services(
        make_category("Offline", "offline"),
        1,
        eligibility="Anyone who lives in the borough.",
        what_you_need="<ul><li>your address</li></ul>",
        how_long="About 5 minutes.",
        what_happens_next="We reply within 10 working days.",
    )
    assert page.online_status == OnlineStatus.OFFLINE
    html = client.get(page.url).content.decode()
    for heading in ("Who can use this service", "What you need", "How long it takes", "What happens next"):
        assert heading in html
    assert page.department.phone in html
    assert "You cannot do this online yet" in html


def test_service_with_an_eform_starts_it(client):
    page = ServicePage.objects.get(slug="report-missed-bin")
    html = client.get(page.url).content.decode()
    assert page.online_status == OnlineStatus.ONLINE_FORM
    assert "govuk-button--start" in html and page.live_eform().url in html


def test_service_done_elsewhere_has_a_start_button(client):
    page = ServicePage.objects.exclude(external_url="").first()
    html = client.get(page.url).content.decode()
    assert "govuk-button--start" in html and page.external_url in html


@pytest.mark.parametrize(
    ("query", "expected_slug_words"),
    [
        ("rubbish", ["bin"]),
        ("bin", ["bin"]),
        ("pothole", ["pothole"]),
        ("parking permit", ["parking-permit"]),
    ],
)
def test_search_finds_the_right_services(client, query, expected_slug_words):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    results = list(response.context["page_obj"])
    assert results, f"no results for {query!r}"
    top = results[0]
    assert any(word in top.slug for word in expected_slug_words), [r.slug for r in results[:5]]


def test_rubbish_finds_the_missed_bin_service(client):
    results = list(client.get("/search/", {"q": "rubbish"}).context["page_obj"])
    assert any("missed-bin" in page.slug for page in results)


@pytest.mark.parametrize(
    "query",
    [
        "x" * 10_000,
        "'; DROP TABLE wagtailcore_page; --",
        '"unbalanced',
        "AND OR NOT",
        "*",
        "bin\x00\x01",
        "((()))",
        "ü 🗑️ 日本",
    ],
)
def test_odd_search_queries_give_a_normal_page(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert b"Search council services" in response.content


def test_unknown_url_gives_the_styled_404(client, council_name):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert council_name.encode() in response.content


def test_server_error_page_is_styled(rf, council_name):
    from home.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.content


def test_health_check(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_robots_and_sitemap(client):
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in robots and "Sitemap: http://testserver/sitemap.xml" in robots
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200
    assert sitemap.content.count(b"<url>") >= 96 + 17 + 1


def _query_count(client, url: str) -> int:
    """Queries of rendering a page (not served from the page cache), after a first request has
    warmed per-process caches (the Site, ...)."""
    client.get(url)
    bump_generation()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200 and response.get(HIT_HEADER) != "hit"
    return len(queries)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # Each catalogue page is found in the map of pages and loaded in one query that also checks
        # it is live with no view restriction (portal.page_routes); breadcrumbs come from the map.
        ("/", 4),  # the home page, view restrictions (for both lists), categories, popular services
        ("/bins-and-recycling/", 3),  # the category, view restrictions, its services
        ("/bins-and-recycling/report-missed-bin/", 1),  # the service with its department and live e-form
        ("/accessibility-statement/", 1),  # the page
        ("/services/a-z/", 3),
        ("/online-services/", 8),
    ],
)
def test_uncached_pages_take_few_queries(client, url, expected):
    assert _query_count(client, url) == expected


def test_query_counts_do_not_grow_with_the_catalogue(client):
    """Home, category and service pages use the same number of queries with 100 and 1,000 services."""
    category = make_category("Growing", "growing")
    services = make_services(category, 100, popular=True)

    def measure():
        client.get(category.url)  # warm per-process caches such as the site root
        return [_query_count(client, url) for url in ("/", category.url, services[0].url)]

    with_100 = measure()
    extra = make_services(category, 900, popular=True, slug_start=100)
    with_1000 = measure()
    assert len(services) + len(extra) == 1000
    assert with_100 == with_1000


def test_phase_banner_is_inside_the_header_landmark(client):
    html = client.get("/").content.decode()
    header_start, header_end = html.index("<header"), html.index("</header>")
    assert header_start < html.index('class="govuk-phase-banner') < header_end


def test_back_link_is_in_a_navigation_landmark(client):
    eform = ServicePage.objects.get(slug="report-missed-bin").live_eform()
    html = client.get(eform.url + "start/", follow=True).content.decode()
    nav_start = html.index('<nav aria-label="Back">')
    assert nav_start < html.index('class="govuk-back-link"') < html.index("</nav>", nav_start) < html.index("<main")


def test_a_page_without_a_back_link_has_no_empty_landmark(client):
    html = client.get("/").content.decode()
    assert 'aria-label="Back"' not in html and "<nav></nav>" not in html


A_TO_Z = "/services/a-z/"


def test_a_to_z_lists_every_live_service_under_its_letter(client):
    html = client.get(A_TO_Z).content.decode()
    services = ServicePage.objects.live()
    assert services.count() == 96
    for service in services:
        heading = html.index(f'id="letter-{initial(service.title).lower()}"')
        link = html.index(f'href="{service.url}"')
        next_heading = html.find('<h2 class="govuk-heading-l council-a-to-z__heading"', heading + 1)
        assert heading < link and (next_heading == -1 or link < next_heading), service.title
        assert escape(service.summary) in html
    assert html.count('class="council-card-list__item"') == 96


def test_a_to_z_links_each_letter_with_services_and_no_other(client):
    html = client.get(A_TO_Z).content.decode()
    initials = {initial(title) for title in ServicePage.objects.live().values_list("title", flat=True)}
    linked = set(re.findall(r'href="#letter-([a-z]+)"', html))
    assert linked == {letter.lower() for letter in initials}
    for letter in linked:
        assert f'id="letter-{letter}"' in html


def test_a_to_z_tags_the_services_done_online(client):
    html = client.get(A_TO_Z).content.decode()
    online_statuses = [OnlineStatus.ONLINE_FORM, OnlineStatus.ONLINE_ELSEWHERE]
    online = ServicePage.objects.live().filter(online_status__in=online_statuses)
    assert online.exists()
    assert html.count("council-status-tag") == online.count()


def test_a_to_z_leaves_out_draft_services(client):
    service = ServicePage.objects.live().first()
    service.unpublish()
    assert f'href="{service.url}"' not in client.get(A_TO_Z).content.decode()


@pytest.mark.parametrize(
    ("title", "letter"), [("Apply", "A"), ("bins", "B"), ("École fees", "E"), ("24-hour line", "other"), ("", "other")]
)
def test_a_to_z_initial(title, letter):
    assert initial(title) == letter


@pytest.mark.parametrize(
    ("title", "letter"),
    [("Llyfrgelloedd", "LL"), ("Chwaraeon", "CH"), ("Rhoi gwybod", "RH"), ("Treth gyngor", "T"), ("Zebra", "other")],
)
def test_the_welsh_a_to_z_has_the_welsh_alphabets_letters(title, letter):
    assert initial(title, WELSH_ALPHABET) == letter
    assert initial(title) == title[:1].upper()  # in English, one letter


def test_a_to_z_query_count_does_not_grow_with_the_services(client):
    category = make_category("Growing", "growing")
    make_services(category, 10)
    with_10 = _query_count(client, A_TO_Z)
    make_services(category, 30, slug_start=10)
    assert _query_count(client, A_TO_Z) == with_10


def test_footer_links_to_the_a_to_z_not_the_xml_sitemap(client):
    html = client.get("/").content.decode()
    assert f'<a class="govuk-footer__link" href="{A_TO_Z}">A to Z of services</a>' in html
    assert 'href="/sitemap.xml"' not in html
    assert client.get("/sitemap.xml").status_code == 200
