"""Acceptance: wrong or hostile answers get a clear message beside the field and in the error summary.

Every case posts through the rendered step, then checks the message is in the error summary
(linking to the input's id) and beside the input, that what was typed is still there, that
the journey did not move on, and that the page is never a server error.
"""

import pytest

from .demo_answers import answers_for
from .journey_helpers import (
    CHECK,
    PageForm,
    Upload,
    assert_field_error,
    days_from_today,
    input_values,
    sections,
    soup,
)

pytestmark = [pytest.mark.django_db, pytest.mark.engine_neutral]  # see tests/conftest.py

SCRIPT = '<script>alert("owned")</script><b>bold</b> & "quotes"'


def missing(slug: str, *question_ids: str) -> dict:
    """The form's good answers without some: the page is sent with those left blank."""
    return {key: value for key, value in answers_for(slug).items() if key not in question_ids}


def wrong(slug: str, **changes) -> dict:
    """The form's good answers with some replaced by wrong ones."""
    return answers_for(slug, **changes)


# (answers sent, id of the input the message is about, message), by the step they are sent on.
CASES = {
    ("report-missed-bin", "where"): [
        (
            wrong(
                "report-missed-bin",
                collection_address={"line1": "", "line2": "", "town": "Ashworth", "postcode": "AB4 7QT"},
            ),
            "id_where-collection_address-line1",
            "Enter address line 1, typically the building and street",
        ),
        (
            wrong(
                "report-missed-bin",
                collection_address={"line1": "1 High St", "line2": "", "town": "A", "postcode": "NOT ONE"},
            ),
            "id_where-collection_address-postcode",
            "Enter a real postcode",
        ),
    ],
    ("report-missed-bin", "which_bin"): [
        (missing("report-missed-bin", "bin_type"), "id_which_bin-bin_type", "Select which bin was missed"),
    ],
    ("report-missed-bin", "when"): [
        (
            missing("report-missed-bin", "collection_date"),
            "id_when-collection_date-day",
            "Enter an answer to “When was your bin due to be collected?”",
        ),
        (missing("report-missed-bin", "out_by_7am"), "id_when-out_by_7am", "Select yes or no"),
        (
            wrong("report-missed-bin", collection_date={"day": "31", "month": "2", "year": "2024"}),
            "id_when-collection_date-day",
            "When was your bin due to be collected must be a real date",
        ),
        (
            wrong("report-missed-bin", collection_date={"day": "3", "month": "13", "year": "2024"}),
            "id_when-collection_date-day",
            "When was your bin due to be collected must be a real date",
        ),
        (
            wrong("report-missed-bin", collection_date={"day": "x", "month": "4", "year": "2024"}),
            "id_when-collection_date-day",
            "When was your bin due to be collected must be a real date",
        ),
        (
            wrong("report-missed-bin", collection_date={"day": "3", "month": "", "year": "2024"}),
            "id_when-collection_date-month",
            "When was your bin due to be collected must include a month",
        ),
        (
            wrong("report-missed-bin", collection_date={"day": "3", "month": "4", "year": "24"}),
            "id_when-collection_date-year",
            "Year must include 4 numbers",
        ),
        (
            wrong("report-missed-bin", collection_date=days_from_today(1)),
            "id_when-collection_date-day",
            "When was your bin due to be collected must be today or in the past",
        ),
    ],
    ("report-missed-bin", "anything_else"): [
        (
            wrong("report-missed-bin", access_notes="x" * 100_000),
            "id_anything_else-access_notes",
            "Is there anything else the crew should know must be 1,000 characters or less",
        ),
    ],
    ("report-missed-bin", "contact"): [
        (
            wrong("report-missed-bin", name={"first_name": "Sam", "last_name": ""}),
            "id_contact-name-last_name",
            "Enter your last name",
        ),
        (missing("report-missed-bin", "email"), "id_contact-email", "Enter your email address"),
        (
            wrong("report-missed-bin", name={"first_name": "S" * 100_000, "last_name": "Okafor"}),
            "id_contact-name-first_name",
            "First name must be 100 characters or less",
        ),
        (
            wrong("report-missed-bin", email="sam@" + "x" * 100_000),
            "id_contact-email",
            "What is your email address must be 254 characters or less",
        ),
        (
            wrong("report-missed-bin", phone="call me maybe"),
            "id_contact-phone",
            "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
        ),
    ],
    ("noise-nuisance", "noise"): [
        (missing("noise-nuisance", "noise_type"), "id_noise-noise_type", "Select the noise"),
    ],
    ("report-fly-tipping", "where"): [
        (
            wrong(
                "report-fly-tipping",
                fly_tip_location={"description": "", "postcode": "", "latitude": "", "longitude": ""},
            ),
            "id_where-fly_tip_location-description",
            "Enter a description of the location",
        ),
        (
            wrong(
                "report-fly-tipping",
                fly_tip_location={"description": "", "postcode": "", "latitude": "95", "longitude": "-1.5"},
            ),
            "id_where-fly_tip_location-latitude",
            "Latitude must be between 49 and 61",
        ),
    ],
    ("report-fly-tipping", "waste"): [
        (missing("report-fly-tipping", "waste_types"), "id_waste-waste_types", "Select what has been dumped"),
    ],
    ("report-pothole", "size"): [
        (wrong("report-pothole", width="20"), "id_size-width", "Roughly how wide is it must be 10 or less"),
        (wrong("report-pothole", depth="deep"), "id_size-depth", "Roughly how deep is it must be a number"),
    ],
    ("bulky-waste", "what"): [
        (
            missing("bulky-waste", "item_count"),
            "id_what-item_count",
            "Enter an answer to “How many items are there in total?”",
        ),
        (
            wrong("bulky-waste", item_count="three"),
            "id_what-item_count",
            "How many items are there in total must be a number",
        ),
        (
            wrong("bulky-waste", item_count="6"),
            "id_what-item_count",
            "How many items are there in total must be 5 or less",
        ),
        (
            wrong("bulky-waste", item_count="0"),
            "id_what-item_count",
            "How many items are there in total must be 1 or more",
        ),
        (
            wrong("bulky-waste", item_count="2.5"),
            "id_what-item_count",
            "How many items are there in total must be a whole number",
        ),
        (
            wrong("bulky-waste", item_count="9" * 400),
            "id_what-item_count",
            "How many items are there in total must be 5 or less",
        ),
        (
            wrong("bulky-waste", items=["sofa", "bed", "mattress", "wardrobe", "table", "fridge"]),
            "id_what-items",
            "Select no more than 5 options",
        ),
    ],
    ("bulky-waste", "when"): [
        (
            wrong("bulky-waste", preferred_date=days_from_today(-1)),
            "id_when-preferred_date-day",
            "Which date would you like the collection must be today or in the future",
        ),
    ],
    ("make-a-complaint", "details"): [
        (missing("make-a-complaint", "what_happened"), "id_details-what_happened", "Tell us what happened"),
    ],
    ("blue-badge", "badge_holder"): [
        (
            wrong("blue-badge", date_of_birth="1899-12-31"),
            "id_badge_holder-date_of_birth-day",
            "What is their date of birth must be the same as or after 1 January 1900",
        ),
    ],
    ("blue-badge", "documents"): [
        (missing("blue-badge", "photo"), "id_documents-photo", "Upload a photo of the person the badge is for"),
    ],
    ("blue-badge", "badge_rules"): [
        (missing("blue-badge", "misuse_warning"), "id_badge_rules-misuse_warning", "You must confirm the declaration"),
    ],
}


def assert_answers_kept(response, step: str, answers: dict) -> None:
    """Every answer sent is shown again as it was typed (files cannot be, by browsers' design)."""
    page = PageForm.read(response)
    for question_id, value in answers.items():
        if page.asks(step, question_id) and not isinstance(value, Upload):
            for name, sent in page.encode(step, question_id, value)[0].items():
                shown = page.values.get(name, "")
                assert shown == sent or shown == [sent], f"{name}: sent {str(sent)[:50]!r}, shown {str(shown)[:50]!r}"


@pytest.mark.parametrize(("slug", "step"), sorted(CASES))
def test_a_missing_or_wrong_answer_is_explained_beside_the_field_and_in_the_summary(journey, slug, step):
    citizen = journey(slug).complete(answers_for(slug), until=step)

    for answers, field_id, message in CASES[(slug, step)]:
        response = citizen.answer(answers)

        assert_field_error(response, field_id, message)
        assert citizen.step == step
        assert_answers_kept(response, step, answers)
    assert citizen.client.get(citizen.url_of(CHECK))["Location"] == citizen.url_of(step), "nothing was stored"


def test_every_error_is_listed_when_a_page_has_several(journey):
    citizen = journey("report-missed-bin").complete(answers_for("report-missed-bin"), until="contact")

    response = citizen.answer({"name": {"first_name": "", "last_name": ""}, "email": "not-an-email", "phone": "12"})

    summary = [link.get_text(strip=True) for link in soup(response).select(".govuk-error-summary a")]
    assert summary == [
        "Enter your first name",
        "Enter an email address in the correct format, like name@example.com",
        "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
    ]
    assert input_values(response)["contact-email"] == "not-an-email"


def test_html_and_scripts_are_stored_as_text_and_shown_escaped(journey):
    answers = answers_for(
        "report-missed-bin",
        access_notes=SCRIPT,
        name={"first_name": '"><script>alert(1)</script>', "last_name": "<img src=x onerror=alert(2)>"},
    )
    citizen = journey("report-missed-bin").complete(answers)

    check = citizen.response
    assert not soup(check).select("main script, main img, main b")
    html = check.content.decode()
    assert (
        "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quotes&quot;" in html
    )
    shown = sections(check)
    assert (
        shown["Is there anything else the crew should know?"]["Is there anything else the crew should know?"] == SCRIPT
    )
    assert shown["Your contact details"]["What is your name?"] == (
        '"><script>alert(1)</script> <img src=x onerror=alert(2)>'
    )
    contact = citizen.show("contact")
    assert not soup(contact).select("main script, main img")
    assert input_values(contact)["contact-name-first_name"] == '"><script>alert(1)</script>'

    service_request, confirmation = citizen.send(answers)
    assert service_request.answers["access_notes"] == SCRIPT
    assert service_request.answers["name"]["last_name"] == "<img src=x onerror=alert(2)>"
    assert not soup(confirmation).select("main script, main img, main b")
    assert SCRIPT in soup(confirmation).get_text()


def test_html_in_an_answer_with_an_error_is_shown_escaped(journey):
    citizen = journey("report-missed-bin").complete(answers_for("report-missed-bin"), until="anything_else")

    response = citizen.answer({"access_notes": SCRIPT + "x" * 1000})

    assert_field_error(
        response,
        "id_anything_else-access_notes",
        "Is there anything else the crew should know must be 1,000 characters or less",
    )
    assert not soup(response).select("main script, main b")
    assert input_values(response)["anything_else-access_notes"] == SCRIPT + "x" * 1000


def test_control_characters_are_removed_from_text(journey):
    answers = answers_for("report-missed-bin", access_notes="Side\x00 gate\x07\r\nby the shed")
    citizen = journey("report-missed-bin")

    service_request, _ = citizen.send(answers)

    assert service_request.answers["access_notes"] == "Side gate\nby the shed"


def test_sending_without_accepting_the_declaration(journey):
    citizen = journey("order-a-bin").complete(answers_for("order-a-bin"))

    response = citizen.submit(confirm=False)

    assert_field_error(response, "id_check-answers-confirm", "Confirm the declaration to send your request")
    assert citizen.step == CHECK
    assert not citizen.page.requests.exists()
