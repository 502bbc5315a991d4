"""The retention purge: closed requests lose their personal data after their form's period; figures stay.

`manage.py purge_expired` (run daily by the delivery worker) strips each closed request past
its period (answers, contact email, files in storage, deliveries, history), keeps an anonymous
row with service, channel, queue, dates and status, clears expired sessions and saved journeys,
and does nothing the second time.
"""

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from api.keys import issue
from api.models import QueueApiKey
from backoffice import casework, maintenance, retention
from backoffice.models import Channel, Delivery, MaintenanceRun, RequestEvent, RequestFile, ServiceRequest, Status
from backoffice.relay import Worker
from backoffice.staff import audit
from forms_catalogue.models import SavedJourney

from .factories import (
    CITIZEN_EMAIL,
    FLY_TIPPING,
    MISSED_BIN,
    WASTE,
    department_queue,
    form_page,
    login,
    make_request,
    text_of,
)

pytestmark = pytest.mark.django_db


def closed(service_request, days_ago: float, status: str = Status.CLOSED) -> ServiceRequest:
    """Close the request through casework, then move its closing back `days_ago` days."""
    casework.change_status(service_request, status, actor=None, public_note="Done.")
    when = timezone.now() - timedelta(days=days_ago)
    ServiceRequest.objects.filter(pk=service_request.pk).update(resolved_at=when)
    service_request.refresh_from_db()
    return service_request


def purge() -> dict:
    out = StringIO()
    call_command("purge_expired", "--json", stdout=out)
    return json.loads(out.getvalue())


def stripped(*requests: ServiceRequest) -> list[bool]:
    """Whether each request's personal data has been deleted, as stored now."""
    return [ServiceRequest.objects.get(pk=request.pk).anonymised_at is not None for request in requests]


def retention_days(slug: str) -> int:
    return form_page(slug).retention_days


def test_a_closed_request_past_its_period_keeps_only_anonymous_figures(media_root):
    service_request = closed(make_request(FLY_TIPPING), retention_days(FLY_TIPPING) + 1)
    stored = Path(service_request.files.get().file.path)
    assert stored.exists() and service_request.deliveries.exists() and service_request.events.exists()
    before = ServiceRequest.objects.filter(service=service_request.service, status=Status.CLOSED).count()

    counts = purge()

    service_request.refresh_from_db()
    assert counts["requests"] == 1 and counts["files"] == 1
    assert counts["deliveries"] >= 1 and counts["events"] >= 2
    assert service_request.answers == {} and service_request.contact_email == "" and service_request.assignee is None
    assert service_request.anonymised_at is not None
    assert not stored.exists(), "the file is deleted from storage, not only its row"
    assert not RequestFile.objects.filter(request=service_request).exists()
    assert not Delivery.objects.filter(request=service_request).exists(), "payloads held a copy of the answers"
    assert not RequestEvent.objects.filter(request=service_request).exists()
    # The anonymous row keeps the dashboards' and service levels' counts right.
    assert (service_request.service.slug, service_request.channel, service_request.status) == (
        FLY_TIPPING,
        Channel.WEB,
        Status.CLOSED,
    )
    assert service_request.created_at and service_request.resolved_at and service_request.queue_id
    assert ServiceRequest.objects.filter(service=service_request.service, status=Status.CLOSED).count() == before
    (entry,) = ModelLogEntry.objects.for_instance(service_request).filter(action=audit.RETENTION_PURGE)
    assert entry.data["files"] == 1 and entry.user is None
    assert "Sam" not in json.dumps(entry.data)


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.REJECTED])
def test_resolved_and_rejected_requests_are_closed_too(media_root, status):
    service_request = closed(make_request(MISSED_BIN), retention_days(MISSED_BIN) + 1, status)

    purge()

    service_request.refresh_from_db()
    assert service_request.anonymised_at is not None and service_request.answers == {}


def test_requests_inside_their_period_and_open_requests_are_kept(media_root):
    recent = closed(make_request(MISSED_BIN), retention_days(MISSED_BIN) - 1)
    open_but_ancient = make_request(MISSED_BIN, age_days=5000)

    assert purge()["requests"] == 0

    for kept in (recent, open_but_ancient):
        kept.refresh_from_db()
        assert kept.anonymised_at is None and kept.answers and kept.contact_email


def test_each_form_has_its_own_period(media_root):
    short = form_page(MISSED_BIN)
    short.retention_days = 30
    short.save(update_fields=["retention_days"])
    missed_bin = closed(make_request(MISSED_BIN), 31)
    fly_tipping = closed(make_request(FLY_TIPPING), 31)  # its form keeps requests for two years

    purge()

    assert stripped(missed_bin, fly_tipping) == [True, False]


def test_a_request_without_a_form_uses_the_default_period(media_root, settings):
    settings.RETENTION_DEFAULT_DAYS = 10
    formless = closed(make_request(MISSED_BIN), 11)
    ServiceRequest.objects.filter(pk=formless.pk).update(form_page=None)
    young = closed(make_request(MISSED_BIN), 9)
    ServiceRequest.objects.filter(pk=young.pk).update(form_page=None)

    purge()

    assert stripped(formless, young) == [True, False]


def test_without_resolved_at_a_request_closed_at_its_last_status_change(media_root):
    old_change = closed(make_request(MISSED_BIN), 0)
    recent_change = closed(make_request(MISSED_BIN), 0)
    long_ago = timezone.now() - timedelta(days=retention_days(MISSED_BIN) + 5)
    ServiceRequest.objects.filter(pk__in=[old_change.pk, recent_change.pk]).update(resolved_at=None)
    old_change.events.filter(kind=RequestEvent.Kind.STATUS).update(created_at=long_ago)

    purge()

    assert stripped(old_change, recent_change) == [True, False]


def test_the_purge_goes_in_batches_and_a_second_run_does_nothing(media_root, monkeypatch):
    expired = [closed(make_request(MISSED_BIN), retention_days(MISSED_BIN) + 1) for _ in range(3)]
    batches = []
    strip = retention.strip_personal_data
    monkeypatch.setattr(
        retention, "strip_personal_data", lambda ids, **kwargs: batches.append(list(ids)) or strip(ids, **kwargs)
    )

    first = retention.purge_expired_requests(batch_size=2)
    entries = ModelLogEntry.objects.filter(action=audit.RETENTION_PURGE).count()
    second = retention.purge_expired_requests(batch_size=2)

    assert [len(batch) for batch in batches] == [2, 1]
    assert first.requests == 3 and second.requests == 0
    assert ModelLogEntry.objects.filter(action=audit.RETENTION_PURGE).count() == entries == 3
    assert stripped(*expired) == [True, True, True]


def test_a_purge_asked_to_stop_stops_between_batches(media_root):
    for _ in range(2):
        closed(make_request(MISSED_BIN), retention_days(MISSED_BIN) + 1)
    asked = []

    done = retention.purge_expired_requests(batch_size=1, should_stop=lambda: len(asked.append(1) or asked) > 1)

    assert done.requests == 1
    assert retention.expired_requests().count() == 1


def test_expired_sessions_and_saved_journeys_are_cleared(media_root, settings):
    settings.SESSION_ENGINE = "portal.sessions.db"  # journeys' answers in database sessions
    now = timezone.now()
    Session.objects.create(session_key="expired-session-key-0001", session_data="x", expire_date=now - timedelta(1))
    Session.objects.create(session_key="current-session-key-0001", session_data="x", expire_date=now + timedelta(1))
    page = form_page(MISSED_BIN)
    saved = {
        name: SavedJourney.objects.create(
            page=page, version=page.current_version(), email="sam@example.com", data={}, expires_at=now + delta
        )
        for name, delta in (("expired", timedelta(days=-1)), ("current", timedelta(days=1)))
    }

    counts = purge()

    assert set(Session.objects.values_list("session_key", flat=True)) >= {"current-session-key-0001"}
    assert not Session.objects.filter(session_key="expired-session-key-0001").exists()
    assert counts["saved_journeys"] >= 1
    assert not SavedJourney.objects.filter(pk=saved["expired"].pk).exists()
    assert SavedJourney.objects.filter(pk=saved["current"].pk).exists()


def test_the_command_says_what_it_deleted(media_root):
    closed(make_request(FLY_TIPPING), retention_days(FLY_TIPPING) + 1)
    out = StringIO()

    call_command("purge_expired", stdout=out)

    assert "Deleted the personal data of 1 requests past their retention period (1 files" in out.getvalue()


# --- the daily run ---------------------------------------------------------------------------------


def test_one_worker_claims_the_daily_purge_per_interval():
    now = timezone.now()

    assert maintenance.claim(now=now) is True
    assert maintenance.claim(now=now + timedelta(hours=23)) is False, "another worker, the same day"
    assert maintenance.claim(now=now + timedelta(hours=24, seconds=1)) is True


def test_a_running_worker_starts_the_purge_when_it_is_due_and_records_it(media_root, monkeypatch):
    expired = closed(make_request(MISSED_BIN), retention_days(MISSED_BIN) + 1)
    started = []
    # The purge runs in a thread of its own in a real worker; here in the test's thread and transaction.
    monkeypatch.setattr(maintenance.DailyPurge, "start", lambda self: started.append(1) or self.run())
    worker = Worker()

    worker.daily_purge.tick()
    worker.daily_purge.next_check = 0  # look again at once: not due, as it has just run
    worker.daily_purge.tick()

    assert started == [1]
    expired.refresh_from_db()
    assert expired.anonymised_at is not None
    run = MaintenanceRun.objects.get(name=maintenance.PURGE)
    assert run.finished_at >= run.started_at and run.result["requests"] == 1


def test_deliver_once_runs_the_purge_when_it_is_due_and_no_purge_opts_out(media_root, monkeypatch):
    monkeypatch.setattr("signal.signal", lambda *args: None)  # the command's SIGTERM handler, not this process's
    first = closed(make_request(MISSED_BIN), retention_days(MISSED_BIN) + 1)
    call_command("deliver", "--once", "--no-purge", stdout=StringIO())
    first.refresh_from_db()
    assert first.anonymised_at is None

    call_command("deliver", "--once", stdout=StringIO())

    first.refresh_from_db()
    assert first.anonymised_at is not None
    second = closed(make_request(MISSED_BIN), retention_days(MISSED_BIN) + 1)
    call_command("deliver", "--once", stdout=StringIO())
    second.refresh_from_db()
    assert second.anonymised_at is None, "once a day, not once a run"


# --- what an anonymised request looks like -------------------------------------------------------


def test_staff_see_that_the_personal_data_was_deleted(client, media_root, waste_officer):
    service_request = closed(make_request(FLY_TIPPING), retention_days(FLY_TIPPING) + 1)
    purge()
    login(client, waste_officer)

    response = client.get(reverse("backoffice_requests:detail", args=[service_request.pk]))

    assert response.status_code == 200
    assert "personal data was deleted on" in text_of(response)
    assert "Sam" not in response.content.decode()


def test_an_anonymised_request_is_no_longer_found_by_tracking_or_the_pull_api(client, media_root, clear_cache):
    service_request = closed(make_request(FLY_TIPPING), retention_days(FLY_TIPPING) + 1)
    key = issue(QueueApiKey, name="Waste system", queue=department_queue(WASTE))[1]
    track = {"reference": service_request.reference, "email": CITIZEN_EMAIL}
    listing = "/api/v1/queue/requests?state=all"
    one = f"/api/v1/queue/requests/{service_request.reference}"
    bearer = {"Authorization": f"Bearer {key}"}
    assert service_request.reference in client.get(listing, headers=bearer).content.decode()

    purge()

    assert service_request.reference not in client.get(listing, headers=bearer).content.decode()
    assert client.get(one, headers=bearer).status_code == 404
    assert "We cannot find a request" in text_of(client.post(reverse("backoffice:track"), track))
