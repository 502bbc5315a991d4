"""Questions become GOV.UK form fields: good answers give JSON and display text, bad ones plain-English errors.

Pure form tests: no database, no wizard.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from jsonschema import Draft202012Validator

from forms_catalogue.address_lookup import DemoAddressLookup, FoundAddress, get_provider
from forms_catalogue.builder import FormBuilder, StepForm, answer_for_display, answer_to_json
from forms_catalogue.definition import QUESTION_TYPES, Option, Question
from forms_catalogue.fields import normalise_phone, normalise_postcode
from forms_catalogue.schema import question_schema
from forms_catalogue.templatetags.eform_tags import error_anchor, render_question
from tests import sample_files

PREFIX = "step"
DEMO_LOOKUP = "forms_catalogue.address_lookup.DemoAddressLookup"
OPTIONS = (Option("general", "Black bin"), Option("recycling", "Blue bin"), Option("garden", "Brown bin"))
PNG = sample_files.png()
PDF = sample_files.pdf()


def question(question_type: str, **extra) -> Question:
    options = OPTIONS if question_type in ("radios", "checkboxes", "select") else ()
    return Question(
        **{"id": "answer", "type": question_type, "label": "Date of the problem", "options": options, **extra}
    )


def form_for(q: Question, data: dict | None = None, files: dict | None = None) -> StepForm:
    """A bound step form asking one question; data keys are given without the step prefix."""
    form_class = FormBuilder((q,)).get_form_class()
    if data is None and files is None:
        return form_class(prefix=PREFIX)
    posted = {f"{PREFIX}-{key}": value for key, value in (data or {}).items()}
    uploads = {f"{PREFIX}-{key}": value for key, value in (files or {}).items()}
    return form_class(posted, uploads, prefix=PREFIX)


def parts(question_id: str, **values: str) -> dict[str, str]:
    """Posted data of a field made of several boxes, e.g. parts("answer", day="1") -> {"answer-day": "1"}."""
    return {f"{question_id}-{key}": value for key, value in values.items()}


def errors(form: StepForm, question_id: str = "answer") -> list[str]:
    assert not form.is_valid()
    return form.errors.get(question_id, [])


def answer(q: Question, data: dict | None = None, files: dict | None = None):
    form = form_for(q, data, files)
    assert form.is_valid(), form.errors
    return form.answers().get(q.id)


def png_upload(name: str = "photo.png", content: bytes = PNG, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- valid answers: JSON and display text, for every type ----------------------------------

TODAY = timezone.localdate()

VALID = [
    # (question, posted data, files, expected JSON, expected display text)
    (question("short_text"), {"answer": "  Outside number 14  "}, None, "Outside number 14", "Outside number 14"),
    (question("long_text"), {"answer": "Line one\r\nLine two"}, None, "Line one\nLine two", "Line one\nLine two"),
    (question("email"), {"answer": " sam@example.com "}, None, "sam@example.com", "sam@example.com"),
    (question("phone"), {"answer": "(01632) 960-001"}, None, "01632 960001", "01632 960001"),
    (question("phone"), {"answer": "0044 (0)7700 900123"}, None, "+44 7700 900123", "+44 7700 900123"),
    (question("number", rules={"suffix": "kg"}), {"answer": "1,250"}, None, 1250, "1,250 kg"),
    (question("number", rules={"whole_number": False}), {"answer": "2.50"}, None, 2.5, "2.5"),
    (question("date"), parts("answer", day="24", month="11", year="2026"), None, "2026-11-24", "24 November 2026"),
    (question("date"), parts("answer", day="3", month="Nov", year="2001"), None, "2001-11-03", "3 November 2001"),
    (question("radios"), {"answer": "garden"}, None, "garden", "Brown bin"),
    (question("select"), {"answer": "recycling"}, None, "recycling", "Blue bin"),
    (question("checkboxes"), {"answer": ["general", "garden"]}, None, ["general", "garden"], "Black bin\nBrown bin"),
    (question("yes_no"), {"answer": "no"}, None, "no", "No"),
    (
        question("name"),
        parts("answer", first_name=" Ada ", last_name="Okafor"),
        None,
        {"first_name": "Ada", "last_name": "Okafor"},
        "Ada Okafor",
    ),
    (
        question("address"),
        parts("answer", line1="14 Mill Lane", line2="", town="Eastbridge", postcode="eb4  7qt"),
        None,
        {"line1": "14 Mill Lane", "line2": "", "town": "Eastbridge", "postcode": "EB4 7QT"},
        "14 Mill Lane\nEastbridge\nEB4 7QT",
    ),
    (
        question("location"),
        parts("answer", description="By the bus stop", postcode="", latitude="51.5", longitude="-0.1"),
        None,
        {"description": "By the bus stop", "latitude": 51.5, "longitude": -0.1},
        "By the bus stop\nLat 51.5, long -0.1",
    ),
    (
        question("location"),
        parts("answer", description="Lay-by on the A6", postcode="sw1a2aa"),
        None,
        {"description": "Lay-by on the A6", "postcode": "SW1A 2AA"},
        "Lay-by on the A6\nSW1A 2AA",
    ),
    (
        question("file"),
        {},
        {"answer": png_upload("photo.png", sample_files.png(200, 300), "application/octet-stream")},
        {"name": "photo.png", "size": len(sample_files.png(200, 300)), "content_type": "image/png"},
        "photo.png (1 KB)",
    ),
    (
        question("declaration", rules={"statement": "The information I have given is correct."}),
        {"answer": "yes"},
        None,
        True,
        "The information I have given is correct.",
    ),
]


@pytest.mark.parametrize(("q", "data", "files", "expected_json", "expected_text"), VALID)
def test_valid_answer_gives_json_and_display_text(q, data, files, expected_json, expected_text):
    json_answer = answer(q, data, files)
    assert json_answer == expected_json
    assert answer_for_display(q, json_answer) == expected_text
    Draft202012Validator(question_schema(q)).validate(json_answer)  # the shape schema.py publishes


def test_every_question_type_is_covered():
    assert {q.type for q, *_ in VALID} == set(QUESTION_TYPES)


@pytest.mark.parametrize("question_type", QUESTION_TYPES)
def test_optional_question_left_empty_is_not_in_the_answers(question_type):
    form = form_for(question(question_type, required=False), {"unrelated": "x"})
    assert form.is_valid(), form.errors
    assert form.answers() == {}
    assert answer_for_display(question(question_type), None) == ""


@pytest.mark.parametrize(
    ("question_type", "message"),
    [
        ("short_text", "Enter date of the problem"),
        ("long_text", "Enter date of the problem"),
        ("email", "Enter date of the problem"),
        ("phone", "Enter date of the problem"),
        ("number", "Enter date of the problem"),
        ("date", "Enter date of the problem"),
        ("radios", "Select date of the problem"),
        ("select", "Select date of the problem"),
        ("checkboxes", "Select date of the problem"),
        ("yes_no", "Select yes or no"),
        ("name", "Enter your first name"),
        ("address", "Enter address line 1, typically the building and street"),
        ("location", "Enter a description of the location"),
        ("file", "Select date of the problem"),
        ("declaration", "You must confirm the declaration"),
    ],
)
def test_required_question_left_empty(question_type, message):
    assert errors(form_for(question(question_type), {"unrelated": "x"}))[0] == message


def test_question_label_gives_the_field_label_and_messages():
    q = Question(id="when", type="date", label="When was your bin due to be collected?", required=False)
    form = form_for(q, parts("when", day="1", month="", year="2024"))
    assert str(form["when"].label) == "When was your bin due to be collected? (optional)"
    assert errors(form, "when") == ["When was your bin due to be collected must include a month"]


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message", "highlighted"),
    [
        ({"day": "31", "month": "2", "year": "2024"}, "Date of the problem must be a real date", "day month year"),
        ({"day": "1", "month": "", "year": "2024"}, "Date of the problem must include a month", "month"),
        ({"day": "", "month": "", "year": "2024"}, "Date of the problem must include a day and month", "day month"),
        ({"day": "one", "month": "2", "year": "2024"}, "Date of the problem must be a real date", "day"),
        ({"day": "1", "month": "2", "year": "24"}, "Year must include 4 numbers", "year"),
        ({"day": "1", "month": "13", "year": "2024"}, "Date of the problem must be a real date", "day month year"),
        ({"day": "99999999999999999999", "month": "1", "year": "2024"}, "Date of the problem must be a real date", ""),
    ],
)
def test_date_errors(values, message, highlighted):
    form = form_for(question("date"), parts("answer", **values))
    assert errors(form) == [message]
    html = render_question(form, question("date"), False)
    for key in highlighted.split():
        assert f'govuk-input--width-{4 if key == "year" else 2} govuk-input--error" id="id_step-answer-{key}"' in html
    assert error_anchor(form["answer"]) == f"id_step-answer-{(highlighted or 'day').split()[0]}"


@pytest.mark.parametrize(
    ("rules", "day", "message"),
    [
        ({"direction": "past"}, TODAY + timedelta(days=1), "Date of the problem must be today or in the past"),
        ({"direction": "future"}, TODAY - timedelta(days=1), "Date of the problem must be today or in the future"),
        ({"earliest": "2020-01-01"}, TODAY.replace(year=2019), "must be the same as or after 1 January 2020"),
        ({"latest": "2020-01-31"}, TODAY.replace(year=2021), "must be the same as or before 31 January 2020"),
    ],
)
def test_date_in_the_wrong_direction_or_range(rules, day, message):
    form = form_for(question("date", rules=rules), parts("answer", day=day.day, month=day.month, year=day.year))
    assert message in errors(form)[0]


def test_date_today_is_both_past_and_future():
    for direction in ("past", "future"):
        today = parts("answer", day=str(TODAY.day), month=str(TODAY.month), year=str(TODAY.year))
        assert answer(question("date", rules={"direction": direction}), today) == TODAY.isoformat()


def test_date_of_birth_boxes_autocomplete():
    q = Question(id="date_of_birth", type="date", label="Date of birth")
    assert render_question(form_for(question("date")), q, False) == ""  # a question the form does not ask
    html = render_question(form_for(q), q, False)
    assert 'autocomplete="bday-day"' in html and 'autocomplete="bday-year"' in html


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "posted", "message"),
    [
        ({}, "twelve", "Date of the problem must be a number"),
        ({}, "12kg", "Date of the problem must be a number"),
        ({}, "NaN", "Date of the problem must be a number"),
        ({}, "1e5", "Date of the problem must be a number"),
        ({"whole_number": True}, "2.5", "Date of the problem must be a whole number"),
        ({"min_value": "5"}, "4", "Date of the problem must be 5 or more"),
        ({"max_value": "100"}, "1,000", "Date of the problem must be 100 or less"),
        ({"max_value": "2.5", "whole_number": False}, "2.75", "Date of the problem must be 2.5 or less"),
        ({}, "9" * 40, "Date of the problem must be 999,999,999,999,999 or less"),
    ],
)
def test_number_errors(rules, posted, message):
    assert errors(form_for(question("number", rules=rules), {"answer": posted})) == [message]


def test_number_limits_are_inclusive():
    q = question("number", rules={"min_value": "5", "max_value": "100"})
    assert answer(q, {"answer": "5"}) == 5
    assert answer(q, {"answer": "100"}) == 100


# --- text, email, phone --------------------------------------------------------------------


def test_text_over_the_limit_gives_a_message_not_a_crash():
    q = question("short_text", rules={"max_length": 200})
    form = form_for(q, {"answer": "a" * 100_000})
    assert errors(form) == ["Date of the problem must be 200 characters or less"]
    assert 'class="govuk-input govuk-input--error"' in render_question(form, q, True)


def test_long_text_default_limit():
    assert errors(form_for(question("long_text"), {"answer": "a" * 5001})) == [
        "Date of the problem must be 5,000 characters or less"
    ]


def test_html_is_kept_as_plain_text_and_escaped_when_shown():
    script = '<script>alert("x")</script> & <b>bold</b>'
    q = question("long_text")
    assert answer(q, {"answer": script}) == script
    form = form_for(q, {"answer": script + "x" * 5001})  # shown again with an error
    html = render_question(form, q, False)
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    name = question("name")
    html = render_question(form_for(name, parts("answer", first_name='"><script>', last_name="")), name, False)
    assert "<script>" not in html and 'value="&quot;&gt;&lt;script&gt;"' in html


def test_labels_and_hints_are_escaped():
    q = Question(id="answer", type="date", label="<i>When</i>?", hint="<b>27 3 2025</b>", required=False)
    html = render_question(form_for(q), q, True)
    assert "&lt;i&gt;When&lt;/i&gt;? (optional)" in html and "&lt;b&gt;27 3 2025&lt;/b&gt;" in html
    assert "<i>" not in html and "<b>" not in html


def test_control_characters_are_removed():
    assert answer(question("short_text"), {"answer": "Mill\x00 Lane\x07"}) == "Mill Lane"


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        *(
            (bad, "Enter an email address in the correct format, like name@example.com")
            for bad in ("sam", "sam@", "a b@c.uk")
        ),
        ("a" * 250 + "@example.com", "Date of the problem must be 254 characters or less"),
    ],
)
def test_email_errors(posted, message):
    assert errors(form_for(question("email"), {"answer": posted})) == [message]


@pytest.mark.parametrize(
    ("posted", "normalised"),
    [
        ("07700 900982", "07700 900982"),
        ("+44 7700 900 982", "+44 7700 900982"),
        ("+44 (0)20 7946 0000", "+44 20 7946 0000"),
        ("020 7946 0000", "020 7946 0000"),
        ("0808 157 0192", "0808 157 0192"),
        ("0113 496 0000", "0113 496 0000"),
        ("01632 96001", "01632 96001"),
        ("0800 123 456", "0800 123 456"),
    ],
)
def test_phone_numbers_are_normalised(posted, normalised):
    assert normalise_phone(posted) == normalised
    assert answer(question("phone"), {"answer": posted}) == normalised


@pytest.mark.parametrize(
    "posted", ["12345", "+1 202 555 0100", "07700 900 98", "077009009822", "0770O 900982", "phone"]
)
def test_phone_numbers_that_are_not_uk_numbers(posted):
    assert errors(form_for(question("phone"), {"answer": posted})) == [
        "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
    ]


# --- choices -------------------------------------------------------------------------------


@pytest.mark.parametrize("question_type", ["radios", "select", "yes_no"])
def test_forged_single_choice_is_rejected(question_type):
    assert len(errors(form_for(question(question_type), {"answer": "<script>"}))) == 1


def test_forged_checkbox_value_is_rejected():
    assert errors(form_for(question("checkboxes"), {"answer": ["general", "skip"]})) == ["Select date of the problem"]


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        (["general"], "Select at least 2 options"),
        (["general", "recycling", "garden"], "Select no more than 2 options"),
    ],
)
def test_checkbox_selection_limits(chosen, message):
    q = question("checkboxes", rules={"min_selections": 2, "max_selections": 2})
    assert errors(form_for(q, {"answer": chosen})) == [message]
    assert answer(q, {"answer": ["general", "garden"]}) == ["general", "garden"]


# --- name, address, location ---------------------------------------------------------------


def test_name_parts():
    q = question("name")
    assert errors(form_for(q, parts("answer", first_name="Ada", last_name=""))) == ["Enter your last name"]
    form = form_for(q, parts("answer", first_name="", last_name=""))
    assert errors(form) == ["Enter your first name", "Enter your last name"]
    assert error_anchor(form["answer"]) == "id_step-answer-first_name"
    too_long = form_for(q, parts("answer", first_name="A" * 101, last_name="Okafor"))
    assert errors(too_long) == ["First name must be 100 characters or less"]
    optional = question("name", required=False)
    assert errors(form_for(optional, parts("answer", first_name="", last_name="Okafor"))) == ["Enter your first name"]


@pytest.mark.parametrize(
    ("posted", "normalised"), [("sw1a 2aa", "SW1A 2AA"), (" EB47QT ", "EB4 7QT"), ("M1 1AE", "M1 1AE")]
)
def test_postcodes_are_normalised(posted, normalised):
    assert normalise_postcode(posted) == normalised


@pytest.mark.parametrize("postcode", ["NOT A POSTCODE", "12345", "SW1A", "SW1A 2AAA"])
def test_wrong_postcode(postcode):
    form = form_for(question("address"), parts("answer", line1="1 Mill Lane", town="Eastbridge", postcode=postcode))
    assert errors(form) == ["Enter a real postcode"]
    assert error_anchor(form["answer"]) == "id_step-answer-postcode"


@pytest.mark.parametrize(
    ("values", "message", "anchor"),
    [
        ({"latitude": "52.2"}, "Enter both latitude and longitude", "longitude"),
        ({"description": "Park", "longitude": "-1.5"}, "Enter both latitude and longitude", "latitude"),
        ({"latitude": "40", "longitude": "-1.5"}, "Latitude must be between 49 and 61", "latitude"),
        ({"latitude": "52", "longitude": "east"}, "Longitude must be a number", "longitude"),
        ({"postcode": "SW1A 2AA"}, "Enter a description of the location", "description"),
        ({"description": "Park", "postcode": "nowhere"}, "Enter a real postcode", "postcode"),
    ],
)
def test_location_errors(values, message, anchor):
    form = form_for(question("location"), parts("answer", **values))
    assert message in errors(form)
    assert error_anchor(form["answer"]) == f"id_step-answer-{anchor}"


def test_location_with_coordinates_only():
    q = question("location")
    assert answer(q, parts("answer", latitude="52.2053", longitude="-1.5256")) == {
        "latitude": 52.2053,
        "longitude": -1.5256,
    }


# --- address lookup ------------------------------------------------------------------------


def test_no_lookup_provider_means_manual_entry_only(settings):
    settings.ADDRESS_LOOKUP_PROVIDER = None
    q = question("address")
    form = form_for(q, {**parts("answer", postcode="AB1 2CD", uprn="900000000001"), "answer-lookup": "1"})
    assert get_provider() is None
    assert not form.is_lookup()
    assert "Enter address line 1, typically the building and street" in errors(form)  # uprn ignored
    assert "Find address" not in render_question(form, q, True)


def test_find_address_shows_the_addresses_without_errors(settings):
    settings.ADDRESS_LOOKUP_PROVIDER = DEMO_LOOKUP
    q = question("address")
    form = form_for(q, {**parts("answer", postcode="ab1 2cd"), "answer-lookup": "1"})
    assert form.is_lookup()
    assert not form.is_valid()
    assert not form.errors
    html = render_question(form, q, True)
    found = DemoAddressLookup().lookup("AB1 2CD")
    assert len(found) >= 3 and all(address.town == "Ashworth" and len(address.uprn) == 12 for address in found)
    assert 'name="step-answer-lookup"' in html
    assert '<select class="govuk-select" id="id_step-answer-uprn" name="step-answer-uprn">' in html
    assert f'<option value="{found[0].uprn}">{found[0].one_line()}</option>' in html
    assert "govuk-error-message" not in html
    assert html.index('id="id_step-answer-postcode"') < html.index('id="id_step-answer-line1"')


def test_find_address_with_nothing_found(settings):
    settings.ADDRESS_LOOKUP_PROVIDER = DEMO_LOOKUP
    q = question("address")
    form = form_for(q, {**parts("answer", postcode="SW1A 2AA"), "answer-lookup": "1"})
    assert "No addresses were found for SW1A 2AA. Enter the address below." in render_question(form, q, False)
    form = form_for(q, {**parts("answer", postcode="nonsense"), "answer-lookup": "1"})
    assert "Enter a real postcode to find the address" in render_question(form, q, False)


def test_chosen_address_fills_the_answer_with_its_uprn(settings):
    settings.ADDRESS_LOOKUP_PROVIDER = DEMO_LOOKUP
    chosen = DemoAddressLookup().lookup("AB1 2CD")[1]
    q = question("address")
    json_answer = answer(q, parts("answer", postcode="AB1 2CD", uprn=chosen.uprn))
    assert json_answer == {
        "line1": chosen.line1,
        "line2": chosen.line2,
        "town": "Ashworth",
        "postcode": "AB1 2CD",
        "uprn": chosen.uprn,
    }
    Draft202012Validator(question_schema(q)).validate(json_answer)
    manual = answer(q, parts("answer", postcode="AB1 2CD", line1="1 New Road", town="Ashworth"))
    assert "uprn" not in manual


def test_forged_uprn_is_rejected(settings):
    settings.ADDRESS_LOOKUP_PROVIDER = DEMO_LOOKUP
    q = question("address")
    form = form_for(q, parts("answer", postcode="AB1 2CD", uprn="123456789012", line1="1 Road", town="Ashworth"))
    assert errors(form) == ["Select an address from the list, or enter the address below"]
    assert error_anchor(form["answer"]) == "id_step-answer-uprn"
    assert 'class="govuk-select govuk-select--error"' in render_question(form, q, False)


class FailingLookup(DemoAddressLookup):
    def lookup(self, postcode: str) -> list[FoundAddress]:
        raise ConnectionError("gazetteer down")


def test_a_failing_provider_leaves_manual_entry_working(settings):
    settings.ADDRESS_LOOKUP_PROVIDER = f"{__name__}.FailingLookup"
    q = question("address")
    form = form_for(q, {**parts("answer", postcode="AB1 2CD"), "answer-lookup": "1"})
    assert "No addresses were found" in render_question(form, q, False)
    assert answer(q, parts("answer", postcode="AB1 2CD", line1="1 Road", town="Ashworth"))["postcode"] == "AB1 2CD"


# --- files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "upload", "message"),
    [
        (
            {"max_size_mb": 1},
            png_upload(content=PNG + b"\x00" * 1024 * 1024),
            "The selected file must be smaller than 1MB",
        ),
        (
            {},
            png_upload(content=b"<html><script>alert(1)</script></html>"),
            "The selected file must be a PDF, JPEG or PNG",
        ),
        ({"allowed_types": ["pdf"]}, png_upload(), "The selected file must be a PDF"),
        (
            {"allowed_types": ["docx"]},
            png_upload("x.docx", b"PK\x03\x04 not really a zip"),
            "cannot be opened as a DOCX",
        ),
        ({"allowed_types": ["txt"]}, png_upload("x.txt", b"text\x00with NUL"), "The selected file must be a TXT"),
        ({"allowed_types": ["txt"]}, png_upload("x.txt", b"\xff\xfe latin"), "The selected file must be a TXT"),
        ({}, png_upload(content=b""), "The selected file is empty"),
    ],
)
def test_file_errors(rules, upload, message):
    assert message in errors(form_for(question("file", rules=rules), {}, {"answer": upload}))[0]


@pytest.mark.parametrize(
    ("kind", "content", "content_type"),
    [
        ("pdf", PDF, "application/pdf"),
        ("docx", sample_files.docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("txt", "Plain text, café\n".encode(), "text/plain"),
    ],
)
def test_files_are_recognised_by_content(kind, content, content_type):
    q = question("file", rules={"allowed_types": [kind]})
    upload = SimpleUploadedFile("upload.bin", content, content_type="text/html")
    form = form_for(q, {}, {"answer": upload})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["answer"] is upload  # the wizard stores the file itself
    assert form.answers()["answer"]["content_type"] == content_type
    assert upload.read(5) == content[:5]  # left at the start for storing


def test_file_input_markup():
    q = question("file", hint="A photo of the bin")
    form = form_for(q, {}, {"answer": png_upload(content=b"GIF89a")})
    html = render_question(form, q, True)
    assert (
        'class="govuk-file-upload govuk-file-upload--error" id="id_step-answer" name="step-answer" type="file"' in html
    )
    assert 'accept=".pdf,.jpg,.jpeg,.png"' in html
    assert 'aria-describedby="id_step-answer-hint id_step-answer-error"' in html


# --- display text --------------------------------------------------------------------------


def test_display_text_edge_cases():
    assert answer_for_display(question("file"), {"name": "plan.pdf", "size": 2_500_000}) == "plan.pdf (2.4 MB)"
    assert answer_for_display(question("number"), 0) == "0"
    assert answer_for_display(question("radios"), "unknown") == "unknown"
    assert answer_for_display(question("date"), "not a date") == "not a date"  # never raises
    assert answer_for_display(question("checkboxes"), []) == ""
    assert answer_to_json(question("declaration"), False) is None


# --- building forms ------------------------------------------------------------------------


def test_form_class_fields_are_the_question_ids_and_classes_are_cached():
    questions = tuple(Question(id=f"q_{kind}", type=kind, label=kind, options=OPTIONS) for kind in QUESTION_TYPES)
    form_class = FormBuilder(questions).get_form_class()
    assert issubclass(form_class, StepForm)
    assert list(form_class.base_fields) == [q.id for q in questions]
    assert form_class.questions == questions
    same = tuple(Question(id=q.id, type=q.type, label=q.label, options=q.options) for q in questions)
    assert FormBuilder(same).get_form_class() is form_class
    assert FormBuilder(questions[:2]).get_form_class() is not form_class


def test_question_ids_that_name_form_attributes_still_work():
    questions = (Question(id="questions", type="short_text", label="Q"), Question(id="data", type="yes_no", label="D"))
    form_class = FormBuilder(questions).get_form_class()
    form = form_class({"step-questions": "x", "step-data": "yes"}, prefix=PREFIX)
    assert form.is_valid() and form.answers() == {"questions": "x", "data": "yes"}


def test_unknown_question_type_is_refused():
    with pytest.raises(ValueError, match="Unknown question type"):
        FormBuilder((Question(id="q", type="colour", label="Colour"),)).get_form_class()


# --- templates: GOV.UK markup --------------------------------------------------------------

GROUPED = {"date", "radios", "checkboxes", "yes_no", "name", "address", "location", "declaration"}
BAD = {
    "short_text": {"answer": "x" * 201},
    "long_text": {"answer": "x" * 5001},
    "email": {"answer": "nope"},
    "phone": {"answer": "123"},
    "number": {"answer": "lots"},
    "date": parts("answer", day="31", month="2", year="2024"),
    "radios": {"answer": "nope"},
    "select": {"answer": "nope"},
    "checkboxes": {"answer": ["nope"]},
    "yes_no": {"answer": "maybe"},
    "name": parts("answer", first_name="", last_name=""),
    "address": parts("answer", line1="", town="", postcode="nope"),
    "location": parts("answer", latitude="52"),
    "file": {},
    "declaration": {"answer": ""},
}


@pytest.mark.parametrize("question_type", QUESTION_TYPES)
def test_question_template_without_errors(question_type):
    q = question(question_type, hint="Hint text", rules={"statement": "I agree"})
    for is_page_heading in (True, False):
        html = render_question(form_for(q), q, is_page_heading)
        assert html.count('class="govuk-form-group') >= 1
        assert "govuk-form-group--error" not in html and "govuk-error-message" not in html
        assert '<div id="id_step-answer-hint" class="govuk-hint">Hint text</div>' in html
        assert ("<h1" in html) is is_page_heading
        if question_type in GROUPED:
            assert '<fieldset class="govuk-fieldset"' in html
            assert 'aria-describedby="id_step-answer-hint"' in html
            legend = "govuk-fieldset__legend--l" if is_page_heading else "govuk-fieldset__legend--m"
            assert f'<legend class="govuk-fieldset__legend {legend}">' in html
            if is_page_heading:
                assert '<h1 class="govuk-fieldset__heading">Date of the problem</h1>' in html
        else:
            assert "<fieldset" not in html
            assert 'for="id_step-answer"' in html and 'id="id_step-answer"' in html
            if is_page_heading:
                assert '<h1 class="govuk-label-wrapper"><label class="govuk-label govuk-label--l"' in html


@pytest.mark.parametrize("question_type", QUESTION_TYPES)
def test_question_template_with_errors(question_type):
    q = question(question_type, rules={"statement": "I agree"})
    form = form_for(q, BAD[question_type], {})
    message = errors(form)[0]
    html = render_question(form, q, False)
    assert "govuk-form-group--error" in html
    assert f'<span class="govuk-visually-hidden">Error:</span> {message}</p>' in html
    anchor = error_anchor(form["answer"])
    assert f'id="{anchor}"' in html
    if question_type in ("name", "address", "location"):  # each box has its own message
        assert f'<p id="{anchor}-error" class="govuk-error-message">' in html
        assert re.search(f'aria-describedby="[^"]*{anchor}-error"', html)
    elif question_type in GROUPED:
        assert '<p id="id_step-answer-error" class="govuk-error-message">' in html
        assert 'aria-describedby="id_step-answer-error"' in html
    else:
        assert 'aria-describedby="id_step-answer-error"' in html
        assert "--error" in html.split('id="id_step-answer"')[0].rsplit("<", 1)[1]  # the control itself is marked


def test_values_are_shown_again_after_an_error():
    q = question("date")
    html = render_question(form_for(q, parts("answer", day="31", month="2", year="2024")), q, False)
    assert 'name="step-answer-day" type="text" value="31"' in html
    radios = question("radios")
    html = render_question(form_for(radios, {"answer": "garden", "other": "x"}), radios, False)
    assert 'value="garden" checked' in html
    boxes = question("checkboxes", rules={"min_selections": 3})
    html = render_question(form_for(boxes, {"answer": ["general", "garden"]}), boxes, False)
    assert html.count(" checked") == 2
    select = question("select")
    assert '<option value="recycling" selected>' in render_question(
        form_for(select, {"answer": "recycling"}), select, 0
    )


def test_input_attributes():
    email = question("email")
    html = render_question(form_for(email), email, False)
    assert 'type="email"' in html and 'autocomplete="email"' in html and 'spellcheck="false"' in html
    phone = question("phone")
    html = render_question(form_for(phone), phone, False)
    assert 'type="tel"' in html and 'autocomplete="tel"' in html
    number = question("number", rules={"suffix": "kg"})
    html = render_question(form_for(number), number, False)
    assert 'inputmode="numeric"' in html and '<div class="govuk-input__suffix" aria-hidden="true">kg</div>' in html
    name = question("name")
    html = render_question(form_for(name), name, False)
    assert 'autocomplete="given-name"' in html and 'autocomplete="family-name"' in html
    address = question("address")
    html = render_question(form_for(address), address, False)
    for autocomplete in ("address-line1", "address-line2", "address-level2", "postal-code"):
        assert f'autocomplete="{autocomplete}"' in html
    yes_no = question("yes_no")
    html = render_question(form_for(yes_no), yes_no, False)
    assert 'class="govuk-radios govuk-radios--inline"' in html
    assert 'id="id_step-answer" name="step-answer" type="radio" value="yes"' in html
    assert 'id="id_step-answer-2" name="step-answer" type="radio" value="no"' in html


def test_error_anchor_of_other_forms():
    from forms_catalogue.forms import AddAnotherForm, CheckAnswersForm

    assert error_anchor(AddAnotherForm({})["add_another"]) == "id_add_another_0"
    assert error_anchor(CheckAnswersForm({})["confirm"]) == "id_confirm"


def test_every_demo_form_step_builds_and_renders():
    from django.utils.html import escape

    from forms_catalogue.definition import FormDefinition
    from forms_catalogue.demo import definition_json, demo_forms

    for form in demo_forms().values():
        for step in FormDefinition.from_json(definition_json(form)).steps:
            bound = FormBuilder(step.questions).get_form_class()({"step-unrelated": "x"}, prefix=step.id)
            assert not bound.is_valid() or not any(q.required for q in step.questions)
            for q in step.questions:
                html = render_question(bound, q, len(step.questions) == 1)
                assert 'class="govuk-form-group' in html and escape(q.label) in html
                if q.required:
                    assert f'id="{error_anchor(bound[q.id])}"' in html
