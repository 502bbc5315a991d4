"""Acceptance: the journey's state cannot be broken by URLs, tampered forms, resent POSTs, tabs or new versions."""

import pytest
from django.test import Client

from backoffice.models import ServiceRequest

from .demo_answers import DEMO_ANSWERS, answers_for
from .journey_helpers import CHECK, PageForm, form_page, input_values, page_problems, requests_for, soup

pytestmark = pytest.mark.django_db

SLUG = "order-a-bin"
PAGE_CHANGED = "This page was changed or has expired. Check your answers and try again."


# --- the management form ------------------------------------------------------------------


TAMPERED = {
    "missing": lambda hidden, name: {key: value for key, value in hidden.items() if key != name},
    "another step": lambda hidden, name: {**hidden, name: "contact"},
    "empty": lambda hidden, name: {**hidden, name: ""},
    "huge": lambda hidden, name: {**hidden, name: "x" * 10_000},
    "another prefix": lambda hidden, name: (
        {key: value for key, value in hidden.items() if key != name} | {"wizard_x-current_step": "where"}
    ),
}


def test_a_tampered_management_form_shows_the_step_again(journey):
    citizen = journey(SLUG)
    form = PageForm.read(citizen.show())
    management = next(name for name in form.hidden if name.endswith("-current_step"))
    address = {f"where-delivery_address-{key}": value for key, value in DEMO_ANSWERS[SLUG]["delivery_address"].items()}

    for case, tamper in TAMPERED.items():
        response = citizen.post({**tamper(form.hidden, management), **address})

        assert response.status_code == 200, case
        assert page_problems(response) == [PAGE_CHANGED], case
        assert soup(response).title.get_text().strip().startswith("Error:"), case
        assert PageForm.read(response).hidden[management] == "where", "the page can be sent again as it is"
        assert citizen.open("which_bin")["Location"] == citizen.url_of("where"), f"{case}: something was stored"
    assert citizen.answer(DEMO_ANSWERS[SLUG])["Location"] == citizen.url_of("which_bin")


def test_formtools_goto_step_cannot_skip_ahead(journey):
    citizen = journey(SLUG)
    form = PageForm.read(citizen.show())

    response = citizen.post({**form.hidden, "wizard_goto_step": CHECK})

    assert response.status_code == 200
    assert citizen.open(CHECK)["Location"] == citizen.url_of("where")


# --- steps out of order -------------------------------------------------------------------


def test_a_later_step_cannot_be_posted_or_opened_by_its_url(journey):
    answers = DEMO_ANSWERS[SLUG]
    citizen = journey(SLUG)
    hidden = PageForm.read(citizen.show()).hidden
    management = next(name for name in hidden if name.endswith("-current_step"))
    valid_later_answers = {
        "contact-name-first_name": "Sam",
        "contact-name-last_name": "Okafor",
        "contact-email": answers["email"],
        "which_bin-bin_type": "general",
        "which_bin-reason": "lost_stolen",
        f"{CHECK}-confirm": "on",
    }

    for target in ["contact", "which_bin", "damage", CHECK, "no-such-step", "done", "where-2"]:
        posted = citizen.client.post(citizen.url_of(target), {**hidden, management: target, **valid_later_answers})
        opened = citizen.client.get(citizen.url_of(target))

        assert posted.status_code == opened.status_code == 302, target
        assert posted["Location"] == opened["Location"] == citizen.url_of("where"), target
    assert not requests_for(citizen.page).exists()
    citizen.complete(answers, until="which_bin")
    assert input_values(citizen.response) == {}, "nothing posted out of order was kept"


def test_check_your_answers_cannot_be_reached_or_sent_before_every_step_is_answered(journey):
    citizen = journey(SLUG).complete(DEMO_ANSWERS[SLUG], until="contact")

    opened = citizen.client.get(citizen.url_of(CHECK))
    sent = citizen.client.post(citizen.url_of(CHECK), {f"{CHECK}-confirm": "on"})

    assert opened["Location"] == sent["Location"] == citizen.url_of("contact")
    assert not requests_for(citizen.page).exists()


def test_a_wrong_post_of_an_answered_step_keeps_what_was_stored(journey):
    answers = DEMO_ANSWERS[SLUG]
    citizen = journey(SLUG).complete(answers)

    response = citizen.answer(
        {"delivery_address": {"line1": "", "line2": "", "town": "", "postcode": ""}}, step="where"
    )

    assert response.status_code == 200
    assert citizen.client.get(citizen.url_of(CHECK)).status_code == 200
    service_request, _ = citizen.send(answers)
    assert service_request.answers == answers


# --- resent and repeated requests ---------------------------------------------------------


def test_a_resent_final_post_creates_one_request_and_shows_the_same_reference(journey):
    citizen = journey(SLUG).complete(DEMO_ANSWERS[SLUG])
    final_post = {**PageForm.read(citizen.response).hidden, f"{CHECK}-confirm": "on"}
    service_request, confirmation = citizen.send(DEMO_ANSWERS[SLUG])

    again = citizen.client.post(citizen.url_of(CHECK), final_post)
    twice = citizen.client.post(citizen.url_of(CHECK), final_post)

    assert again["Location"] == twice["Location"] == f"{citizen.base}confirmation/"
    assert requests_for(citizen.page).count() == 1
    page = citizen.client.get(again["Location"])
    assert soup(page).select_one("[data-reference]").get_text(strip=True) == service_request.display_reference
    assert citizen.client.get(citizen.url_of("where"))["Location"] == f"{citizen.base}confirmation/"


def test_the_confirmation_is_only_shown_to_the_browser_that_sent_it(journey):
    citizen = journey(SLUG)
    service_request, _ = citizen.send(DEMO_ANSWERS[SLUG])

    other = Client().get(f"{citizen.base}confirmation/")

    assert other.status_code == 302
    assert other["Location"] == citizen.page.url
    assert service_request.display_reference not in other.content.decode()


def test_another_browser_cannot_use_a_journey_url(journey):
    citizen = journey(SLUG).complete(DEMO_ANSWERS[SLUG])
    stranger = Client()

    response = stranger.get(citizen.url_of(CHECK))
    posted = stranger.post(citizen.url_of(CHECK), {f"{CHECK}-confirm": "on"})

    assert response.status_code == posted.status_code == 200
    assert soup(response).h1.get_text(strip=True) == "Your session has ended"
    assert DEMO_ANSWERS[SLUG]["email"] not in response.content.decode()
    assert not requests_for(citizen.page).exists()


def test_an_unknown_journey_shows_the_session_ended_page(client):
    page = form_page(SLUG)

    response = client.get(f"{page.url}AAAAAAAAAAAAAAAA/where/")

    assert response.status_code == 200
    assert soup(response).h1.get_text(strip=True) == "Your session has ended"
    assert soup(response).select_one(f'a[href="{page.url}"]') is not None


def test_a_plain_get_never_wipes_progress(journey, client):
    answers = DEMO_ANSWERS[SLUG]
    citizen = journey(SLUG).complete(answers)
    page = citizen.page

    urls = [page.url, f"{page.url}start/", *[citizen.url_of(step) for step in ("where", "which_bin", "damage")]]
    assert [client.get(url).status_code for url in urls] == [200, 302, 200, 200, 200]
    assert client.get(citizen.url_of("where") + "?reset=1").status_code == 200

    assert input_values(citizen.show("where"))["where-delivery_address-line1"] == answers["delivery_address"]["line1"]
    assert citizen.show(CHECK).status_code == 200 and citizen.step == CHECK
    service_request, _ = citizen.send(answers)
    assert service_request.answers == answers


# --- journeys side by side ----------------------------------------------------------------


def test_two_journeys_on_one_form_in_one_browser_do_not_clash(journey):
    first_answers = answers_for(SLUG, reason="lost_stolen", damage_type=None, damaged_by_crew=None)
    second_answers = answers_for(SLUG, bin_type="food", email="other@example.com")
    first, second = journey(SLUG), journey(SLUG)
    assert first.journey_id != second.journey_id

    for _step in ("where", "which_bin"):  # taking turns, as with two tabs
        first.answer(first.answers_for_step(first_answers))
        second.answer(second.answers_for_step(second_answers))
    assert first.step == "contact" and second.step == "damage"

    second_request, _ = second.send(second_answers)
    first_request, _ = first.send(first_answers)
    assert first_request.answers == first_answers
    assert second_request.answers == second_answers
    assert first_request.reference != second_request.reference


def test_journeys_on_two_forms_in_one_browser_do_not_clash(journey):
    bin_answers = DEMO_ANSWERS[SLUG]
    garden_answers = DEMO_ANSWERS["garden-waste"]
    bins, garden = journey(SLUG), journey("garden-waste")

    bins.complete(bin_answers, until="which_bin")
    garden.complete(garden_answers, until="delivery")
    bins.complete(bin_answers)
    garden_request, _ = garden.send(garden_answers)
    bin_request, _ = bins.send(bin_answers)

    assert garden_request.answers == garden_answers and garden_request.form_page == garden.page
    assert bin_request.answers == bin_answers and bin_request.form_page == bins.page


# --- a new version published during a journey ---------------------------------------------


def publish_without_food_caddies(page):
    """The editor relabels the bin question and removes its "food" option, then publishes."""
    steps = page.steps.get_prep_value()
    question = next(q for step in steps for q in step["value"]["questions"] if q["value"]["question_id"] == "bin_type")
    question["value"]["label"] = "Which bin do you want?"
    question["value"]["options_list"] = [
        item for item in question["value"]["options_list"] if item["value"]["value"] != "food"
    ]
    page.steps = steps
    page.save_revision().publish()


def test_a_journey_finishes_on_the_version_it_started_on(journey):
    answers = answers_for(SLUG, bin_type="food")
    started = journey(SLUG).complete(answers, until="which_bin")
    old_version = started.page.current_version()

    publish_without_food_caddies(form_page(SLUG))

    new_version = form_page(SLUG).current_version()
    assert new_version != old_version
    later = journey(SLUG).complete(answers, until="which_bin")
    later_page = later.show().content.decode()
    assert "Which bin do you want?" in later_page
    assert "food" not in PageForm.read(later.response).options["which_bin-bin_type"]
    refused = later.post(
        {**PageForm.read(later.response).hidden, "which_bin-bin_type": "food", "which_bin-reason": "damaged"}
    )
    assert "Select an answer to “Which bin do you want?”" in page_problems(refused)

    assert "Which bin do you need?" in started.show().content.decode()
    service_request, confirmation = started.send(answers)
    assert service_request.form_version == old_version
    assert service_request.form_revision_id == old_version.revision_id != new_version.revision_id
    assert service_request.form_snapshot == old_version.snapshot
    assert service_request.answers["bin_type"] == "food"
    assert "Which bin do you need?" in confirmation.content.decode()
    assert not ServiceRequest.objects.filter(form_version=new_version).exists()


def test_the_journey_works_with_csrf_protection_on(journey):
    browser = Client(enforce_csrf_checks=True)
    citizen = journey(SLUG, browser)
    forged = browser.post(citizen.url, {"where-delivery_address-line1": "1 High St"})
    assert forged.status_code == 403

    service_request, _ = citizen.send(DEMO_ANSWERS[SLUG])

    assert service_request.answers == DEMO_ANSWERS[SLUG]
