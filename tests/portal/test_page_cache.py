"""The full-page cache of anonymous catalogue pages (portal/page_cache.py), on the real cache and database."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from backoffice.models import Queue
from home.models import CategoryPage, InformationPage, ServicePage
from portal.page_cache import HIT_HEADER

pytestmark = [pytest.mark.django_db, pytest.mark.engine_neutral]  # see tests/conftest.py

MISSED_BIN = "report-missed-bin"


def catalogue_urls() -> dict[str, str]:
    """One page of each kind that is cached."""
    return {
        "home": "/",
        "category": CategoryPage.objects.get(slug="bins-and-recycling").url,
        "service": ServicePage.objects.get(slug=MISSED_BIN).url,
        "information": InformationPage.objects.first().url,
        "a to z": "/services/a-z/",
        "coverage": "/online-services/",
    }


def get_counting_queries(client: Client, url: str, **headers):
    """A GET and the number of SQL queries it made."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries)


def assert_public(response, max_age: int = 60) -> None:
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {"public", f"max-age={max_age}"}
    assert "Cookie" in response["Vary"]


@pytest.mark.parametrize("kind", ["home", "category", "service", "information", "a to z", "coverage"])
def test_a_second_anonymous_get_costs_no_query_and_gives_the_same_page(client, kind):
    url = catalogue_urls()[kind]
    first, first_queries = get_counting_queries(client, url)
    second, second_queries = get_counting_queries(Client(), url)

    assert first.status_code == second.status_code == 200
    assert first[HIT_HEADER] == "miss" and first_queries > 0
    assert second[HIT_HEADER] == "hit" and second_queries == 0
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"] == "text/html; charset=utf-8"
    assert_public(first)
    assert_public(second)


def test_max_age_follows_the_setting(client, settings):
    settings.PAGE_CACHE_MAX_AGE = 120
    client.get("/")
    assert_public(client.get("/"), max_age=120)


def test_the_query_string_is_normalised(client):
    client.get("/services/a-z/?b=2&a=1")
    for same in ("/services/a-z/?a=1&b=2", "/services/a-z/?a=1&b=2&utm_source=leaflet&c="):
        assert client.get(same)[HIT_HEADER] == "hit"
    assert client.get("/services/a-z/?a=3")[HIT_HEADER] == "miss"


def test_another_host_has_its_own_entry(client):
    client.get("/")
    assert client.get("/", HTTP_HOST="other.example.gov.uk")[HIT_HEADER] == "miss"


def test_head_is_served_from_the_cache(client):
    url = catalogue_urls()["service"]
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.head(url)
    assert response.status_code == 200 and response.content == b""
    assert response[HIT_HEADER] == "hit" and len(queries) == 0


def test_head_alone_does_not_fill_the_cache(client):
    assert_public(client.head("/"))
    assert client.get("/")[HIT_HEADER] == "miss"


def test_if_none_match_gives_not_modified(client):
    etag = client.get("/")["ETag"]
    response = client.get("/", headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.content == b""
    assert response["ETag"] == etag
    assert_public(response)


def test_signed_in_users_are_never_served_nor_fill_the_cache(client, admin_client):
    service = ServicePage.objects.get(slug=MISSED_BIN)
    # A signed-in user's request leaves nothing behind for anonymous visitors.
    signed_in = admin_client.get(service.url)
    assert signed_in.status_code == 200 and HIT_HEADER not in signed_in
    assert "private" in signed_in["Cache-Control"] and "public" not in signed_in["Cache-Control"]
    assert client.get(service.url)[HIT_HEADER] == "miss"
    assert client.get(service.url)[HIT_HEADER] == "hit"
    # A change that sends no signal: the cached copy still has the old title, a signed-in user sees the new one.
    ServicePage.objects.filter(pk=service.pk).update(title="Renamed without a signal")
    assert b"Renamed without a signal" not in client.get(service.url).content
    signed_in, queries = get_counting_queries(admin_client, service.url)
    assert b"Renamed without a signal" in signed_in.content and queries > 0


def test_any_session_cookie_bypasses_the_cache(client):
    client.get("/")
    client.cookies["sessionid"] = "any-session"
    response, queries = get_counting_queries(client, "/")
    assert HIT_HEADER not in response and queries > 0


@pytest.mark.urls("tests.portal.page_cache_urls")
@pytest.mark.parametrize("url", ["/test-post-form/", "/test-cookie/"])
def test_a_page_with_a_csrf_token_or_a_cookie_is_never_stored(client, url):
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200 and response.cookies
        assert HIT_HEADER not in response
        assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}


def test_a_password_protected_page_is_never_stored(client):
    service = ServicePage.objects.get(slug=MISSED_BIN)
    restriction = PageViewRestriction.objects.create(
        page=service, restriction_type=PageViewRestriction.PASSWORD, password="letmein"
    )
    form = client.get(service.url)
    assert b"letmein" not in form.content and HIT_HEADER not in form and form.cookies  # the password form
    visitor = Client()
    visitor.post(
        f"/_util/authenticate_with_password/{restriction.pk}/{service.pk}/",
        {"password": "letmein", "return_url": service.url},
    )
    unlocked = visitor.get(service.url)
    assert service.summary.encode() in unlocked.content and HIT_HEADER not in unlocked
    stranger = Client().get(service.url)
    assert service.summary.encode() not in stranger.content and HIT_HEADER not in stranger


@pytest.mark.parametrize("url", ["/search/?q=bin", "/track/", "/healthz", "/api/v2/pages/"])
def test_journeys_tracking_search_health_and_api_are_not_cached(client, url):
    client.get(url)
    response = client.get(url)
    assert response.status_code == 200 and HIT_HEADER not in response
    assert "public" not in response.get("Cache-Control", "")


def test_an_eform_journey_is_not_cached(client):
    eform = ServicePage.objects.get(slug=MISSED_BIN).live_eform()
    for url in (eform.url, eform.url + "start/"):
        client.get(url)
        response = Client().get(url, follow=True)
        assert HIT_HEADER not in response and "public" not in response.get("Cache-Control", "")


def test_an_unknown_page_is_not_stored(client):
    client.get("/no/such/page/")
    response = client.get("/no/such/page/")
    assert response.status_code == 404 and HIT_HEADER not in response
    assert "private" in response["Cache-Control"]


def prime(client: Client, url: str) -> bytes:
    """Fill the cache with a page and check the next request is a hit."""
    client.get(url)
    response = client.get(url)
    assert response[HIT_HEADER] == "hit"
    return response.content


def test_publishing_a_change_shows_on_the_next_request(client):
    service = ServicePage.objects.get(slug=MISSED_BIN)
    category_url = service.get_parent().url
    prime(client, service.url), prime(client, category_url)
    service.summary = "A new summary, just published"
    service.save_revision().publish()
    assert b"A new summary, just published" in client.get(service.url).content
    assert b"A new summary, just published" in client.get(category_url).content


def test_unpublishing_a_service_takes_it_off_every_list(client):
    service = ServicePage.objects.get(slug=MISSED_BIN)
    urls = [service.get_parent().url, "/services/a-z/", "/online-services/"]
    for url in urls:
        assert f'href="{service.url}"'.encode() in prime(client, url)
    service.unpublish()
    for url in urls:
        assert f'href="{service.url}"'.encode() not in client.get(url).content
    assert client.get(service.url).status_code == 404


def test_moving_a_service_shows_in_both_categories(client):
    service = ServicePage.objects.get(slug=MISSED_BIN)
    old_category = service.get_parent()
    new_category = CategoryPage.objects.exclude(pk=old_category.pk).first()
    old_html, new_html = prime(client, old_category.url), prime(client, new_category.url)
    assert service.title.encode() in old_html and service.title.encode() not in new_html
    service.move(new_category, pos="last-child")
    assert service.title.encode() not in client.get(old_category.url).content
    assert service.title.encode() in client.get(new_category.url).content


def test_deleting_a_service_takes_it_off_its_category(client):
    service = ServicePage.objects.get(slug=MISSED_BIN)
    category_url, service_url = service.get_parent().url, service.url
    prime(client, category_url), prime(client, service_url)
    service.delete()
    assert service.title.encode() not in client.get(category_url).content
    assert client.get(service_url).status_code == 404


def test_a_form_going_offline_and_live_changes_the_call_to_action(client):
    service = ServicePage.objects.get(slug=MISSED_BIN)
    eform = service.live_eform()
    start = f'href="{eform.url}start/"'.encode()
    assert start in prime(client, service.url)
    eform.unpublish()
    assert start not in client.get(service.url).content
    prime(client, service.url)
    eform.get_latest_revision().publish()
    assert start in client.get(service.url).content


def test_a_department_edit_changes_its_services_contact_details(client):
    service = ServicePage.objects.filter(phone="", online_status="online_form").select_related("department").first()
    prime(client, service.url)
    department = service.department
    department.phone = "01632 960123"
    department.save()
    assert b"01632 960123" in client.get(service.url).content


def test_a_department_losing_its_queue_changes_the_coverage_page(client):
    """A form whose requests reach no queue does not count as online (insights.coverage)."""
    service = ServicePage.objects.get(slug=MISSED_BIN)
    link = f'href="{service.url}"'.encode()
    assert link in prime(client, "/online-services/")
    Queue.objects.filter(department=service.department).delete()
    assert link not in client.get("/online-services/").content


def test_a_release_retires_the_pages_of_the_previous_one(client):
    """`migrate` runs on every release (the Procfile's release step): its post_migrate signal bumps the generation."""
    from django.apps import apps
    from django.db.models.signals import post_migrate

    prime(client, "/")
    config = apps.get_app_config("portal")
    post_migrate.send(
        sender=config, app_config=config, verbosity=0, interactive=False, using="default", apps=apps, plan=[]
    )
    assert client.get("/")[HIT_HEADER] == "miss"
