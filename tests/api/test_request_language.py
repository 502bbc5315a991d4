"""The resident's language through the portal API (a `language` field, else Accept-Language) and Open311."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from backoffice.models import ServiceRequest
from tests.forms_catalogue.demo_answers import DEMO_ANSWERS

from .open311_helpers import BASE, POTHOLE, error_descriptions, parse
from .submitting import json_body, look_up, multipart_body, post_json, post_multipart, problem

pytestmark = pytest.mark.django_db

MISSED_BIN = "report-missed-bin"


def stored(response) -> ServiceRequest:
    assert response.status_code == 201, response.content[:500]
    return ServiceRequest.objects.get(reference=response.json()["reference"])


def test_the_language_field_is_recorded_and_reported(client, media_root):
    response = post_json(client, MISSED_BIN, {**json_body(DEMO_ANSWERS[MISSED_BIN]), "language": "cy-GB"})

    assert stored(response).language == "cy"
    assert response.json()["language"] == "cy"
    email = DEMO_ANSWERS[MISSED_BIN]["email"]
    status = look_up(client, response.json()["reference"], email)
    assert status.status_code == 200 and status.json()["language"] == "cy"


def test_without_the_field_accept_language_chooses_and_english_is_the_default(client, media_root):
    body = json_body(DEMO_ANSWERS[MISSED_BIN])

    welsh = post_json(client, MISSED_BIN, body, **{"Accept-Language": "fr-FR, cy;q=0.8, en;q=0.5"})
    french_only = post_json(client, MISSED_BIN, body, **{"Accept-Language": "fr"})
    without = post_json(client, MISSED_BIN, body)
    field_wins = post_json(client, MISSED_BIN, {**body, "language": "en"}, **{"Accept-Language": "cy"})

    assert [stored(r).language for r in (welsh, french_only, without, field_wins)] == ["cy", "en-gb", "en-gb", "en-gb"]


def test_a_multipart_submission_gives_its_language_in_a_part(client, media_root):
    response = post_multipart(client, MISSED_BIN, {**multipart_body(DEMO_ANSWERS[MISSED_BIN]), "language": "cy"})

    assert stored(response).language == "cy"


@pytest.mark.parametrize(("language", "named"), [("fr", "'fr'"), ("", "''"), (5, "'5'"), (["cy"], "'[\"cy\"]'")])
def test_a_language_not_offered_is_a_422_problem_naming_it_and_nothing_is_stored(client, media_root, language, named):
    body = {**json_body(DEMO_ANSWERS[MISSED_BIN]), "language": language}

    document = problem(post_json(client, MISSED_BIN, body), 422, "unknown-language")

    assert named in document["detail"] and "en-gb, cy" in document["detail"]
    assert document["errors"][0]["pointer"] == "/language"
    assert not ServiceRequest.objects.exists()


def test_two_language_parts_are_refused(client, media_root):
    parts = {**multipart_body(DEMO_ANSWERS[MISSED_BIN]), "language": ["cy", "en"]}

    problem(post_multipart(client, MISSED_BIN, parts), 400, "invalid-body")


def test_the_openapi_document_describes_the_language(client):
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/forms/{code}/requests"]["post"]

    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["properties"]["language"]["type"] == "string"
    assert "language" in json.dumps(document["components"]["schemas"]["SubmittedRequest"])


# --- Open311 ------------------------------------------------------------------------------


def post_open311(client, data: dict, **headers: str):
    response = client.post(
        f"{BASE}requests.xml", urlencode(data), content_type="application/x-www-form-urlencoded", headers=headers
    )
    return response, parse(response, "xml")


def open311_request(body) -> ServiceRequest:
    reference = body.find("request").findtext("service_request_id")
    return ServiceRequest.objects.get(reference=reference.replace("-", ""))


def test_open311_takes_the_locale_parameter_then_accept_language(client, api_key, media_root):
    _response, by_locale = post_open311(client, {**POTHOLE, "api_key": api_key, "locale": "cy"})
    _response, by_header = post_open311(client, {**POTHOLE, "api_key": api_key}, **{"Accept-Language": "cy-GB"})
    _response, plain = post_open311(client, {**POTHOLE, "api_key": api_key})

    assert [open311_request(body).language for body in (by_locale, by_header, plain)] == ["cy", "cy", "en-gb"]


def test_open311_refuses_a_locale_not_offered_naming_it(client, api_key, media_root):
    response, body = post_open311(client, {**POTHOLE, "api_key": api_key, "locale": "tlh"})

    assert response.status_code == 400
    assert any(text.startswith("locale: 'tlh'") for text in error_descriptions(body))
    assert not ServiceRequest.objects.exists()


def test_the_status_look_up_names_the_service_by_its_page_in_the_requests_language(client, media_root):
    from wagtail.models import Locale

    from home.models import ServicePage

    service = ServicePage.objects.get(slug=MISSED_BIN, locale__language_code="en-gb")
    locale = Locale.objects.get(language_code="cy")
    welsh = service.copy_for_translation(locale, copy_parents=True)
    welsh.title, welsh.how_long = "Rhoi gwybod am fin na chafodd ei gasglu", ""
    welsh.save_revision().publish()
    email = DEMO_ANSWERS[MISSED_BIN]["email"]
    for language, title in (("cy", welsh.title), ("en-gb", service.title)):
        response = post_json(client, MISSED_BIN, {**json_body(DEMO_ANSWERS[MISSED_BIN]), "language": language})
        found = look_up(client, response.json()["reference"], email).json()["service"]
        assert found["title"] == title, (language, found)
