"""Acceptance: "add another" steps (the housing register's household) without JavaScript."""

import pytest

from .demo_answers import answers_for, person
from .journey_helpers import (
    CHECK,
    PageForm,
    assert_field_error,
    error_summary,
    input_values,
    page_problems,
    section_titles,
    sections,
    soup,
)

pytestmark = pytest.mark.django_db

SLUG = "housing-register"
PEOPLE = [
    person("Ada", "1987-11-02", "partner"),
    person("Ben", "2015-01-20", "child"),
    person("Cal", "2017-06-30", "child"),
    person("Dee", "1950-02-14", "parent"),
    person("Eve", "1990-08-08", "sibling"),
    person("Fin", "2020-12-01", "grandchild"),
]


def remove_links(response) -> dict[str, str]:
    """The Remove links of check your answers, by the section they remove."""
    links = {}
    for link in soup(response).select("form a.govuk-link"):
        if link.get_text(" ", strip=True).startswith("Remove"):
            links[link.select_one(".govuk-visually-hidden").get_text(strip=True)] = link["href"]
    return links


def test_adding_the_last_allowed_item_shows_the_list_without_an_error(journey):
    citizen = journey(SLUG).complete(answers_for(SLUG, household=PEOPLE), until="household-list")
    for number, item in enumerate(PEOPLE[1:], start=2):
        citizen.answer({"add_another": "yes"})
        assert citizen.step == f"household-{number}"
        citizen.answer(item)
        assert citizen.step == "household-list"

    page = soup(citizen.show())
    assert page_problems(citizen.response) == []
    assert page.title.get_text().strip().startswith("You have added 6 people - ")
    assert page.h1.get_text(strip=True) == "You have added 6 people"
    assert page.select_one(".govuk-inset-text").get_text(strip=True) == (
        "You have added the maximum of 6 people. You cannot add any more."
    )
    assert "Do you need to add another" not in str(page)
    assert PageForm.read(citizen.response).options == {}
    assert page.select_one("main form button").get_text(strip=True) == "Continue"
    citizen.answer({})
    assert citizen.step == "needs"


def test_a_request_to_add_more_than_the_most_allowed_keeps_every_answer(journey):
    answers = answers_for(SLUG, household=PEOPLE)
    citizen = journey(SLUG).complete(answers)
    assert [step for step in citizen.visited if step.startswith("household-")] == [
        step for number in range(1, 7) for step in (f"household-{number}", "household-list")
    ]

    citizen.show("household-list")
    response = citizen.post({**PageForm.read(citizen.response).hidden, "household-list-add_another": "yes"})
    assert response.status_code == 200
    assert page_problems(response) == ["You cannot add more than 6 people"]
    assert error_summary(response) == {}, "the summary must not link to a question the page does not ask"
    assert soup(response).title.get_text().strip().startswith("Error: You have added 6 people")
    assert citizen.item_count() == 6

    service_request, _ = citizen.send(answers)
    assert service_request.answers["household"] == PEOPLE
    assert service_request.answers == answers


def test_the_add_another_question_must_be_answered(journey):
    citizen = journey(SLUG).complete(answers_for(SLUG, household=PEOPLE[:1]), until="household-list")

    assert soup(citizen.response).h1.get_text(strip=True) == "You have added 1 person"
    response = citizen.answer({})

    assert_field_error(response, "id_household-list-add_another_0", "Select yes if you need to add another")
    assert citizen.item_count() == 1


def test_the_least_number_of_items_cannot_be_removed(journey):
    answers = answers_for(SLUG, household=PEOPLE[:1])
    citizen = journey(SLUG).complete(answers)
    assert remove_links(citizen.response) == {}

    response = citizen.client.post(f"{citizen.base}household-1/remove/")

    assert response["Location"] == citizen.url_of(CHECK)
    service_request, _ = citizen.send(answers)
    assert service_request.answers["household"] == PEOPLE[:1]


def test_remove_an_item_from_check_your_answers(journey):
    answers = answers_for(SLUG, household=PEOPLE[:3])
    citizen = journey(SLUG).complete(answers)
    assert section_titles(citizen.response)[3:6] == ["Person 1", "Person 2", "Person 3"]

    confirm = citizen.client.get(remove_links(citizen.response)["person 2"])
    assert confirm.status_code == 200
    assert "Are you sure you want to remove this?" in confirm.content.decode()
    response = citizen.client.post(f"{citizen.base}household-2/remove/")

    assert response["Location"] == citizen.url_of(CHECK)
    shown = sections(citizen.show(CHECK))
    assert "Person 3" not in shown
    assert shown["Person 2"]["What is their name?"] == "Cal Okafor"
    service_request, _ = citizen.send(answers)
    assert service_request.answers["household"] == [PEOPLE[0], PEOPLE[2]]


def test_edit_an_item_from_check_your_answers(journey):
    answers = answers_for(SLUG, household=PEOPLE[:2])
    citizen = journey(SLUG).complete(answers)
    change = [
        link["href"]
        for link in soup(citizen.response).select(".govuk-summary-list__actions a")
        if "household-2" in link["href"]
    ]

    citizen.visit(change[0])
    assert citizen.step == "household-2"
    response = citizen.answer({"person_name": {"first_name": "Benjamin", "last_name": "Okafor"}})

    assert response["Location"] == citizen.url_of(CHECK)
    service_request, _ = citizen.send(answers)
    assert service_request.answers["household"] == [
        PEOPLE[0],
        {**PEOPLE[1], "person_name": {"first_name": "Benjamin", "last_name": "Okafor"}},
    ]


def test_going_back_to_add_another_keeps_the_later_answers(journey):
    answers = answers_for(SLUG, household=PEOPLE[:1])
    citizen = journey(SLUG).complete(answers)
    needs = citizen.show("needs")
    back = soup(needs).select_one("a.govuk-back-link")["href"]

    citizen.visit(back)
    assert citizen.step == "household-list"
    citizen.answer({"add_another": "yes"})
    assert citizen.step == "household-2"
    citizen.answer(PEOPLE[1])
    assert citizen.step == "household-list"
    citizen.answer({"add_another": "no"})

    assert citizen.step == "needs"
    assert input_values(citizen.show())["needs-housing_needs"] == answers["housing_needs"]
    citizen.answer({})
    citizen.answer({})
    assert citizen.step == CHECK
    service_request, _ = citizen.send(answers)
    assert service_request.answers["household"] == PEOPLE[:2]


def test_no_household_skips_the_repeating_step(journey):
    answers = answers_for(SLUG, others_moving="no", household=None)
    citizen = journey(SLUG)

    service_request, _ = citizen.send(answers)

    assert not any(step.startswith("household-") for step in citizen.visited)
    assert "household" not in service_request.answers
    assert service_request.answers == answers
