"""Intake and the outbox: a request and the messages it must send are written together, or not at all."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.db import DatabaseError, connection, transaction

from backoffice.casework import change_status
from backoffice.intake import submit
from backoffice.models import (
    Delivery,
    DeliveryKind,
    DeliveryState,
    Destination,
    DestinationKind,
    RequestEvent,
    RequestFile,
    ServiceRequest,
)

from .delivery_fixtures import *  # noqa: F403
from .delivery_fixtures import ANSWERS, CITIZEN_EMAIL, FLY_TIPPING, MISSED_BIN, drain, submit_request, waste_queue

pytestmark = pytest.mark.django_db


def row_counts() -> tuple[int, int, int, int]:
    return (
        ServiceRequest.objects.count(),
        RequestEvent.objects.count(),
        RequestFile.objects.count(),
        Delivery.objects.count(),
    )


def stored_files(media_root) -> list:
    return [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []


def test_submit_writes_the_request_its_history_and_one_delivery_per_destination(webhook, media_root):
    Destination.objects.create(queue=waste_queue(), kind=DestinationKind.EMAIL, email_to="waste@example.com")
    Destination.objects.create(
        queue=waste_queue(), kind=DestinationKind.EMAIL, email_to="off@example.com", enabled=False
    )

    request = submit_request(FLY_TIPPING, with_photo=True)

    assert request.events.get().kind == RequestEvent.Kind.SUBMITTED
    assert request.files.get().original_name == "lay-by.png"
    deliveries = {delivery.kind: delivery for delivery in request.deliveries.all()}
    assert set(deliveries) == {DeliveryKind.WEBHOOK, DeliveryKind.EMAIL, DeliveryKind.CITIZEN_EMAIL}
    assert all(delivery.state == DeliveryState.PENDING and delivery.attempts == 0 for delivery in deliveries.values())
    assert deliveries["webhook"].idempotency_key == f"{request.reference}-d{webhook.pk}"
    assert deliveries["citizen_email"].idempotency_key == f"{request.reference}-confirmation"
    assert deliveries["webhook"].payload["reference"] == request.reference
    assert deliveries["webhook"].payload["idempotency_key"] == deliveries["webhook"].idempotency_key
    assert deliveries["citizen_email"].payload["to"] == [CITIZEN_EMAIL]
    assert request.display_reference in deliveries["citizen_email"].payload["subject"]


def test_a_failure_inside_submit_rolls_back_the_request_its_files_and_its_deliveries(webhook, media_root):
    """The outbox INSERT fails (as a full disk or a lost connection would): nothing of the request is left."""
    before = row_counts()

    def fail_on_outbox_insert(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "backoffice_delivery"'):
            raise DatabaseError("could not write to the outbox")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_on_outbox_insert), pytest.raises(DatabaseError, match="outbox"):
        submit_request(FLY_TIPPING, with_photo=True)

    assert row_counts() == before
    assert stored_files(media_root) == []  # the photo written before the failure was removed


def test_submit_joins_the_callers_transaction(webhook, media_root):
    before = row_counts()
    with pytest.raises(RuntimeError), transaction.atomic():
        request = submit_request()
        assert request.deliveries.count() == 2
        raise RuntimeError("the caller's own step failed after submit")
    assert row_counts() == before


def test_a_repeated_idempotency_key_returns_the_first_request_and_queues_nothing_more(webhook):
    first = submit_request(idempotency_key="api:client-7:abc")
    deliveries = Delivery.objects.count()
    again, created = submit(service=first.service, answers=ANSWERS[MISSED_BIN], idempotency_key="api:client-7:abc")
    assert (again, created) == (first, False)
    assert Delivery.objects.count() == deliveries


def test_no_contact_email_means_no_confirmation_and_a_queue_without_destinations_sends_nothing():
    request = submit_request(contact_email="")
    assert not request.deliveries.exists()


def test_dates_and_decimals_in_answers_reach_the_document_as_json(webhook):
    """API callers may pass Python values; the outbox stores them as the request does (ISO date, decimal string)."""
    answers = {**ANSWERS[MISSED_BIN], "collection_date": datetime.date(2026, 11, 20), "bins": Decimal("2.5")}
    request = submit_request(answers=answers)
    payload = request.deliveries.get(kind=DeliveryKind.WEBHOOK).payload
    assert payload["answers"]["collection_date"] == "2026-11-20"
    assert payload["answers"]["bins"] == "2.5"
    request.refresh_from_db()
    assert request.answers["collection_date"] == "2026-11-20"


def test_a_status_change_queues_the_citizens_update_in_the_same_transaction(fast_retry):
    request = submit_request()
    drain()  # the confirmation
    assert [message.subject for message in mail.outbox] == [
        f"{request.service.title}: we have your request {request.display_reference}"
    ]

    with pytest.raises(RuntimeError), transaction.atomic():
        change_status(request, "in_progress", actor=None, public_note="A crew will come on Friday.")
        raise RuntimeError("rolled back")
    assert not Delivery.objects.filter(event__isnull=False).exists()

    event = change_status(request, "in_progress", actor=None, public_note="A crew will come on Friday.")
    delivery = Delivery.objects.get(event=event)
    assert delivery.kind == DeliveryKind.CITIZEN_EMAIL
    assert delivery.idempotency_key == f"{request.reference}-e{event.pk}"

    assert drain() == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    update = mail.outbox[-1]
    assert update.to == [CITIZEN_EMAIL]
    assert "A crew will come on Friday." in update.body
    assert "In progress" in update.body
