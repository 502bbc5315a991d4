"""Limits on what bots and floods can do with e-forms: submissions, "save for later" emails, the honeypot."""

import pytest
from django.core import mail
from django.test import override_settings

from backoffice.models import ServiceRequest
from forms_catalogue.forms import HONEYPOT_FIELD
from forms_catalogue.models import SavedJourney

from .demo_answers import answers_for
from .journey_helpers import CHECK, PageForm, page_problems, soup

pytestmark = pytest.mark.django_db

SLUG = "report-missed-bin"
SAVE_SLUG = "report-fly-tipping"  # a form with "save and come back later"
HONEYPOT_PROBLEM = "We could not send this form. Try again, or contact us another way."


def at_check_answers(journey, slug: str = SLUG):
    citizen = journey(slug).complete(answers_for(slug))
    citizen.show(CHECK)
    return citizen


@override_settings(SUBMIT_RATE_LIMIT=(2, 600))
def test_submissions_over_the_limit_get_the_too_many_attempts_page_and_keep_their_answers(journey, clear_cache):
    for _ in range(2):
        at_check_answers(journey).send(answers_for(SLUG))
    blocked = at_check_answers(journey)
    before = ServiceRequest.objects.count()

    response = blocked.submit()

    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    page = soup(response)
    assert page.h1.get_text(strip=True) == "Sorry, there have been too many attempts"
    assert "Wait 10 minutes and try again." in page.get_text(" ")
    assert page.select_one(f"a[href='{blocked.url_of(CHECK)}']") is not None, "a way back to the answers"
    assert ServiceRequest.objects.count() == before
    assert blocked.show(CHECK).status_code == 200, "the journey is still there"


@override_settings(SUBMIT_RATE_LIMIT=(1, 600))
def test_the_submission_limit_is_per_address(journey, clear_cache):
    at_check_answers(journey).send(answers_for(SLUG))
    other = at_check_answers(journey)
    response = other.client.post(
        other.url_of(CHECK), {**form_fields(other), f"{CHECK}-confirm": "on"}, REMOTE_ADDR="198.51.100.44"
    )
    assert response.status_code == 302 and response["Location"].endswith("/confirmation/")


def form_fields(citizen) -> dict:
    form = PageForm.read(citizen.show(CHECK))
    return {**form.hidden, **form.values}


def save_page(journey):
    citizen = journey(SAVE_SLUG).complete(answers_for(SAVE_SLUG), until="witness")
    assert citizen.answer({}, save=True)["Location"] == f"{citizen.base}save/"
    return citizen


@override_settings(SAVE_RATE_LIMIT=(2, 3600), SAVE_EMAIL_RATE_LIMIT=(1, 3600))
def test_save_for_later_emails_are_limited_per_email_address_and_per_address(journey, clear_cache):
    citizen = save_page(journey)
    save_url = f"{citizen.base}save/"

    assert citizen.client.post(save_url, {"email": "one@example.com"}).status_code == 200
    again = citizen.client.post(save_url, {"email": "ONE@example.com"}, REMOTE_ADDR="198.51.100.2")
    assert again.status_code == 429, "the same address, another client"
    assert citizen.client.post(save_url, {"email": "two@example.com"}).status_code == 200
    refused = citizen.client.post(save_url, {"email": "three@example.com"})
    assert refused.status_code == 429, "a third save from one address"
    assert refused["Retry-After"] == "3600"
    assert "Sorry, there have been too many attempts" in refused.content.decode()
    assert sorted(message.to[0] for message in mail.outbox) == ["one@example.com", "two@example.com"]
    assert SavedJourney.objects.count() == 2


def test_a_filled_honeypot_sends_nothing_and_says_so(journey, clear_cache):
    citizen = at_check_answers(journey)
    before = ServiceRequest.objects.count()

    response = citizen.answer(
        {}, step=CHECK, extra={f"{CHECK}-confirm": "on", f"{CHECK}-{HONEYPOT_FIELD}": "http://spam.example"}
    )

    assert response.status_code == 200
    assert page_problems(response) == [HONEYPOT_PROBLEM]
    assert ServiceRequest.objects.count() == before
    # The person (who never sees the box) sends with it empty, as the page has it.
    assert citizen.submit().status_code == 302
    assert ServiceRequest.objects.count() == before + 1


def test_a_filled_honeypot_on_save_for_later_sends_no_email(journey, clear_cache):
    citizen = save_page(journey)
    response = citizen.client.post(f"{citizen.base}save/", {"email": "bot@example.com", HONEYPOT_FIELD: "x"})
    assert response.status_code == 200
    assert page_problems(response) == [HONEYPOT_PROBLEM]
    assert mail.outbox == [] and not SavedJourney.objects.exists()


@pytest.mark.parametrize("url_step", [CHECK, "save"])
def test_the_honeypot_is_hidden_from_everyone_and_from_autofill(journey, url_step):
    citizen = at_check_answers(journey, SAVE_SLUG) if url_step == CHECK else save_page(journey)
    page = soup(citizen.client.get(citizen.url_of(url_step)))

    box = page.select_one(f"input[name$='{HONEYPOT_FIELD}']")
    wrapper = box.parent
    assert wrapper.has_attr("hidden") and wrapper["aria-hidden"] == "true"
    assert box["tabindex"] == "-1" and box["autocomplete"] == "off" and box["value"] == ""
    assert not any(word in box["name"] for word in ("name", "mail", "address", "phone", "tel", "url", "company"))
