"""Idempotency-Key: a retry gets the first result and stores nothing new; another body with the key is refused."""

import pytest

from api.idempotency import intake_key
from api.models import IdempotentSubmission
from backoffice.models import ServiceRequest
from tests.forms_catalogue.demo_answers import DEMO_ANSWERS, answers_for

from .submitting import json_body, multipart_body, post_json, post_multipart, problem

pytestmark = pytest.mark.django_db

CODE = "report-fly-tipping"
KEY = "7d4f9c1e-2b3a-4c5d-8e6f-0a1b2c3d4e5f"


def test_the_same_key_and_body_twice_store_one_request_and_replay_the_first_result(client, media_root):
    first = post_json(client, CODE, json_body(DEMO_ANSWERS[CODE]), **{"Idempotency-Key": KEY})
    again = post_json(client, CODE, json_body(DEMO_ANSWERS[CODE]), **{"Idempotency-Key": KEY})

    assert (first.status_code, again.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in first
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    stored = ServiceRequest.objects.get(reference=first.json()["reference"])
    assert ServiceRequest.objects.filter(service=stored.service, channel="api").count() == 1
    assert stored.files.count() == 1
    assert stored.idempotency_key == intake_key(KEY)
    assert stored.idempotency_key.startswith("api:") and len(stored.idempotency_key) == 64


def test_the_same_submission_as_multipart_is_the_same_body(client, media_root):
    first = post_json(client, CODE, json_body(DEMO_ANSWERS[CODE]), **{"Idempotency-Key": KEY})
    again = post_multipart(client, CODE, multipart_body(DEMO_ANSWERS[CODE]), **{"Idempotency-Key": KEY})

    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["reference"] == first.json()["reference"]


@pytest.mark.parametrize(
    "other",
    [
        {"answers": answers_for(CODE, amount="car_boot")},
        {"code": "report-missed-bin", "answers": DEMO_ANSWERS["report-missed-bin"]},
    ],
    ids=["another-answer", "another-form"],
)
def test_the_same_key_with_another_body_is_refused(client, media_root, other):
    first = post_json(client, CODE, json_body(DEMO_ANSWERS[CODE]), **{"Idempotency-Key": KEY})
    reused = post_json(client, other.get("code", CODE), json_body(other["answers"]), **{"Idempotency-Key": KEY})

    assert first.status_code == 201
    document = problem(reused, 422, "idempotency-key-reused")
    assert "another body" in document["detail"]
    assert ServiceRequest.objects.filter(channel="api").count() == 1


def test_a_key_whose_first_try_was_refused_can_be_used_once_the_answers_are_put_right(client, media_root):
    wrong = post_json(client, CODE, json_body(answers_for(CODE, email="nope")), **{"Idempotency-Key": KEY})
    right = post_json(client, CODE, json_body(DEMO_ANSWERS[CODE]), **{"Idempotency-Key": KEY})

    assert wrong.status_code == 422
    assert right.status_code == 201
    assert "Idempotent-Replayed" not in right
    assert IdempotentSubmission.objects.get(key=KEY).request.reference == right.json()["reference"]


def test_different_keys_make_different_requests(client, media_root):
    first = post_json(client, CODE, json_body(DEMO_ANSWERS[CODE]), **{"Idempotency-Key": "one"})
    second = post_json(client, CODE, json_body(DEMO_ANSWERS[CODE]), **{"Idempotency-Key": "two"})

    assert first.json()["reference"] != second.json()["reference"]


def test_a_request_already_stored_under_the_key_by_a_concurrent_call_is_replayed(client, media_root):
    """The second of two racing calls finds intake's request for the key (intake's unique key) and replays it."""
    racing_first = post_json(client, CODE, json_body(DEMO_ANSWERS[CODE]), **{"Idempotency-Key": KEY})
    IdempotentSubmission.objects.filter(key=KEY).update(key="looked up before the first call recorded it")

    second = post_json(client, CODE, json_body(DEMO_ANSWERS[CODE]), **{"Idempotency-Key": KEY})

    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json()["reference"] == racing_first.json()["reference"]
    assert ServiceRequest.objects.filter(channel="api").count() == 1


@pytest.mark.parametrize("key", ["", "   ", "x" * 65, "clé", "tab\there"])
def test_a_key_the_api_does_not_accept_is_a_400_problem(client, key):
    response = post_json(client, CODE, json_body(DEMO_ANSWERS[CODE]), **{"Idempotency-Key": key})

    assert "64 printable ASCII" in problem(response, 400, "invalid-idempotency-key")["detail"]
    assert not ServiceRequest.objects.filter(channel="api").exists()


def test_a_key_of_64_printable_characters_is_accepted(client, media_root):
    key = "A-z0~!" + "9" * 58

    assert post_json(client, CODE, json_body(DEMO_ANSWERS[CODE]), **{"Idempotency-Key": key}).status_code == 201
