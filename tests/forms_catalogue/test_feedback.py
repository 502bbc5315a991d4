"""'How was this service?' after submitting: once per journey, stored without the request, CSRF, no 500 on bad input."""

import pytest
from django.test import Client
from django.utils import timezone

from forms_catalogue.models import ServiceFeedback

from .demo_answers import DEMO_ANSWERS
from .journey_helpers import assert_field_error, soup

SLUG = "report-missed-bin"
COMMENT = "The map step was hard to use"

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(journey):
    """A journey sent in the test client's session: (journey, request, confirmation page)."""
    citizen = journey(SLUG)
    service_request, confirmation = citizen.send(DEMO_ANSWERS[SLUG])
    return citizen, service_request, confirmation


def feedback_url(citizen) -> str:
    return f"{citizen.base}confirmation/feedback/"


def test_the_confirmation_page_offers_feedback(sent):
    citizen, _request, confirmation = sent
    link = soup(confirmation).find("a", string="What did you think of this service?")
    assert link["href"] == feedback_url(citizen)


def test_feedback_is_stored_without_anything_that_links_it_to_the_request(client, sent):
    citizen, service_request, _confirmation = sent
    page = client.get(feedback_url(citizen))
    assert page.status_code == 200 and page["Cache-Control"].startswith("max-age=0")
    assert [radio["value"] for radio in soup(page).select("input[name=rating]")] == ["5", "4", "3", "2", "1"]

    response = client.post(feedback_url(citizen), {"rating": "4", "comment": f"  {COMMENT}  "})
    assert response.status_code == 302 and response["Location"] == feedback_url(citizen)
    thanks = client.get(feedback_url(citizen))
    assert "Thank you for your feedback" in thanks.content.decode()

    stored = ServiceFeedback.objects.get()
    assert (stored.page_id, stored.version_id, stored.day, stored.rating, stored.comment) == (
        citizen.page.pk,
        service_request.form_version_id,
        timezone.localdate(),
        4,
        COMMENT,
    )
    columns = {field.name for field in ServiceFeedback._meta.get_fields()}
    assert columns == {"id", "page", "version", "day", "rating", "comment"}  # no reference, session, address or time
    assert service_request.reference not in str(stored.__dict__)


def test_a_resent_feedback_form_is_counted_once(client, sent):
    citizen, _request, _confirmation = sent
    for _ in range(3):
        response = client.post(feedback_url(citizen), {"rating": "5"})
        assert response.status_code in (200, 302)
    assert ServiceFeedback.objects.count() == 1


def test_only_the_session_that_sent_the_journey_can_give_its_feedback(sent):
    citizen, _request, _confirmation = sent
    stranger = Client()
    assert stranger.get(feedback_url(citizen))["Location"] == citizen.page.url
    assert stranger.post(feedback_url(citizen), {"rating": "1"}).status_code == 302
    assert not ServiceFeedback.objects.exists()


def test_the_feedback_form_needs_its_csrf_token(sent):
    citizen, _request, _confirmation = sent
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = citizen.client.cookies
    assert strict.post(feedback_url(citizen), {"rating": "5"}).status_code == 403
    assert not ServiceFeedback.objects.exists()


@pytest.mark.parametrize(
    ("data", "field_id", "message"),
    [
        ({}, "id_rating_0", "Select how you feel about this service"),
        ({"rating": "7"}, "id_rating_0", "Select how you feel about this service"),
        ({"rating": "very"}, "id_rating_0", "Select how you feel about this service"),
        (
            {"rating": "3", "comment": "x" * 1201},
            "id_comment",
            "How could we improve this service must be 1200 characters or fewer",
        ),
        (
            {"rating": "3", "comment": "nul\x00byte"},
            "id_comment",
            "How could we improve this service must not contain null characters",
        ),
    ],
)
def test_bad_feedback_gets_a_clear_error_and_is_not_stored(client, sent, data, field_id, message):
    citizen, _request, _confirmation = sent
    response = client.post(feedback_url(citizen), data)
    assert_field_error(response, field_id, message)
    assert not ServiceFeedback.objects.exists()


def test_what_was_typed_is_kept_and_escaped_when_the_form_is_shown_again(client, sent):
    citizen, _request, _confirmation = sent
    response = client.post(feedback_url(citizen), {"comment": "<b>bold</b>"})
    html = response.content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;</textarea>" in html and "<b>bold</b>" not in html
