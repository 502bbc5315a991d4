"""The delivery worker's housekeeping: the retention purge, run once a day however many workers there are.

Each worker asks `due()` now and then (every `CHECK_SECONDS`); the first to win the
conditional UPDATE of the job's `MaintenanceRun.started_at` runs `manage.py purge_expired` in
a thread of its own, so deliveries keep flowing while it works, and records when it finished
and what it did. A worker that stops asks the purge to stop after its current batch.
"""

import io
import json
import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.db.models import Q
from django.utils import timezone

from .models import MaintenanceRun

logger = logging.getLogger(__name__)

PURGE = "retention-purge"
CHECK_SECONDS = 300


def interval() -> timedelta:
    return timedelta(hours=settings.RETENTION_PURGE_INTERVAL_HOURS)


def claim(name: str = PURGE, now=None) -> bool:
    """True for the one caller that may run the job now (its last start is an interval ago, or never)."""
    now = now or timezone.now()
    MaintenanceRun.objects.get_or_create(name=name)
    return bool(
        MaintenanceRun.objects.filter(
            Q(started_at__isnull=True) | Q(started_at__lte=now - interval()), name=name
        ).update(started_at=now)
    )


def record_finished(name: str, result: dict) -> None:
    MaintenanceRun.objects.filter(name=name).update(finished_at=timezone.now(), result=result)


def run_purge(stopping: threading.Event | None = None) -> dict:
    """Run `manage.py purge_expired` and return the counts it reports."""
    out = io.StringIO()
    call_command("purge_expired", "--json", stdout=out, stop_event=stopping)
    return json.loads(out.getvalue() or "{}")


class DailyPurge:
    """The worker's side of the daily purge: check now and then, claim, run in a thread, stop with the worker."""

    def __init__(self, stopping: threading.Event):
        self.stopping = stopping
        self.next_check = 0.0
        self.thread: threading.Thread | None = None

    def tick(self) -> None:
        """Start the purge when it is due and no purge of this worker is running (cheap when not due)."""
        if time.monotonic() < self.next_check or (self.thread and self.thread.is_alive()):
            return
        self.next_check = time.monotonic() + CHECK_SECONDS
        try:
            won = claim()
        except DatabaseError:
            logger.exception("retention purge: could not check whether it is due")
            return
        if won:
            self.start()

    def start(self) -> None:
        self.thread = threading.Thread(target=self.run_in_thread, name="retention-purge", daemon=True)
        self.thread.start()

    def run(self) -> None:
        """Run the purge and record its result; a failure is logged and tried again next interval."""
        try:
            record_finished(PURGE, run_purge(self.stopping))
        except Exception:  # noqa: BLE001 — logged; the next interval tries again
            logger.exception("retention purge failed")

    def run_in_thread(self) -> None:
        try:
            self.run()
        finally:
            connection.close()  # this thread's own connection

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join()
