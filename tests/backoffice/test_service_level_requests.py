"""Service levels on real requests: the due date set at intake, the clock stopped while waiting for the
citizen, and the staff list's Due column, filters and sort, and the request page.

Requests are made through `backoffice.intake.submit` with demo forms (fly-tipping: 3 working days;
missed bin: 2 working days); status changes go through `backoffice.casework` or the staff views.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backoffice import casework, service_levels
from backoffice.documents import request_document
from backoffice.models import Channel, RequestEvent, ServiceRequest, Status
from home.models import ServicePage
from home.service_levels import Target

from .factories import FLY_TIPPING, MISSED_BIN, login, make_request, page, text_of

pytestmark = pytest.mark.django_db

INDEX = reverse("backoffice_requests:index")


def detail_url(service_request) -> str:
    return reverse("backoffice_requests:detail", args=[service_request.pk])


def set_due(service_request, due) -> ServiceRequest:
    ServiceRequest.objects.filter(pk=service_request.pk).update(due_at=due)
    service_request.refresh_from_db()
    return service_request


# --- intake -----------------------------------------------------------------------------


@pytest.mark.parametrize("channel", [Channel.WEB, Channel.STAFF])
def test_a_request_gets_its_services_target_and_due_date_when_submitted(media_root, channel):
    before = timezone.now()
    service_request = make_request(FLY_TIPPING, channel=channel)

    assert service_request.service_level == Target(3, "working_days")
    expected = {service_levels.due_at(moment, Target(3, "working_days")) for moment in (before, timezone.now())}
    assert service_request.due_at in expected
    assert timezone.localtime(service_request.due_at).time().isoformat() == "23:59:59"
    submitted = service_request.events.get(kind=RequestEvent.Kind.SUBMITTED)
    assert submitted.due_at == service_request.due_at


def test_a_service_without_a_target_gives_no_due_date(media_root):
    ServicePage.objects.filter(slug=MISSED_BIN).update(target_amount=None, target_unit="")

    service_request = make_request(MISSED_BIN)

    assert service_request.due_at is None and service_request.service_level is None
    assert request_document(service_request, "key")["service_level"] is None


def test_the_request_keeps_the_target_it_was_submitted_with(media_root):
    service_request = make_request(FLY_TIPPING)
    ServicePage.objects.filter(slug=FLY_TIPPING).update(target_amount=1, target_unit="hours")

    service_request.refresh_from_db()
    assert service_request.service_level == Target(3, "working_days")


def test_the_request_document_carries_the_target_and_due_date(media_root):
    service_request = make_request(FLY_TIPPING)

    document = request_document(service_request, "key")

    assert document["service_level"] == {
        "target": {"amount": 3, "unit": "working_days"},
        "due_at": service_request.due_at.isoformat(),
        "paused": False,
    }


# --- the paused clock -------------------------------------------------------------------


def test_waiting_for_the_citizen_stops_the_clock_and_leaving_it_moves_the_due_date_on(media_root, waste_officer):
    service_request = make_request(FLY_TIPPING)
    first_due = service_request.due_at

    stopped = casework.change_status(service_request, Status.WAITING, actor=waste_officer, public_note="Photo?")
    assert service_request.paused_at is not None and service_request.due_at == first_due
    assert stopped.clock_paused is None
    # Waiting a week (7 days back, so the pause spans working days whatever today is).
    week_ago = timezone.now() - timedelta(days=7)
    ServiceRequest.objects.filter(pk=service_request.pk).update(paused_at=week_ago)

    restarted = casework.change_status(service_request, Status.IN_PROGRESS, actor=waste_officer)

    target = Target(3, "working_days")
    paused = service_levels.time_paused(target, week_ago, restarted.created_at)
    assert paused >= timedelta(days=2)
    assert service_request.paused_at is None and service_request.time_paused == paused
    assert service_request.due_at == service_levels.moved_on(first_due, target, paused) > first_due
    assert (restarted.clock_paused, restarted.due_at) == (paused, service_request.due_at)


def test_resolving_a_waiting_request_restarts_the_clock_first(media_root, waste_officer):
    service_request = make_request(FLY_TIPPING)
    casework.change_status(service_request, Status.WAITING, actor=waste_officer)
    ServiceRequest.objects.filter(pk=service_request.pk).update(paused_at=timezone.now() - timedelta(days=7))

    event = casework.change_status(service_request, Status.RESOLVED, actor=waste_officer)

    assert event.clock_paused >= timedelta(days=2) and service_request.paused_at is None
    assert service_request.resolved_at <= service_request.due_at


def test_a_note_while_waiting_does_not_restart_the_clock(media_root, waste_officer):
    service_request = make_request(FLY_TIPPING)
    casework.change_status(service_request, Status.WAITING, actor=waste_officer)
    paused_at = service_request.paused_at

    casework.change_status(service_request, Status.WAITING, actor=waste_officer, internal_note="Chased by phone")

    assert service_request.paused_at == paused_at and service_request.time_paused == timedelta(0)


# --- the staff list ---------------------------------------------------------------------


def due_cells(response) -> dict[str, str]:
    """Each listed reference's Due cell text."""
    soup = page(response)
    if soup.select_one("table.listing") is None:  # nothing listed
        return {}
    headers = [" ".join(th.get_text(" ").split()) for th in soup.select("table.listing thead th")]
    column = headers.index("Due")
    cells = {}
    for row in soup.select("table.listing tbody tr"):
        reference = row.select_one("td.title a").get_text(strip=True)
        cells[reference] = " ".join(row.find_all("td")[column].get_text(" ").split())
    return cells


@pytest.fixture
def requests_by_due(media_root, waste_officer):
    """Waste requests overdue, due today, due later, waiting for the citizen, and without a target."""
    now = timezone.now()
    made = {
        "overdue": set_due(make_request(FLY_TIPPING), now - timedelta(days=3)),
        "today": set_due(make_request(FLY_TIPPING), service_levels.end_of_today(now)),
        "later": set_due(make_request(FLY_TIPPING), now + timedelta(days=40)),
        "paused": make_request(MISSED_BIN),
    }
    casework.change_status(made["paused"], Status.WAITING, actor=waste_officer)
    ServicePage.objects.filter(slug=MISSED_BIN).update(target_amount=None, target_unit="")
    made["no target"] = make_request(MISSED_BIN)
    return made


def test_the_list_says_when_each_request_is_due_with_an_overdue_tag(client, requests_by_due, waste_officer):
    login(client, waste_officer)

    response = client.get(INDEX)

    cells = due_cells(response)
    by_name = {name: cells[request.display_reference] for name, request in requests_by_due.items()}
    assert by_name["overdue"].startswith("Overdue")
    assert by_name["today"] == "Due today"
    assert by_name["later"].startswith("Due in ") and by_name["later"].endswith("working days")
    assert by_name["paused"] == "Paused: waiting for the citizen"
    assert by_name["no target"] == "No target"
    # The overdue state is a tag whose words say so (not colour alone).
    tags = [tag.get_text(strip=True) for tag in page(response).select("table.listing .w-status--primary")]
    assert by_name["overdue"] in tags and "Due today" not in tags


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        ("overdue", {"overdue"}),
        ("today", {"today"}),
        ("week", {"today"}),
        ("paused", {"paused"}),
        ("", {"overdue", "today", "later", "paused", "no target"}),
    ],
)
def test_filter_by_due(client, requests_by_due, waste_officer, due, expected):
    login(client, waste_officer)

    response = client.get(INDEX, {"due": due})

    references = {request.display_reference: name for name, request in requests_by_due.items()}
    assert {references[reference] for reference in due_cells(response)} == expected


def test_a_resolved_overdue_request_is_not_listed_as_overdue(client, requests_by_due, waste_officer):
    casework.change_status(requests_by_due["overdue"], Status.RESOLVED, actor=waste_officer)
    login(client, waste_officer)

    assert due_cells(client.get(INDEX, {"due": "overdue"})) == {}


def test_sort_by_due_date_with_requests_without_one_last(client, requests_by_due, waste_officer):
    login(client, waste_officer)

    ascending = list(due_cells(client.get(INDEX, {"ordering": "due_at"})))
    descending = list(due_cells(client.get(INDEX, {"ordering": "-due_at"})))

    names = {request.display_reference: name for name, request in requests_by_due.items()}
    up, down = [names[reference] for reference in ascending], [names[reference] for reference in descending]
    assert up.index("overdue") < up.index("today") < up.index("later") and up[-1] == "no target"
    assert down.index("later") < down.index("today") < down.index("overdue") and down[-1] == "no target"


def test_the_request_page_shows_target_due_date_and_time_paused_and_the_clock_in_the_history(
    client, media_root, waste_officer
):
    service_request = make_request(FLY_TIPPING)
    casework.change_status(service_request, Status.WAITING, actor=waste_officer)
    ServiceRequest.objects.filter(pk=service_request.pk).update(paused_at=timezone.now() - timedelta(days=7))
    casework.change_status(service_request, Status.IN_PROGRESS, actor=waste_officer)
    login(client, waste_officer)

    text = text_of(client.get(detail_url(service_request)))

    paused = service_levels.paused_text(service_request.service_level, service_request.time_paused)
    due_day = timezone.localtime(service_request.due_at).strftime("%A %-d %B %Y")
    assert "Target 3 working days" in text
    assert f"Due {due_day} (Due in" in text
    assert f"Time paused {paused}" in text
    assert f"Clock restarted after {paused}: now due {due_day}." in text
    assert "Clock stopped while waiting for the citizen." in text


# --- the citizen's tracking page --------------------------------------------------------


def test_tracking_says_when_the_council_aims_to_deal_with_it_until_it_waits_or_is_resolved(
    client, clear_cache, media_root, waste_officer
):
    service_request = make_request(FLY_TIPPING)

    def tracked() -> str:
        reference, email = service_request.display_reference, service_request.contact_email
        return text_of(client.post(reverse("backoffice:track"), {"reference": reference, "email": email}))

    due_day = timezone.localtime(service_request.due_at).strftime("%-d %B %Y")
    assert f"We aim to deal with it by {due_day}" in tracked()
    casework.change_status(service_request, Status.WAITING, actor=waste_officer)
    assert "We are waiting for information from you." in tracked()
    casework.change_status(service_request, Status.RESOLVED, actor=waste_officer)
    assert "We aim to deal with it by" not in tracked()
