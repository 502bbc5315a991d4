"""Back-office pull: a department system lists, reads, acknowledges and updates its queue's requests.

Requests are made through `backoffice.intake.submit` (demo forms' answers and uploads); the
API is called through Django's test client with real queue keys issued by `api.keys`.
"""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import ModelLogEntry

from api.keys import issue
from api.models import Open311Client, QueueApiKey
from backoffice import casework
from backoffice.documents import request_document
from backoffice.models import Delivery, DeliveryKind, RequestEvent, ServiceRequest, Status
from backoffice.staff import audit
from tests.backoffice.delivery_fixtures import drain
from tests.backoffice.factories import (
    CITIZEN_EMAIL,
    FLY_TIPPING,
    HIGHWAYS,
    MISSED_BIN,
    POTHOLE,
    WASTE,
    department_queue,
    login,
    make_request,
    make_user,
    text_of,
)
from tests.forms_catalogue.journey_helpers import PNG_BYTES

pytestmark = pytest.mark.django_db

LIST = "/api/v1/queue/requests"
PROBLEM = "application/problem+json"
PULL_EXTRAS = {"acknowledged_at", "updated_at", "url"}


@pytest.fixture
def waste_key():
    """A live key of the Waste and Recycling queue, in clear."""
    return issue(QueueApiKey, name="Waste system", queue=department_queue(WASTE))[1]


@pytest.fixture
def highways_key():
    """A live key of the Highways queue: must never reach Waste and Recycling's requests."""
    return issue(QueueApiKey, name="Highways system", queue=department_queue(HIGHWAYS))[1]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def get(client, path: str, key: str, **params):
    return client.get(path, params, headers=bearer(key))


def post(client, path: str, key: str, body: dict | str | None = None):
    data = body if isinstance(body, str) else json.dumps(body or {})
    return client.post(path, data, content_type="application/json", headers=bearer(key))


def request_path(service_request, suffix: str = "") -> str:
    return f"{LIST}/{service_request.reference}{suffix}"


def references(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["reference"] for item in response.json()["items"]]


def pull_all(client, key: str, limit: int, between_pages=None, **params) -> list[str]:
    """Follow `next` links to the end; `between_pages(page_number)` runs after each page."""
    seen, response, page_number = [], get(client, LIST, key, limit=limit, **params), 1
    while True:
        seen += references(response)
        next_link = response.json()["next"]
        if between_pages:
            between_pages(page_number)
        if not next_link:
            return seen
        response = client.get(next_link, headers=bearer(key))
        page_number += 1


def endpoints(service_request) -> list[tuple[str, str, dict | None]]:
    """(method, path, body) of every endpoint of the pull API, for this request."""
    file_id = service_request.files.values_list("pk", flat=True).first() or 1
    return [
        ("get", LIST, None),
        ("get", request_path(service_request), None),
        ("get", request_path(service_request, f"/files/{file_id}"), None),
        ("post", request_path(service_request, "/acknowledge"), {}),
        ("post", request_path(service_request, "/status"), {"status": "in_progress"}),
    ]


def call(client, method: str, path: str, body, headers: dict[str, str]):
    if method == "get":
        return client.get(path, headers=headers)
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def assert_problem(response, status: int, kind: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"] == f"/api/v1/problems/{kind}" and body["status"] == status and body["title"]
    return body


# --- keys --------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", range(5))
def test_every_endpoint_refuses_a_missing_wrong_revoked_or_foreign_kind_key_with_401(client, media_root, endpoint):
    service_request = make_request(FLY_TIPPING)
    record, key = issue(QueueApiKey, name="Revoked system", queue=service_request.queue)
    record.revoke()
    open311_key = issue(Open311Client, name="FixMyStreet")[1]
    live_key = issue(QueueApiKey, name="Waste system", queue=service_request.queue)[1]
    method, path, body = endpoints(service_request)[endpoint]
    refused = [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": f"Basic {live_key}"},
        {"Authorization": f"Bearer {live_key[:-2]}xx"},
        {"Authorization": "Bearer pq_abcdefgh_not-a-key"},
        bearer(key),
        bearer(open311_key),
    ]

    for headers in refused:
        response = call(client, method, path, body, headers)
        assert_problem(response, 401, "unauthenticated")
        assert response["WWW-Authenticate"].startswith("Bearer")
    service_request.refresh_from_db()
    assert (service_request.status, service_request.acknowledged_at) == (Status.RECEIVED, None)


@pytest.mark.parametrize("endpoint", range(1, 5))
def test_another_queues_key_gets_the_same_404_as_for_a_reference_that_does_not_exist(
    client, media_root, highways_key, endpoint
):
    waste_request = make_request(FLY_TIPPING)
    method, path, body = endpoints(waste_request)[endpoint]
    events_before = waste_request.events.count()

    response = call(client, method, path, body, bearer(highways_key))

    problem = assert_problem(response, 404, "not-found")
    missing_path = path.replace(waste_request.reference, "ACDEFGHJKM")
    missing = call(client, method, missing_path, body, bearer(highways_key)).json()
    assert {**problem, "instance": ""} == {**missing, "instance": ""}
    waste_request.refresh_from_db()
    assert (waste_request.status, waste_request.acknowledged_at) == (Status.RECEIVED, None)
    assert waste_request.events.count() == events_before


def test_the_list_shows_the_keys_queue_only(client, media_root, waste_key, highways_key):
    fly_tipping, missed_bin, pothole = make_request(FLY_TIPPING), make_request(MISSED_BIN), make_request(POTHOLE)

    assert references(get(client, LIST, waste_key, state="all")) == [fly_tipping.reference, missed_bin.reference]
    assert references(get(client, LIST, highways_key, state="all")) == [pothole.reference]


# --- listing -----------------------------------------------------------------------------


def test_each_item_is_the_webhook_document_with_acknowledgement_update_time_and_links(client, media_root, waste_key):
    service_request = make_request(FLY_TIPPING)

    (item,) = get(client, LIST, waste_key).json()["items"]

    webhook = request_document(service_request, f"{service_request.reference}-pull")
    (photo,) = item["files"]
    assert photo["download_url"] == f"http://testserver{request_path(service_request)}/files/{photo['id']}"
    # A pulled file's link is its download link, which works with the key (no bearer link leaves the API).
    assert photo["url"] == photo["download_url"]
    assert {key: value for key, value in item.items() if key not in PULL_EXTRAS} == {
        **webhook,
        "files": [{**webhook["files"][0], "download_url": photo["download_url"], "url": photo["url"]}],
    }
    assert item["type"] == "council-portal.service-request" and item["version"] == 1
    assert item["acknowledged_at"] is None
    assert item["url"] == f"http://testserver{request_path(service_request)}"
    assert item["answers"] == service_request.answers and item["contact_email"] == CITIZEN_EMAIL


@pytest.mark.parametrize("endpoint", range(5))
def test_no_answer_of_the_pull_api_may_be_cached(client, media_root, waste_key, endpoint):
    method, path, body = endpoints(make_request(FLY_TIPPING))[endpoint]

    response = call(client, method, path, body, bearer(waste_key))

    assert response.status_code == 200
    assert {"no-store", "private"} <= {part.strip() for part in response["Cache-Control"].split(",")}


def test_new_requests_oldest_first_by_default_newest_first_on_request(client, media_root, waste_key):
    oldest = make_request(FLY_TIPPING, age_days=2)
    middle = make_request(MISSED_BIN, age_days=1)
    newest = make_request(FLY_TIPPING)
    casework.acknowledge(middle, by="Waste system")

    assert references(get(client, LIST, waste_key)) == [oldest.reference, newest.reference]
    assert references(get(client, LIST, waste_key, order="newest")) == [newest.reference, oldest.reference]
    assert references(get(client, LIST, waste_key, state="all", order="newest")) == [
        newest.reference,
        middle.reference,
        oldest.reference,
    ]


def test_filter_by_status_and_by_update_time(client, media_root, waste_key):
    untouched = make_request(FLY_TIPPING)
    worked = make_request(MISSED_BIN)
    ServiceRequest.objects.filter(pk=untouched.pk).update(updated_at=untouched.created_at.replace(year=2025))
    since = untouched.created_at.replace(microsecond=0)
    casework.change_status(worked, Status.IN_PROGRESS, actor=None)

    assert references(get(client, LIST, waste_key, status="in_progress")) == [worked.reference]
    assert references(get(client, LIST, waste_key, status="received")) == [untouched.reference]
    assert references(get(client, LIST, waste_key, updated_since=since.isoformat())) == [worked.reference]
    assert references(get(client, LIST, waste_key, updated_since="2020-01-01T00:00:00")) == [
        untouched.reference,
        worked.reference,
    ]


@pytest.mark.parametrize(
    "params, pointer",
    [
        ({"state": "old"}, "/state"),
        ({"status": "done"}, "/status"),
        ({"order": "random"}, "/order"),
        ({"updated_since": "yesterday"}, "/updated_since"),
        ({"limit": 0}, "/limit"),
        ({"limit": 101}, "/limit"),
        ({"limit": "ten"}, "/limit"),
    ],
)
def test_bad_list_parameters_are_a_400_problem_naming_the_parameter(client, waste_key, params, pointer):
    problem = assert_problem(get(client, LIST, waste_key, **params), 400, "invalid-request")

    assert [error["pointer"] for error in problem["errors"]] == [pointer]


def test_paging_oldest_first_with_requests_added_between_pages_misses_none_and_repeats_none(
    client, media_root, waste_key
):
    before = [make_request(MISSED_BIN, age_days=5 - index) for index in range(5)]
    added = []

    def submit_two_more(page_number):
        if page_number <= 2:
            added.extend([make_request(MISSED_BIN), make_request(MISSED_BIN)])

    seen = pull_all(client, waste_key, 2, between_pages=submit_two_more)

    assert len(seen) == len(set(seen)) == 9
    assert seen == [request.reference for request in before + added]


def test_paging_newest_first_with_requests_added_between_pages_keeps_to_the_listing_it_started(
    client, media_root, waste_key
):
    before = [make_request(MISSED_BIN, age_days=5 - index) for index in range(5)]

    seen = pull_all(client, waste_key, 2, between_pages=lambda _page: make_request(MISSED_BIN), order="newest")

    assert seen == [request.reference for request in reversed(before)]


def test_acknowledging_while_paging_new_requests_skips_none(client, media_root, waste_key):
    """The system acknowledges each page as it stores it: the next page still starts after the last row."""
    before = [make_request(MISSED_BIN, age_days=7 - index) for index in range(7)]
    acknowledged = []

    def acknowledge_listed(page_number):
        for service_request in ServiceRequest.objects.filter(acknowledged_at__isnull=True).order_by("created_at")[:3]:
            assert post(client, request_path(service_request, "/acknowledge"), waste_key).status_code == 200
            acknowledged.append(service_request.reference)

    seen = pull_all(client, waste_key, 3, between_pages=acknowledge_listed)

    assert seen == acknowledged == [request.reference for request in before]
    assert references(get(client, LIST, waste_key)) == []


def test_a_page_holds_at_most_100_and_the_next_link_keeps_the_filters(client, media_root, waste_key):
    for index in range(3):
        make_request(MISSED_BIN, age_days=3 - index)
    in_progress = [make_request(MISSED_BIN, age_days=2 - index / 10) for index in range(3)]
    for service_request in in_progress:
        casework.change_status(service_request, Status.IN_PROGRESS, actor=None)

    first = get(client, LIST, waste_key, status="in_progress", limit=2).json()
    second = client.get(first["next"], headers=bearer(waste_key)).json()

    assert "status" not in first["next"] and "limit=2" in first["next"]
    assert [item["reference"] for item in first["items"] + second["items"]] == [r.reference for r in in_progress]
    assert second["next"] is None


def test_a_cursor_cannot_be_forged_moved_to_another_queue_or_given_other_filters(
    client, media_root, waste_key, highways_key
):
    for _ in range(3):
        make_request(MISSED_BIN)
    next_link = get(client, LIST, waste_key, limit=1).json()["next"]
    (cursor,) = parse_qs(urlsplit(next_link).query)["cursor"]

    assert len(references(get(client, LIST, waste_key, cursor=cursor, state="new", limit=5))) == 2
    assert_problem(get(client, LIST, waste_key, cursor=cursor[:-3] + "abc"), 400, "invalid-cursor")
    assert_problem(get(client, LIST, waste_key, cursor="not a cursor"), 400, "invalid-cursor")
    assert_problem(get(client, LIST, highways_key, cursor=cursor), 400, "invalid-cursor")
    mismatch = assert_problem(get(client, LIST, waste_key, cursor=cursor, order="newest"), 400, "cursor-mismatch")
    assert "order" in mismatch["detail"]


def test_a_page_costs_the_same_number_of_queries_however_many_requests_it_holds(client, media_root, waste_key):
    def queries_for_a_page() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert get(client, LIST, waste_key, state="all").status_code == 200
        return len(queries.captured_queries)

    make_request(FLY_TIPPING)
    queries_for_a_page()  # the key's first use is recorded once
    with_one = queries_for_a_page()
    for slug in (FLY_TIPPING, MISSED_BIN, FLY_TIPPING, MISSED_BIN):
        make_request(slug)

    assert queries_for_a_page() == with_one == 4  # key, requests, their files, one audit insert


def test_listing_is_audited_once_per_request_with_the_keys_name(client, media_root, waste_key):
    listed = [make_request(FLY_TIPPING), make_request(MISSED_BIN)]

    get(client, LIST, waste_key)

    for service_request in listed:
        (entry,) = ModelLogEntry.objects.for_instance(service_request).filter(action=audit.VIEW_REQUEST)
        assert entry.user is None and entry.data == {"via": "Waste system"}
        assert entry.message == "Viewed the request's answers, through the API (Waste system)"


# --- one request and its files -----------------------------------------------------------


@pytest.mark.parametrize("typed", ["as stored", "with dashes", "lower case", "spaced"])
def test_a_request_is_found_by_its_reference_typed_as_the_track_page_accepts_it(client, media_root, waste_key, typed):
    service_request = make_request(FLY_TIPPING)
    reference = {
        "as stored": service_request.reference,
        "with dashes": service_request.display_reference,
        "lower case": service_request.display_reference.lower(),
        "spaced": service_request.display_reference.replace("-", "%20"),
    }[typed]

    response = get(client, f"{LIST}/{reference}", waste_key)

    assert response.status_code == 200, response.content
    assert response.json()["reference"] == service_request.reference


def test_a_request_has_its_answers_labels_contact_status_channel_files_and_whole_history(client, media_root, waste_key):
    service_request = make_request(FLY_TIPPING)
    officer = make_user("wendy")
    casework.change_status(
        service_request, Status.IN_PROGRESS, actor=officer, public_note="On our list.", internal_note="Depot aware."
    )

    document = get(client, request_path(service_request), waste_key).json()

    assert document["answers"] == service_request.answers
    labels = {question["id"]: question["label"] for question in document["form"]["questions"]}
    assert set(service_request.answers) <= set(labels) and all(labels.values())
    assert (document["contact_email"], document["status"], document["channel"]) == (
        CITIZEN_EMAIL,
        "in_progress",
        "web",
    )
    (photo,) = document["files"]
    stored = service_request.files.get()
    assert (photo["id"], photo["name"], photo["size"], photo["content_type"]) == (
        stored.pk,
        stored.original_name,
        len(PNG_BYTES),
        "image/png",
    )
    assert [(event["kind"], event["to_status"]) for event in document["history"]] == [
        ("submitted", "received"),
        ("status", "in_progress"),
    ]
    change = document["history"][1]
    assert (change["public_note"], change["internal_note"], change["staff"], change["via"]) == (
        "On our list.",
        "Depot aware.",
        "Wendy Tester",
        None,
    )
    assert document["assigned_to"] is None


def test_a_file_comes_with_the_bytes_stored_as_an_uncached_attachment(client, media_root, waste_key):
    service_request = make_request(FLY_TIPPING)
    (photo,) = get(client, request_path(service_request), waste_key).json()["files"]

    response = client.get(photo["download_url"], headers=bearer(waste_key))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG_BYTES
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    (entry,) = ModelLogEntry.objects.for_instance(service_request).filter(action=audit.DOWNLOAD_FILE)
    assert entry.data["via"] == "Waste system" and entry.data["file_id"] == photo["id"]


def test_a_file_of_another_request_or_one_no_longer_stored_is_404(client, media_root, waste_key):
    first, second = make_request(FLY_TIPPING), make_request(FLY_TIPPING)
    other_file = second.files.get()

    assert_problem(get(client, request_path(first, f"/files/{other_file.pk}"), waste_key), 404, "not-found")
    assert_problem(get(client, request_path(first, "/files/999999"), waste_key), 404, "not-found")
    other_file.file.storage.delete(other_file.file.name)
    gone = assert_problem(get(client, request_path(second, f"/files/{other_file.pk}"), waste_key), 404, "not-found")
    assert gone["detail"] == "The file is no longer stored."
    assert_problem(get(client, request_path(first, "/files/photo"), waste_key), 400, "invalid-request")


# --- acknowledging -----------------------------------------------------------------------


def test_acknowledging_twice_is_fine_and_reports_the_first_time(client, media_root, waste_key):
    service_request = make_request(FLY_TIPPING)

    first = post(client, request_path(service_request, "/acknowledge"), waste_key)
    again = post(client, request_path(service_request, "/acknowledge"), waste_key)

    assert first.status_code == again.status_code == 200
    assert first.json()["already_acknowledged"] is False and again.json()["already_acknowledged"] is True
    service_request.refresh_from_db()
    assert first.json()["acknowledged_at"] == again.json()["acknowledged_at"]
    assert first.json()["acknowledged_at"] == service_request.acknowledged_at.isoformat()
    (event,) = service_request.events.filter(kind=RequestEvent.Kind.ACKNOWLEDGED)
    assert (event.via, event.actor, event.to_status) == ("Waste system", None, Status.RECEIVED)
    assert references(get(client, LIST, waste_key)) == []
    assert references(get(client, LIST, waste_key, state="all")) == [service_request.reference]
    assert not Delivery.objects.filter(event=event).exists(), "the citizen is not told of an acknowledgement"


def test_staff_see_the_acknowledgement_and_api_changes_by_the_keys_name(client, media_root, waste_key):
    service_request = make_request(FLY_TIPPING)
    post(client, request_path(service_request, "/acknowledge"), waste_key)
    post(client, request_path(service_request, "/status"), waste_key, {"status": "in_progress"})
    login(client, make_user("admin", superuser=True))

    page_text = text_of(client.get(reverse("backoffice_requests:detail", args=[service_request.pk])))

    assert "Waste system (API) Acknowledged" in page_text
    assert "Waste system (API) Status changed: Received → In progress" in page_text
    assert "Changed status from Received to In progress, through the API (Waste system)" in page_text


# --- changing the status -----------------------------------------------------------------


def test_a_status_change_writes_the_event_with_the_key_and_emails_the_citizen_as_staff_would(
    client, media_root, waste_key
):
    service_request = make_request(FLY_TIPPING)
    drain()  # the confirmation email
    mail.outbox.clear()

    response = post(
        client,
        request_path(service_request, "/status"),
        waste_key,
        {"status": "resolved", "public_note": "We cleared the lay-by.", "internal_note": "Two tyres to the depot."},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["reference"], body["status"], body["citizen_emailed"]) == (service_request.reference, "resolved", True)
    assert (body["event"]["kind"], body["event"]["via"], body["event"]["staff"]) == ("status", "Waste system", None)
    service_request.refresh_from_db()
    assert service_request.status == Status.RESOLVED and service_request.resolved_at is not None
    event = service_request.events.latest("pk")
    assert (event.kind, event.actor, event.via, event.from_status, event.to_status) == (
        RequestEvent.Kind.STATUS,
        None,
        "Waste system",
        Status.RECEIVED,
        Status.RESOLVED,
    )
    assert Delivery.objects.get(event=event).kind == DeliveryKind.CITIZEN_EMAIL
    assert drain() == 1
    (email,) = mail.outbox
    assert email.to == [CITIZEN_EMAIL]
    assert "We cleared the lay-by." in email.body and "Resolved" in email.body
    assert "Two tyres" not in email.body


def test_an_internal_note_alone_is_recorded_and_emails_nobody(client, media_root, waste_key):
    service_request = make_request(FLY_TIPPING)

    response = post(
        client, request_path(service_request, "/status"), waste_key, {"status": "received", "internal_note": "Seen."}
    )

    assert response.status_code == 200 and response.json()["citizen_emailed"] is False
    assert service_request.events.latest("pk").kind == RequestEvent.Kind.NOTE


@pytest.mark.parametrize(
    "body, message",
    [
        ({"status": "done"}, "Unknown status 'done'."),
        ({"status": "received"}, "The request already has this status. Add a note to record something new."),
        ({"status": "received", "public_note": "   "}, "The request already has this status."),
    ],
)
def test_a_change_the_rules_refuse_is_a_422_problem_with_the_reason(client, media_root, waste_key, body, message):
    service_request = make_request(FLY_TIPPING)
    events_before = service_request.events.count()

    problem = assert_problem(
        post(client, request_path(service_request, "/status"), waste_key, body), 422, "invalid-change"
    )

    assert problem["detail"].startswith(message)
    assert service_request.events.count() == events_before


@pytest.mark.parametrize(
    "body, pointer",
    [
        ({}, "/status"),
        ({"status": 7}, "/status"),
        ({"status": "resolved", "public_note": "x" * 5001}, "/public_note"),
        ({"status": "resolved", "notes": "typo"}, "/notes"),
    ],
)
def test_a_bad_body_is_a_400_problem_naming_the_field(client, media_root, waste_key, body, pointer):
    service_request = make_request(FLY_TIPPING)

    problem = assert_problem(
        post(client, request_path(service_request, "/status"), waste_key, body), 400, "invalid-request"
    )

    assert pointer in [error["pointer"] for error in problem["errors"]]
    service_request.refresh_from_db()
    assert service_request.status == Status.RECEIVED


@pytest.mark.parametrize(
    "raw, kind", [("not json", "http-error"), ("[1, 2]", "invalid-request"), ("", "invalid-request")]
)
def test_a_body_that_is_not_a_json_object_is_a_400_problem(client, media_root, waste_key, raw, kind):
    service_request = make_request(FLY_TIPPING)

    assert_problem(post(client, request_path(service_request, "/status"), waste_key, raw), 400, kind)
