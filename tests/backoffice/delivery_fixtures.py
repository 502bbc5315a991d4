"""Fixtures and builders of the delivery tests (outbox, relay, adapters, worker processes).

Test modules take them with `from .delivery_fixtures import *`, so they do not depend on
the back-office conftest that the staff-view tests use.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from backoffice.intake import SubmittedFile, submit
from backoffice.models import Delivery, Destination, DestinationKind, Queue, ServiceRequest
from backoffice.relay import RetryPolicy, Worker
from forms_catalogue.models import EFormPage
from home.models import Department, ServicePage

from .receiver import Receiver
from .worker_db import SharedDatabase, drop_copy, new_shared_database_url

__all__ = ["fast_retry", "receiver", "shared_db", "webhook"]  # the fixtures

WEBHOOK_SECRET = "whsec-test-9f1c2e7a"
WASTE = "Waste and Recycling"
MISSED_BIN = "report-missed-bin"
FLY_TIPPING = "report-fly-tipping"
CITIZEN_EMAIL = "sam.okafor@example.com"
# Tiny delays so retries are due within a fraction of a second.
FAST_RETRY = {"max_attempts": 4, "base_seconds": 0.05, "cap_seconds": 0.4, "lease_seconds": 30.0}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4

ANSWERS: dict[str, dict[str, Any]] = {
    MISSED_BIN: {
        "collection_address": {"line1": "14 Mill Lane", "line2": "", "town": "Ashworth", "postcode": "AB4 7QT"},
        "bin_type": "garden",
        "collection_date": "2026-11-20",
        "out_by_7am": "yes",
        "access_notes": "The bin was left by the side gate.",
        "name": {"first_name": "Sam", "last_name": "Okafor"},
        "email": CITIZEN_EMAIL,
    },
    FLY_TIPPING: {
        "fly_tip_location": {"description": "Lay-by opposite the garage on Mill Lane", "postcode": "AB4 7QT"},
        "waste_types": ["furniture", "tyres"],
        "amount": "van",
        "date_seen": "2026-11-19",
        "photo": {"name": "lay-by.png", "size": len(PNG), "content_type": "image/png"},
        "saw_dumping": "no",
        "name": {"first_name": "Sam", "last_name": "Okafor"},
        "email": CITIZEN_EMAIL,
    },
}


# --- builders ---------------------------------------------------------------------------------


def waste_queue() -> Queue:
    """The Waste and Recycling department's default queue (the missed-bin and fly-tipping forms go there)."""
    return Queue.default_for(Department.objects.get(name=WASTE))


def submit_request(
    slug: str = MISSED_BIN,
    *,
    answers: dict[str, Any] | None = None,
    contact_email: str = CITIZEN_EMAIL,
    with_photo: bool = False,
    **kwargs: Any,
) -> ServiceRequest:
    """A request made through intake.submit against the demo form's published version."""
    service = ServicePage.objects.get(slug=slug)
    version = EFormPage.objects.child_of(service).live().get().current_version()
    files = []
    if with_photo:
        files = [SubmittedFile("photo", SimpleUploadedFile("lay-by.png", PNG, content_type="image/png"))]
    request, created = submit(
        service=service,
        answers=dict(ANSWERS[slug]) if answers is None else answers,
        form_version=version,
        files=files,
        contact_email=contact_email,
        **kwargs,
    )
    assert created
    return request


def drain(batch: int = 20) -> int:
    """One worker pass over everything due now, as `manage.py deliver --once` does; how many were attempted."""
    worker = Worker(batch=batch)
    try:
        return worker.drain()
    finally:
        worker.close()


def wait_until_due(delivery: Delivery, limit: float = 5.0) -> None:
    """Sleep until the delivery's next attempt is due."""
    delivery.refresh_from_db()
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert wait <= limit, f"next attempt is {wait:.2f} s away"
    if wait > 0:
        time.sleep(wait + 0.01)


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def fast_retry():
    """The retry policy with tiny delays (DELIVERY_RETRY overridden as the settings module would)."""
    with override_settings(DELIVERY_RETRY=FAST_RETRY):
        yield RetryPolicy.from_settings()


@pytest.fixture
def receiver():
    """A real webhook receiver on a free local port, checking signatures with WEBHOOK_SECRET."""
    with Receiver(WEBHOOK_SECRET) as running:
        yield running


@pytest.fixture
def webhook(db, receiver) -> Destination:
    """The Waste and Recycling queue pushes its requests to the receiver (a signed webhook)."""
    return Destination.objects.create(
        queue=waste_queue(),
        kind=DestinationKind.WEBHOOK,
        url=receiver.url,
        secret=receiver.secret,
        timeout_seconds=5,
    )


@pytest.fixture
def shared_db(tmp_path):
    """A fresh copy of the demo-council database for this test and the worker processes it starts.

    Workers get the delivery settings below (small backoff, short lease); a test may change
    them before starting its workers. Workers still running at the end are stopped.
    """
    url = new_shared_database_url(tmp_path)
    database = SharedDatabase(
        url=url,
        folder=tmp_path,
        delivery={
            "DELIVERY_MAX_ATTEMPTS": "30",
            "DELIVERY_BACKOFF_SECONDS": "0.05",
            "DELIVERY_BACKOFF_CAP_SECONDS": "0.5",
            "DELIVERY_LEASE_SECONDS": "3",
        },
    )
    yield database
    database.stop_workers()
    drop_copy(url)
