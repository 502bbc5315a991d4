"""Journey requests served without Wagtail's page-tree walk: fixed query counts, the path map kept
in step with publishing, unpublishing and moving, and Wagtail's own routing wherever the map cannot answer."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from forms_catalogue.models import EFormPage
from home.models import ServicePage
from tests.home.factories import make_category, make_services

from .demo_answers import DEMO_ANSWERS
from .journey_helpers import form_page, input_values

SLUG = "report-missed-bin"
# A step GET: the session, and the form page by id. A step POST also writes the session back
# (its UPDATE between a savepoint and its release, inside the test's transaction) and, reaching a
# step for the first time without Redis, adds to the anonymous journey figures (one upsert).
STEP_GET_QUERIES = 2
STEP_POST_QUERIES = 6

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_routes(clear_cache):
    """No map or generation left in the cache by another test."""
    return clear_cache


def routed_by_wagtail(response) -> bool:
    """True when Wagtail's page routing ran for this request (it remembers its route on the request)."""
    return hasattr(response.wsgi_request, "_wagtail_route_for_request")


def session_writes(queries) -> list[str]:
    return [query["sql"] for query in queries if "django_session" in query["sql"] and "SELECT" not in query["sql"]]


def measured_step(journey) -> tuple[int, int]:
    """Queries of a GET and then of a valid POST of the journey's current step (each after a warm-up request)."""
    journey.show()
    with CaptureQueriesContext(connection) as get_queries:
        shown = journey.open()
    assert shown.status_code == 200 and not routed_by_wagtail(shown)
    with CaptureQueriesContext(connection) as post_queries:
        sent = journey.answer(journey.answers_for_step(DEMO_ANSWERS[SLUG]))
    assert sent.status_code == 302 and not routed_by_wagtail(sent)
    return len(get_queries), len(post_queries)


def test_a_step_takes_the_same_few_queries_whatever_the_size_of_the_site(journey):
    assert measured_step(journey(SLUG)) == (STEP_GET_QUERIES, STEP_POST_QUERIES)

    services = make_services(make_category("More services", "more-services"), 200)
    services[0].save_revision().publish()  # a publish: every node builds the map again, now 200 pages bigger

    assert measured_step(journey(SLUG)) == (STEP_GET_QUERIES, STEP_POST_QUERIES)


def test_showing_a_step_writes_nothing_to_the_session_and_sending_one_does(journey):
    citizen = journey(SLUG)
    citizen.show()
    with CaptureQueriesContext(connection) as shown:
        citizen.open()
    assert session_writes(shown) == []
    with CaptureQueriesContext(connection) as sent:
        citizen.answer(citizen.answers_for_step(DEMO_ANSWERS[SLUG]))
    assert len(session_writes(sent)) == 1


def test_unpublishing_a_form_closes_its_journeys_and_publishing_it_opens_them_again(journey):
    citizen = journey(SLUG)
    citizen.answer(citizen.answers_for_step(DEMO_ANSWERS[SLUG]))
    page = form_page(SLUG)

    page.unpublish()
    assert citizen.open().status_code == 404
    assert citizen.client.get(f"{page.url}start/").status_code == 404

    page.save_revision().publish()
    reopened = citizen.open()
    assert reopened.status_code == 200 and not routed_by_wagtail(reopened)


def test_a_moved_form_carries_on_its_journeys_at_its_new_url_and_its_old_url_is_gone(journey):
    citizen = journey(SLUG)
    first_step = citizen.step
    citizen.answer(citizen.answers_for_step(DEMO_ANSWERS[SLUG]))
    old_url = citizen.url
    page = form_page(SLUG)
    new_service = make_services(make_category("Elsewhere", "elsewhere"), 1)[0]

    page.move(new_service, pos="last-child")

    moved = EFormPage.objects.get(pk=page.pk)
    assert moved.url.startswith(new_service.url)
    assert citizen.client.get(old_url).status_code == 404
    citizen.page = moved
    carried_on = citizen.open(first_step)
    assert carried_on.status_code == 200 and not routed_by_wagtail(carried_on)
    assert input_values(carried_on)  # the answers given before the move are still there
    assert citizen.client.get(f"{moved.url}start/").status_code == 302


def test_a_service_renamed_on_publishing_moves_its_form_url(journey):
    citizen = journey(SLUG)
    step = citizen.step
    service = ServicePage.objects.get(slug=SLUG)
    service.slug = "missed-bin"
    service.save_revision().publish()

    citizen.page = EFormPage.objects.get(pk=citizen.page.pk)
    assert "/missed-bin/form/" in citizen.page.url
    assert citizen.client.get(citizen.url).status_code == 404  # the old URL
    renamed = citizen.open(step)
    assert renamed.status_code == 200 and not routed_by_wagtail(renamed)


def test_a_form_published_again_in_another_process_is_served_as_now_live(journey):
    """The form page a process keeps for its journeys is checked against the live revision on every request."""
    citizen = journey(SLUG)
    page = form_page(SLUG)
    page.title = "Tell us about a missed bin"
    revision = page.save_revision()
    # Published as another process would be seen from here: the new revision live, no signal heard.
    EFormPage.objects.filter(pk=page.pk).update(title=page.title, live_revision=revision)

    shown = citizen.open()
    assert shown.status_code == 200 and not routed_by_wagtail(shown)
    assert "Tell us about a missed bin" in shown.content.decode()


def test_a_form_behind_a_view_restriction_is_left_to_wagtail_which_asks_for_the_password(journey, client):
    page = form_page(SLUG)
    PageViewRestriction.objects.create(
        page=page.get_parent(), restriction_type=PageViewRestriction.PASSWORD, password="letmein"
    )

    response = client.get(f"{page.url}start/")

    assert response.status_code == 200 and routed_by_wagtail(response)
    assert 'name="password"' in response.content.decode()


def test_a_stale_map_never_serves_a_form_that_is_no_longer_live(journey):
    citizen = journey(SLUG)
    EFormPage.objects.filter(pk=citizen.page.pk).update(live=False)  # behind the signals' back

    assert citizen.open().status_code == 404


def test_a_stale_map_never_skips_a_view_restriction(journey):
    citizen = journey(SLUG)
    service = citizen.page.get_parent()
    # Behind the signals' back, as another worker with its own local-memory cache would see it.
    PageViewRestriction.objects.bulk_create(
        [PageViewRestriction(page=service, restriction_type=PageViewRestriction.PASSWORD, password="letmein")]
    )

    response = citizen.open()

    assert response.status_code == 200 and routed_by_wagtail(response)
    assert 'name="password"' in response.content.decode()


@pytest.mark.parametrize(
    ("slug", "url_name", "expected_queries"),
    [
        # …/report-missed-bin/form/ looks like "<journey id>/<step>/": the journey route, its kept page
        (SLUG, "journey", 1),
        # a shorter service slug: the catalogue's route (the page, then its service for the heading)
        ("stray-dog", "catalogue_page", 2),
    ],
)
def test_a_form_start_page_is_served_from_the_map_in_a_few_queries(client, slug, url_name, expected_queries):
    start_page = form_page(slug).url
    client.get(start_page)  # the map and the kept page, built once per process
    with CaptureQueriesContext(connection) as queries:
        response = client.get(start_page)
    assert response.status_code == 200 and not routed_by_wagtail(response)
    assert response.resolver_match.url_name == url_name
    assert "start/" in response.content.decode()
    assert len(queries) == expected_queries
