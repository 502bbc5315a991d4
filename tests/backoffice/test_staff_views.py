"""Staff work their queue in the Wagtail admin: the request list, a request's page, and casework actions.

Users log in with their password and belong to the demo council's department staff groups;
requests are made through `backoffice.intake.submit` with demo forms' answers and uploads.
"""

import pytest
from django.db import IntegrityError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice import casework, service_levels
from backoffice.models import Delivery, DeliveryKind, RequestEvent, ServiceRequest, Status
from forms_catalogue.definition import FormDefinition
from tests.forms_catalogue.journey_helpers import PNG_BYTES

from .factories import (
    FLY_TIPPING,
    HIGHWAYS,
    HOUSING_REGISTER,
    MISSED_BIN,
    POTHOLE,
    department_queue,
    form_data,
    login,
    make_request,
    make_staff,
    page,
    staff_file_link,
    staff_group,
    text_of,
    with_new_webhook,
)

pytestmark = pytest.mark.django_db

INDEX = reverse("backoffice_requests:index")


def detail_url(service_request) -> str:
    return reverse("backoffice_requests:detail", args=[service_request.pk])


def action_url(name: str, service_request) -> str:
    return reverse(f"backoffice_requests:{name}", args=[service_request.pk])


def listed(response) -> list[str]:
    """The references in the listing, top to bottom."""
    return [cell.get_text(strip=True) for cell in page(response).select("table.listing tbody td.title a")]


def messages_of(response) -> list[str]:
    """The admin's messages on the page (without the "Go to the first error" button of error messages)."""
    messages = []
    for item in page(response).select(".messages li"):
        for button in item.select("button"):
            button.decompose()
        messages.append(" ".join(item.get_text(" ").split()))
    return messages


def status_post(service_request, **fields) -> dict:
    """What the status form posts: the status seen when the page was drawn, plus the fields given."""
    return {"seen_status": service_request.status, "status": service_request.status, **fields}


def label_of(service_request, question_id: str) -> str:
    return FormDefinition.from_json(service_request.form_snapshot).question(question_id).label


def answer_row(response, label: str) -> str:
    """The answer shown beside a question's label on a request's page."""
    for row in page(response).select("#answers-section tr"):
        header = row.find("th")
        if header and header.get_text(strip=True) == label:
            return row.find("td").get_text(" ", strip=True)
    raise AssertionError(f"no answer row labelled {label!r}")


# --- the request list --------------------------------------------------------------------


def test_list_shows_the_users_queues_newest_first_with_service_status_age_and_assignee(
    client, media_root, waste_officer
):
    older = make_request(FLY_TIPPING, age_days=3)
    newer = make_request(MISSED_BIN)
    highways = make_request(POTHOLE)
    casework.assign(older, waste_officer, actor=waste_officer)
    login(client, waste_officer)

    response = client.get(INDEX)

    assert response.status_code == 200
    assert listed(response) == [newer.display_reference, older.display_reference]
    assert highways.display_reference not in response.content.decode()
    rows = {
        row.select_one("td.title").get_text(strip=True): [
            " ".join(cell.get_text(" ").split()) for cell in row.select("td")
        ]
        for row in page(response).select("table.listing tbody tr")
    }
    assert rows[older.display_reference][1:] == [
        "Report fly-tipping",
        "Received",
        "Waste and Recycling",
        service_levels.due_state(older).text,
        "Web form",
        "English",
        "3 days ago",
        "Wendy Tester",
    ]
    assert rows[newer.display_reference][1] == "Report a missed bin collection"
    assert rows[newer.display_reference][-1] == "Unassigned"


def test_superuser_sees_every_queue(client, media_root, superuser):
    waste, highways = make_request(FLY_TIPPING), make_request(POTHOLE)
    login(client, superuser)

    assert set(listed(client.get(INDEX))) >= {waste.display_reference, highways.display_reference}


def test_filter_by_status_including_any_open_status(client, media_root, waste_officer):
    received = make_request(FLY_TIPPING)
    in_progress = make_request(FLY_TIPPING)
    resolved = make_request(MISSED_BIN)
    casework.change_status(in_progress, Status.IN_PROGRESS, actor=waste_officer)
    casework.change_status(resolved, Status.RESOLVED, actor=waste_officer)
    login(client, waste_officer)

    assert listed(client.get(INDEX, {"status": "in_progress"})) == [in_progress.display_reference]
    assert listed(client.get(INDEX, {"status": "resolved"})) == [resolved.display_reference]
    assert listed(client.get(INDEX, {"status": "open"})) == [in_progress.display_reference, received.display_reference]


def test_filter_by_service(client, media_root, waste_officer):
    fly_tipping = make_request(FLY_TIPPING)
    missed_bin = make_request(MISSED_BIN)
    login(client, waste_officer)

    response = client.get(INDEX, {"service": fly_tipping.service_id})

    assert listed(response) == [fly_tipping.display_reference]
    assert missed_bin.display_reference not in listed(response)


def test_filter_by_queue_for_staff_of_two_queues(client, media_root):
    officer = make_staff("dual", HIGHWAYS)
    officer.groups.add(staff_group("Waste and Recycling"))
    waste, highways = make_request(FLY_TIPPING), make_request(POTHOLE)
    login(client, officer)

    assert listed(client.get(INDEX)) == [highways.display_reference, waste.display_reference]
    assert listed(client.get(INDEX, {"queue": waste.queue_id})) == [waste.display_reference]
    assert listed(client.get(INDEX, {"queue": highways.queue_id})) == [highways.display_reference]


def test_filter_by_age(client, media_root, waste_officer):
    today = make_request(FLY_TIPPING)
    this_week = make_request(FLY_TIPPING, age_days=3)
    old = make_request(FLY_TIPPING, age_days=10)
    login(client, waste_officer)

    assert listed(client.get(INDEX, {"age": "today"})) == [today.display_reference]
    assert listed(client.get(INDEX, {"age": "week"})) == [today.display_reference, this_week.display_reference]
    assert listed(client.get(INDEX, {"age": "older"})) == [old.display_reference]


def test_filter_by_assignee_me_unassigned_someone_else_or_anyone(client, media_root, waste_officer, waste_colleague):
    mine = make_request(FLY_TIPPING, age_days=2)
    theirs = make_request(FLY_TIPPING, age_days=1)
    nobodys = make_request(FLY_TIPPING)
    casework.assign(mine, waste_officer, actor=waste_officer)
    casework.assign(theirs, waste_colleague, actor=waste_colleague)
    login(client, waste_officer)

    assert listed(client.get(INDEX, {"assignee": "me"})) == [mine.display_reference]
    assert listed(client.get(INDEX, {"assignee": "unassigned"})) == [nobodys.display_reference]
    assert listed(client.get(INDEX, {"assignee": "others"})) == [theirs.display_reference]
    assert listed(client.get(INDEX, {"assignee": ""})) == [
        nobodys.display_reference,
        theirs.display_reference,
        mine.display_reference,
    ]


def test_list_is_paginated(client, media_root, waste_officer):
    made = [make_request(MISSED_BIN, age_days=day / 10) for day in range(27)]
    login(client, waste_officer)

    first, second = client.get(INDEX), client.get(INDEX, {"p": 2})

    assert listed(first) == [request.display_reference for request in made[:25]]
    assert listed(second) == [request.display_reference for request in made[25:]]
    assert "Page 1 of 2" in text_of(first)


def test_search_finds_a_reference_typed_with_spaces_dashes_or_lower_case(client, media_root, waste_officer):
    wanted, other = make_request(FLY_TIPPING), make_request(FLY_TIPPING)
    typed = " ".join(wanted.display_reference.lower().split("-"))
    login(client, waste_officer)

    assert listed(client.get(INDEX, {"q": typed})) == [wanted.display_reference]
    assert other.display_reference not in listed(client.get(INDEX, {"q": wanted.display_reference}))


@pytest.mark.parametrize(
    "query",
    [
        {"status": "bogus"},
        {"queue": "not-a-number"},
        {"queue": "999999"},
        {"service": "-1"},
        {"age": "yesterday"},
        {"assignee": "<script>"},
        {"p": "abc"},
        {"p": "999"},
        {"ordering": "contact_email"},
        {"q": "%%%"},
    ],
)
def test_bad_list_parameters_never_give_an_error_page(client, media_root, waste_officer, query):
    make_request(FLY_TIPPING)
    login(client, waste_officer)

    assert client.get(INDEX, query).status_code == 200
    assert client.get(reverse("backoffice_requests:index_results"), query).status_code == 200


def test_reference_url_opens_the_request(client, media_root, waste_officer):
    service_request = make_request(FLY_TIPPING)
    login(client, waste_officer)

    response = client.get(reverse("backoffice_requests:reference", args=[service_request.display_reference.lower()]))

    assert response.status_code == 302 and response["Location"] == detail_url(service_request)


# --- a request's page ----------------------------------------------------------------------


def test_detail_shows_the_answers_with_their_labels_by_step(client, media_root, waste_officer):
    service_request = make_request(FLY_TIPPING)
    login(client, waste_officer)

    response = client.get(detail_url(service_request))

    assert response.status_code == 200
    assert answer_row(response, label_of(service_request, "vehicle_registration")) == "AB12 CDE"
    assert answer_row(response, label_of(service_request, "waste_types")) == "Furniture or mattresses Tyres"
    assert "Lay-by opposite the garage on Mill Lane" in answer_row(
        response, label_of(service_request, "fly_tip_location")
    )
    headings = [heading.get_text(strip=True) for heading in page(response).select("#answers-section h3")]
    steps = [step["title"] for step in service_request.form_snapshot["steps"]]
    assert headings == [title for title in steps if title in headings] and len(headings) >= 5
    summary = text_of(response)
    assert "Report fly-tipping" in summary and "sam.okafor@example.com" in summary


def test_detail_shows_each_item_of_a_repeating_step(client, media_root, superuser):
    service_request = make_request(HOUSING_REGISTER)
    login(client, superuser)

    response = client.get(detail_url(service_request))

    sections = {
        heading.get_text(strip=True): heading.find_next("table").get_text(" ", strip=True)
        for heading in page(response).select("#answers-section h3")
    }
    assert "Ada Okafor" in sections["Person 1"] and "Partner" in sections["Person 1"]
    assert "Ben Okafor" in sections["Person 2"] and "Ben Okafor" not in sections["Person 1"]


def test_detail_lists_files_with_a_staff_download_link(client, media_root, waste_officer):
    service_request = make_request(FLY_TIPPING)
    stored = service_request.files.get()
    login(client, waste_officer)

    response = client.get(detail_url(service_request))

    link = page(response).select_one("#files-section table a")
    assert link.get_text(strip=True) == "lay-by.png"
    path, _sep, query = link["href"].partition("?")
    assert path == reverse("backoffice_requests:file", args=[service_request.pk, stored.pk])
    assert query.startswith("link="), "a short-lived link tied to this session (tests/backoffice/test_file_links.py)"
    assert label_of(service_request, "photo") in page(response).select_one("#files-section").get_text()


def test_file_download_is_an_attachment_with_nosniff(client, media_root, waste_officer):
    service_request = make_request(FLY_TIPPING)
    login(client, waste_officer)

    response = client.get(staff_file_link(client, service_request))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG_BYTES
    assert response["Content-Disposition"].startswith("attachment;") and "lay-by.png" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]


def test_file_missing_from_storage_is_not_found_not_an_error(client, media_root, waste_officer):
    service_request = make_request(FLY_TIPPING)
    stored = service_request.files.get()
    login(client, waste_officer)
    link = staff_file_link(client, service_request)
    stored.file.storage.delete(stored.file.name)

    response = client.get(link)

    assert response.status_code == 404


def test_detail_shows_the_history_with_actors_and_both_kinds_of_note(client, media_root, waste_officer):
    service_request = make_request(FLY_TIPPING)
    casework.assign(service_request, waste_officer, actor=waste_officer)
    casework.change_status(
        service_request,
        Status.IN_PROGRESS,
        actor=waste_officer,
        public_note="A crew will clear the lay-by on Friday.",
        internal_note="Ask enforcement to check the CCTV.",
    )
    login(client, waste_officer)

    response = client.get(detail_url(service_request))

    rows = [
        " ".join(row.get_text(" ").split()) for row in page(response).select("#history-section tr.backoffice-event")
    ]
    assert len(rows) == 3
    assert "Wendy Tester" in rows[0] and "Received → In progress" in rows[0]
    assert "To the citizen: A crew will clear the lay-by on Friday." in rows[0]
    assert "Internal: Ask enforcement to check the CCTV." in rows[0]
    assert "Assigned: Wendy Tester" in rows[1]
    assert "Submitted" in rows[2] and "Web form" in rows[2]


def test_detail_shows_the_deliveries_and_their_state(client, media_root, waste_officer):
    service_request = make_request(FLY_TIPPING)
    login(client, waste_officer)

    response = client.get(detail_url(service_request))

    rows = [
        " ".join(row.get_text(" ").split())
        for row in page(response).select("#deliveries-section tr.backoffice-delivery")
    ]
    assert len(rows) == 1 and rows[0].startswith("Email to the citizen") and "Pending" in rows[0]
    assert not page(response).select("#deliveries-section form"), "staff without the permission cannot replay"


def test_request_without_a_form_snapshot_shows_its_stored_answers(client, media_root, superuser):
    service_request = make_request(FLY_TIPPING)
    ServiceRequest.objects.filter(pk=service_request.pk).update(form_snapshot={"steps": "broken"})
    login(client, superuser)

    response = client.get(detail_url(service_request))

    assert response.status_code == 200
    assert answer_row(response, "vehicle_registration") == "AB12 CDE"


# --- claim and assign -----------------------------------------------------------------------


def test_claim_assigns_the_request_to_me_with_a_history_event(client, media_root, waste_officer):
    service_request = make_request(FLY_TIPPING)
    login(client, waste_officer)

    response = client.post(action_url("claim", service_request), {"seen_assignee": ""}, follow=True)

    service_request.refresh_from_db()
    assert service_request.assignee == waste_officer
    event = service_request.events.latest("pk")
    assert (event.kind, event.actor, event.assignee) == (RequestEvent.Kind.ASSIGNED, waste_officer, waste_officer)
    assert "You have claimed this request." in messages_of(response)
    assert not service_request.deliveries.exclude(idempotency_key__endswith="-confirmation").exists()


def test_claim_after_a_colleague_claimed_it_says_so_and_changes_nothing(
    client, media_root, waste_officer, waste_colleague
):
    service_request = make_request(FLY_TIPPING)
    login(client, waste_officer)
    client.get(detail_url(service_request))  # the page is drawn while the request is unassigned
    casework.assign(service_request, waste_colleague, actor=waste_colleague)

    response = client.post(action_url("claim", service_request), {"seen_assignee": ""}, follow=True)

    service_request.refresh_from_db()
    assert service_request.assignee == waste_colleague
    assert any("assigned to Walter Tester after you opened it" in message for message in messages_of(response))
    assert service_request.events.filter(kind=RequestEvent.Kind.ASSIGNED).count() == 1


def test_assign_to_a_member_of_the_queues_group(client, media_root, waste_officer, waste_colleague):
    service_request = make_request(FLY_TIPPING)
    login(client, waste_officer)

    form = client.get(detail_url(service_request))
    options = [option.get_text(strip=True) for option in page(form).select("#assign_assignee option")]
    response = client.post(
        action_url("assign", service_request), {"assignee": waste_colleague.pk, "seen_assignee": ""}, follow=True
    )

    assert options == ["Choose a member of staff", "Walter Tester", "Wendy Tester"]
    service_request.refresh_from_db()
    assert service_request.assignee == waste_colleague
    assert service_request.events.latest("pk").actor == waste_officer
    assert "Request assigned to Walter Tester." in messages_of(response)


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        ("outsider", "Choose a member of this queue's staff from the list"),
        ("", "Choose who to assign the request to"),
        ("not-a-number", "Choose a member of this queue's staff from the list"),
    ],
)
def test_assign_to_someone_outside_the_queue_or_nobody_gives_a_clear_error(
    client, media_root, waste_officer, highways_officer, choice, message
):
    service_request = make_request(FLY_TIPPING)
    login(client, waste_officer)
    value = highways_officer.pk if choice == "outsider" else choice

    response = client.post(action_url("assign", service_request), {"assignee": value, "seen_assignee": ""})

    assert response.status_code == 200
    summary = page(response).select_one("#assign-errors")
    assert summary.select_one("a").get_text(strip=True) == message
    assert summary.select_one("a")["href"] == "#assign_assignee"
    assert message in page(response).select_one("#assign_assignee").find_parent(class_="w-field").get_text()
    service_request.refresh_from_db()
    assert service_request.assignee is None
    assert not service_request.events.filter(kind=RequestEvent.Kind.ASSIGNED).exists()


# --- status and notes -----------------------------------------------------------------------


def test_status_change_with_a_public_note_writes_the_event_and_exactly_one_citizen_email(
    client, media_root, waste_officer
):
    service_request = make_request(FLY_TIPPING)
    before = set(Delivery.objects.values_list("pk", flat=True))
    login(client, waste_officer)

    response = client.post(
        action_url("status", service_request),
        status_post(
            service_request,
            status=Status.RESOLVED,
            public_note="We cleared the lay-by this morning.",
            internal_note="Two tyres went to the depot.",
        ),
        follow=True,
    )

    service_request.refresh_from_db()
    assert service_request.status == Status.RESOLVED and service_request.resolved_at is not None
    event = service_request.events.latest("pk")
    assert (event.kind, event.actor, event.from_status, event.to_status) == (
        RequestEvent.Kind.STATUS,
        waste_officer,
        Status.RECEIVED,
        Status.RESOLVED,
    )
    assert (event.public_note, event.internal_note) == (
        "We cleared the lay-by this morning.",
        "Two tyres went to the depot.",
    )
    new = Delivery.objects.exclude(pk__in=before)
    assert new.count() == 1
    email = new.get()
    assert (email.kind, email.event, email.request) == (DeliveryKind.CITIZEN_EMAIL, event, service_request)
    assert email.payload["to"] == ["sam.okafor@example.com"]
    assert "We cleared the lay-by this morning." in email.payload["body"]
    assert "Two tyres" not in email.payload["body"]
    assert "Status changed to 'Resolved'. The citizen will be emailed." in messages_of(response)


def test_an_internal_note_alone_records_an_event_and_emails_nobody(client, media_root, waste_officer):
    service_request = make_request(FLY_TIPPING)
    deliveries_before = Delivery.objects.count()
    login(client, waste_officer)

    response = client.post(
        action_url("status", service_request),
        status_post(service_request, internal_note="Called the landowner, no answer."),
        follow=True,
    )

    service_request.refresh_from_db()
    assert service_request.status == Status.RECEIVED
    event = service_request.events.latest("pk")
    assert (event.kind, event.internal_note, event.public_note) == (
        RequestEvent.Kind.NOTE,
        "Called the landowner, no answer.",
        "",
    )
    assert Delivery.objects.count() == deliveries_before
    assert "Note added." in messages_of(response)


def test_a_public_note_without_a_status_change_emails_the_citizen_once(client, media_root, waste_officer):
    service_request = make_request(FLY_TIPPING)
    login(client, waste_officer)

    client.post(action_url("status", service_request), status_post(service_request, public_note="We are on it."))

    event = service_request.events.latest("pk")
    assert event.kind == RequestEvent.Kind.NOTE
    assert list(Delivery.objects.filter(event=event).values_list("kind", flat=True)) == [DeliveryKind.CITIZEN_EMAIL]


def test_status_change_and_its_email_are_written_together_or_not_at_all(media_root, waste_officer):
    service_request = make_request(FLY_TIPPING)
    probe = RequestEvent.objects.create(request=service_request, kind=RequestEvent.Kind.NOTE)
    next_event_pk = probe.pk + 1
    probe.delete()
    # A row already holding the key the status email will need makes writing that email fail.
    Delivery.objects.create(
        request=service_request,
        kind=DeliveryKind.CITIZEN_EMAIL,
        payload={},
        idempotency_key=f"{service_request.reference}-e{next_event_pk}",
    )
    events_before = service_request.events.count()

    with pytest.raises(IntegrityError):
        casework.change_status(service_request, Status.IN_PROGRESS, actor=waste_officer, public_note="On our way.")

    service_request.refresh_from_db()
    assert service_request.status == Status.RECEIVED
    assert service_request.events.count() == events_before


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({}, "status_status_0", "The request is already 'Received'. Choose a different status, or add a note"),
        (
            {"internal_note": "   "},
            "status_status_0",
            "The request is already 'Received'. Choose a different status, or add a note",
        ),
        ({"status": "archived"}, "status_status_0", "Choose a status from the list"),
        ({"status": ""}, "status_status_0", "Choose a status"),
        (
            {"status": "in_progress", "public_note": "x" * 5001},
            "status_public_note",
            "The note for the citizen must be 5000 characters or fewer",
        ),
    ],
)
def test_a_bad_status_change_gives_a_clear_error_and_changes_nothing(
    client, media_root, waste_officer, fields, field_id, message
):
    service_request = make_request(FLY_TIPPING)
    events_before, deliveries_before = service_request.events.count(), Delivery.objects.count()
    login(client, waste_officer)

    response = client.post(action_url("status", service_request), status_post(service_request, **fields))

    assert response.status_code == 200
    summary = page(response).select_one("#status-errors")
    assert [(link["href"], link.get_text(strip=True)) for link in summary.select("a")] == [(f"#{field_id}", message)]
    assert page(response).find(id=field_id) is not None
    assert "The request was not changed. Correct the problem shown and try again." in messages_of(response)
    service_request.refresh_from_db()
    assert service_request.status == Status.RECEIVED
    assert (service_request.events.count(), Delivery.objects.count()) == (events_before, deliveries_before)


def test_a_stale_status_change_is_refused_with_a_clear_message(client, media_root, waste_officer, waste_colleague):
    service_request = make_request(FLY_TIPPING)
    seen = status_post(service_request, status=Status.IN_PROGRESS, public_note="Starting now.")
    casework.change_status(service_request, Status.REJECTED, actor=waste_colleague)
    login(client, waste_officer)

    response = client.post(action_url("status", service_request), seen)

    assert response.status_code == 200
    assert (
        "Someone changed the status to 'Rejected' after you opened this request. "
        "Check its history, then make your change again." in page(response).select_one("#status-errors").get_text()
    )
    service_request.refresh_from_db()
    assert service_request.status == Status.REJECTED
    assert "Starting now." not in [event.public_note for event in service_request.events.all()]


@pytest.mark.parametrize("name", ["claim", "assign", "status"])
def test_actions_accept_only_post(client, media_root, waste_officer, name):
    service_request = make_request(FLY_TIPPING)
    login(client, waste_officer)

    assert client.get(action_url(name, service_request)).status_code == 405


@pytest.mark.parametrize("name", ["claim", "assign", "status"])
def test_actions_need_the_csrf_token(media_root, waste_officer, waste_colleague, name):
    service_request = make_request(FLY_TIPPING)
    browser = Client(enforce_csrf_checks=True)
    login(browser, waste_officer)
    data = {"seen_assignee": "", "assignee": waste_colleague.pk, **status_post(service_request, status="closed")}

    response = browser.post(action_url(name, service_request), data)

    assert response.status_code == 403
    service_request.refresh_from_db()
    assert (service_request.status, service_request.assignee) == (Status.RECEIVED, None)


def test_the_forms_on_the_page_work_as_drawn(client, media_root, waste_officer):
    """Post each form with the hidden fields the page itself drew (as a browser would)."""
    service_request = make_request(FLY_TIPPING)
    login(client, waste_officer)
    drawn = page(client.get(detail_url(service_request)))
    forms = {form["action"]: form for form in drawn.select("#work-section form")}

    def hidden(action):
        return {field["name"]: field.get("value", "") for field in forms[action].select("input[type=hidden]")}

    claim = action_url("claim", service_request)
    assert client.post(claim, hidden(claim)).status_code == 302
    status = action_url("status", service_request)
    assert client.post(status, {**hidden(status), "status": "waiting"}).status_code == 302

    service_request.refresh_from_db()
    assert (service_request.assignee, service_request.status) == (waste_officer, Status.WAITING)


def test_menu_shows_requests_to_queue_staff(client, media_root, waste_officer):
    login(client, waste_officer)

    home = client.get(reverse("wagtailadmin_home")).content.decode()

    assert '"name": "requests"' in home and INDEX in home
    assert '"name": "back-office"' not in home


def test_queue_admins_point_a_queue_at_a_webhook_in_the_admin(client, media_root, superuser):
    queue = department_queue(HIGHWAYS)
    edit_url = reverse("backoffice_queues:edit", args=[queue.pk])
    login(client, superuser)
    data = form_data(page(client.get(edit_url)).select_one("form[method=post]"))
    data = with_new_webhook(data, "https://highways.example.gov.uk/portal", "s3cret-signing-key")

    response = client.post(edit_url, data)

    assert response.status_code == 302, page(response).select(".error-message")
    destination = queue.destinations.get(kind="webhook")
    assert (destination.url, destination.enabled) == ("https://highways.example.gov.uk/portal", True)
    pothole = make_request(POTHOLE)
    assert pothole.deliveries.filter(kind=DeliveryKind.WEBHOOK, destination=destination).count() == 1


def test_the_list_takes_the_same_number_of_queries_however_many_rows(client, media_root, waste_officer):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(INDEX).status_code == 200
        return len(captured.captured_queries)

    login(client, waste_officer)
    counts = []
    for rows in (2, 8):
        while ServiceRequest.objects.count() < rows:
            assignee = make_staff(f"officer{ServiceRequest.objects.count()}", "Waste and Recycling")
            casework.assign(make_request(MISSED_BIN), assignee, actor=assignee)
        counts.append(queries())

    assert counts[0] == counts[1]


def test_a_queue_holding_requests_cannot_be_deleted(client, media_root, superuser):
    service_request = make_request(FLY_TIPPING)
    login(client, superuser)

    response = client.post(reverse("backoffice_queues:delete", args=[service_request.queue_id]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("backoffice_queues:edit", args=[service_request.queue_id])
    assert "'Waste and Recycling' still holds requests, so it cannot be deleted." in messages_of(response)
    service_request.refresh_from_db()
    assert service_request.queue.name == "Waste and Recycling"
