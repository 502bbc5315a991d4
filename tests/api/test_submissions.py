"""Submitting through the portal API stores what the web journey stores, and every bad body is a problem document."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backoffice.models import Channel, ServiceRequest
from tests.forms_catalogue.demo_answers import DEMO_ANSWERS, answers_for
from tests.forms_catalogue.journey_helpers import Journey, form_page, stored_answers

from .submitting import SUBMIT, json_body, multipart_body, post_json, post_multipart, problem

pytestmark = pytest.mark.django_db

# A condition (garden waste), a repeating step (household), one file, three files (one a PDF).
FORMS = ["report-missed-bin", "housing-register", "report-fly-tipping", "blue-badge"]


def stored_files(service_request: ServiceRequest) -> list[tuple]:
    return sorted(
        (item.question_id, item.item_index, item.original_name, item.content_type, item.size)
        for item in service_request.files.all()
    )


@pytest.mark.parametrize("code", FORMS)
def test_json_and_multipart_submissions_store_what_the_web_journey_stores(client, media_root, code):
    page = form_page(code)
    web_request, _confirmation = Journey(client, page).start().send(DEMO_ANSWERS[code])

    as_json = post_json(client, code, json_body(DEMO_ANSWERS[code]))
    as_multipart = post_multipart(client, code, multipart_body(DEMO_ANSWERS[code]))

    assert (as_json.status_code, as_multipart.status_code) == (201, 201), (as_json.content, as_multipart.content)
    for response in (as_json, as_multipart):
        stored = ServiceRequest.objects.get(reference=response.json()["reference"])
        assert stored.answers == web_request.answers == stored_answers(DEMO_ANSWERS[code])
        assert stored_files(stored) == stored_files(web_request)
        assert (stored.channel, web_request.channel) == (Channel.API, Channel.WEB)
        assert stored.form_version == web_request.form_version == page.current_version()
        assert stored.service_id == web_request.service_id
        assert stored.queue_id == web_request.queue_id
        assert stored.contact_email == web_request.contact_email


def test_a_created_request_gives_its_reference_status_and_where_to_follow_it(client, media_root):
    response = post_json(client, "report-missed-bin", json_body(DEMO_ANSWERS["report-missed-bin"]))

    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    assert "Idempotent-Replayed" not in response
    body = response.json()
    stored = ServiceRequest.objects.get(reference=body["reference"])
    assert body["display_reference"] == stored.display_reference
    assert (body["status"], body["status_label"]) == ("received", "Received")
    assert body["form"] == {"code": "report-missed-bin", "version": stored.form_revision_id}
    assert body["links"]["status"] == "http://testserver/api/v1/requests/status"
    assert body["links"]["track"].endswith("/track/")


def test_invalid_answers_name_each_bad_answer_by_pointer_and_question_id(client, media_root):
    answers = answers_for("housing-register", email="not an email", tenure=None)
    body = json_body(answers)
    body["answers"]["household"][1]["person_date_of_birth"] = "2015-02-30"

    document = problem(post_json(client, "housing-register", body), 422, "invalid-answers")

    where = {(error["pointer"], error["question_id"], error["code"]) for error in document["errors"]}
    assert where == {
        ("/tenure", "tenure", "required"),
        ("/household/1/person_date_of_birth", "person_date_of_birth", "invalid"),
        ("/email", "email", "invalid"),
    }
    assert all(error["message"] for error in document["errors"])
    assert not ServiceRequest.objects.filter(channel=Channel.API).exists()


def test_a_file_of_the_wrong_type_is_refused_with_the_web_forms_message(client, media_root):
    body = json_body(DEMO_ANSWERS["report-fly-tipping"])
    body["files"]["/photo"] = {"name": "lay-by.png", "content_base64": "PGh0bWw+PC9odG1sPg=="}  # "<html></html>"

    document = problem(post_json(client, "report-fly-tipping", body), 422, "invalid-answers")

    assert [(error["pointer"], error["question_id"]) for error in document["errors"]] == [("/photo", "photo")]


def test_answers_that_lead_to_an_exit_page_get_its_id_title_and_text(client, media_root):
    answers = answers_for("blue-badge", lives_in_ashworth="no")

    document = problem(post_json(client, "blue-badge", json_body(answers)), 422, "exit-page")

    exit_page = document["exit_page"]
    assert exit_page["id"] == "apply_to_your_council"
    assert exit_page["title"] == "You cannot apply for a Blue Badge online"
    assert exit_page["paragraphs"][0] == "We can only give a Blue Badge to someone who lives in Ashworth."
    assert len(exit_page["paragraphs"]) == 3
    assert exit_page["text"] == "\n\n".join(exit_page["paragraphs"])
    assert document["detail"].startswith("You cannot apply for a Blue Badge online\n\nWe can only give")
    assert not ServiceRequest.objects.filter(channel=Channel.API).exists()


def test_an_unknown_form_is_a_404_problem(client):
    document = problem(post_json(client, "no-such-form", {"answers": {}}), 404, "form-not-found")

    assert "no-such-form" in document["detail"]
    assert document["instance"] == SUBMIT.format(code="no-such-form")


@pytest.mark.parametrize(
    ("body", "kind", "detail"),
    [
        ("{", "invalid-json", "The body is not valid JSON: expecting property name enclosed in double quotes"),
        (" \n", "invalid-json", "The body is empty."),
        ('{"answers": NaN}', "invalid-json", "The body is not JSON the portal can read"),
        ("[" * 100_000 + "]" * 100_000, "invalid-json", "The body is not JSON the portal can read"),
        (b'{"answers": "\xff"}', "invalid-json", "The body is not UTF-8 text."),
        ("[]", "invalid-body", "The body must be a JSON object"),
        ("{}", "invalid-body", "The body has no 'answers'"),
        ('{"answers": []}', "invalid-body", "'answers' must be an object"),
        ('{"answers": {}, "extra": 1}', "invalid-body", "The body has an unknown field 'extra'."),
        ('{"answers": {}, "files": []}', "invalid-body", "'files' must be an object"),
    ],
)
def test_a_body_that_is_not_a_submission_is_a_400_problem(client, body, kind, detail):
    document = problem(post_json(client, "report-missed-bin", body), 400, kind)

    assert document["detail"].startswith(detail), document["detail"]


@pytest.mark.parametrize(
    ("files", "pointer", "code", "part"),
    [
        ({"/photo": {"name": "a.png", "content_base64": "not base64!"}}, "/photo", "invalid_base64", "content_base64"),
        ({"/photo": {"name": "a.png", "content_base64": "iVBORw0KGgo"}}, "/photo", "invalid_base64", "content_base64"),
        ({"/photo": {"name": "a.png", "content_base64": 12}}, "/photo", "invalid_base64", "content_base64"),
        ({"/photo": {"name": "", "content_base64": ""}}, "/photo", "invalid_name", "name"),
        ({"/photo": {"name": "a" * 256, "content_base64": ""}}, "/photo", "invalid_name", "name"),
        ({"/photo": {"name": "a.png", "content_base64": "", "size": 3}}, "/photo", "invalid_file", ""),
        ({"/photo": "iVBORw0KGgo="}, "/photo", "invalid_file", ""),
        ({"photo": {"name": "a.png", "content_base64": ""}}, "photo", "invalid_pointer", ""),
    ],
)
def test_a_file_that_cannot_be_read_is_named_by_pointer_question_id_and_part(client, files, pointer, code, part):
    body = {"answers": {}, "files": files}

    document = problem(post_json(client, "report-fly-tipping", body), 400, "invalid-files")

    (error,) = document["errors"]
    question_id = "photo" if pointer.startswith("/") else ""  # a name that is not a pointer names no question
    assert (error["pointer"], error["question_id"], error["code"], error["part"]) == (pointer, question_id, code, part)
    assert error["message"]


def test_base64_may_be_wrapped_over_lines(client, media_root):
    body = json_body(DEMO_ANSWERS["report-fly-tipping"])
    encoded = body["files"]["/photo"]["content_base64"]
    body["files"]["/photo"]["content_base64"] = "\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))

    assert post_json(client, "report-fly-tipping", body).status_code == 201


def test_a_body_over_the_limit_is_refused_from_its_content_length_before_it_is_read(client, settings):
    settings.API_MAX_BODY_BYTES = 1024 * 1024
    body = json.dumps({"answers": {"access_notes": "x" * (1024 * 1024)}})

    document = problem(post_json(client, "report-missed-bin", body), 413, "body-too-large")
    assert document["detail"] == "A submission, with its files, can be at most 1 MB."

    # The declared length alone decides: a client that says it is sending too much is stopped at once.
    claimed = client.post(
        SUBMIT.format(code="report-missed-bin"), "{}", content_type="application/json", CONTENT_LENGTH="2000000"
    )
    problem(claimed, 413, "body-too-large")


def test_a_multipart_body_over_the_limit_is_refused(client, settings):
    settings.API_MAX_BODY_BYTES = 1024 * 1024
    parts = {"answers": "{}", "/photo": SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (1024 * 1024))}

    problem(post_multipart(client, "report-fly-tipping", parts), 413, "body-too-large")


def test_another_media_type_or_none_is_a_415_problem(client):
    response = client.post(SUBMIT.format(code="report-missed-bin"), "answers=1", content_type="text/plain")
    without_body = client.generic("POST", SUBMIT.format(code="report-missed-bin"))

    assert "text/plain" in problem(response, 415, "unsupported-media-type")["detail"]
    assert "without a Content-Type" in problem(without_body, 415, "unsupported-media-type")["detail"]


@pytest.mark.parametrize(
    ("parts", "kind", "detail"),
    [
        ({"answers": "{"}, "invalid-json", "The 'answers' part is not valid JSON"),
        ({}, "invalid-json", "The 'answers' part is empty."),
        ({"answers": "[1]"}, "invalid-body", "'answers' must be an object"),
        ({"answers": "{}", "email": "a@example.com"}, "invalid-body", "The part 'email' is not a file."),
        ({"answers": ["{}", "{}"]}, "invalid-body", "Send one 'answers' part."),
    ],
)
def test_a_multipart_body_that_is_not_a_submission_is_a_400_problem(client, parts, kind, detail):
    document = problem(post_multipart(client, "report-missed-bin", parts), 400, kind)

    assert document["detail"].startswith(detail), document["detail"]


def test_two_files_for_one_question_in_multipart_are_refused(client):
    photo = [SimpleUploadedFile("a.png", b"\x89PNG"), SimpleUploadedFile("b.png", b"\x89PNG")]

    document = problem(
        post_multipart(client, "report-fly-tipping", {"answers": "{}", "/photo": photo}), 400, "invalid-files"
    )

    assert [(error["pointer"], error["code"]) for error in document["errors"]] == [("/photo", "too_many_files")]


def test_a_broken_multipart_body_is_a_400_problem(client):
    response = client.post(
        SUBMIT.format(code="report-missed-bin"), b"--x\r\nnonsense", content_type="multipart/form-data; boundary="
    )

    problem(response, 400, "invalid-multipart")
