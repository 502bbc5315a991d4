"""The relay: claim due deliveries, send each through its adapter, record the outcome.

Several workers (on several machines) share the work: a claim takes rows with
`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL and gives each a lease. A conditional
UPDATE makes the claim safe on SQLite too, where one writer at a time is the rule. A worker
that dies leaves its rows `sending`; once their lease expires, any worker claims them again.
A claim counts as an attempt, so a row whose sending kills its worker every time still ends
`dead` after the last attempt instead of going round for ever. Transient failures retry with
exponential backoff and jitter, over hours; after the last attempt, or on a permanent
failure, a row is `dead` until someone replays it.

Failure behaviour: a send may happen twice (a worker dies after sending, before recording,
or its lease runs out mid-send), never zero times; receivers deduplicate by the idempotency
key. A worker whose lease was taken over never overwrites the new owner's outcome. Database
errors in `Worker.run()` are logged and retried after the poll interval.

`worker_tick` is sent once per pass of `Worker.run()`, for other apps' small periodic jobs
(the insights app flushes its journey figures); a receiver's error is logged, never fatal.

Each attempt sends the document with file links made for it at that moment
(`file_links.with_file_links`). A running worker also starts the daily retention purge
(`backoffice.maintenance`) when it is due and no other worker has started it.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, InterfaceError, close_old_connections, connections, transaction
from django.db.models import F, Q
from django.dispatch import Signal
from django.utils import timezone

from .adapters import PermanentDeliveryError, TransientDeliveryError, adapter_for
from .file_links import with_file_links
from .maintenance import DailyPurge
from .models import Delivery, DeliveryState

logger = logging.getLogger(__name__)

worker_tick = Signal()  # sent by a running worker after each pass (at least every poll interval)

LAST_ATTEMPT_LOST = "The worker stopped during the last attempt (its lease expired); replay to send again."


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry: the n-th wait is drawn between half and all of min(cap, base·2ⁿ⁻¹)."""

    max_attempts: int = 15
    base_seconds: float = 30.0
    cap_seconds: float = 2 * 60 * 60
    lease_seconds: float = 120.0

    @classmethod
    def from_settings(cls) -> RetryPolicy:
        return cls(**getattr(settings, "DELIVERY_RETRY", {}))

    def delay(self, attempts: int) -> timedelta:
        """The wait before the next attempt after `attempts` failed ones.

        Jittered ("equal jitter") so that many rows failing together do not retry together,
        yet each wait is at least the previous ceiling, so waits never shrink. At least 1 s
        unless the policy's ceiling is smaller (tests use tiny delays).
        """
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        return timedelta(seconds=max(min(1.0, ceiling), random.uniform(ceiling / 2, ceiling)))


def due_filter(now, due_by=None) -> Q:
    """Rows a worker may claim now: new or failed rows due by `due_by` (default now), and rows whose
    worker's lease ran out."""
    waiting = Q(state__in=[DeliveryState.PENDING, DeliveryState.FAILED], next_attempt_at__lte=due_by or now)
    abandoned = Q(state=DeliveryState.SENDING, lease_expires_at__lte=now)
    return waiting | abandoned


def claim(worker_id: str, batch: int, policy: RetryPolicy, due_by=None) -> list[Delivery]:
    """Lease up to `batch` deliveries due by `due_by` (default now) to this worker, count the attempt,
    and return them.

    Abandoned rows that had already had their last attempt are marked dead instead.
    """
    now = timezone.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        Delivery.objects.filter(
            state=DeliveryState.SENDING, lease_expires_at__lte=now, attempts__gte=policy.max_attempts
        ).update(
            state=DeliveryState.DEAD,
            lease_token="",
            lease_expires_at=None,
            last_error=LAST_ATTEMPT_LOST,
            updated_at=now,
        )
        ids = list(
            Delivery.objects.filter(due_filter(now, due_by))
            .order_by("next_attempt_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return []
        Delivery.objects.filter(due_filter(now, due_by), pk__in=ids).update(
            state=DeliveryState.SENDING,
            attempts=F("attempts") + 1,
            lease_token=token,
            leased_by=worker_id[:100],
            lease_expires_at=now + timedelta(seconds=policy.lease_seconds),
            updated_at=now,
        )
    return list(Delivery.objects.filter(lease_token=token).select_related("request", "destination").order_by("pk"))


def record_success(delivery: Delivery) -> None:
    """Mark delivered (terminal) even if the lease was lost meanwhile: the message did go out."""
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).exclude(state=DeliveryState.DELIVERED).update(
        state=DeliveryState.DELIVERED,
        delivered_at=now,
        lease_token="",
        lease_expires_at=None,
        last_error="",
        updated_at=now,
    )


def record_failure(delivery: Delivery, error: str, *, permanent: bool, policy: RetryPolicy) -> str:
    """Schedule a retry, or mark dead; returns the state. A worker whose lease was taken over records nothing."""
    now = timezone.now()
    dead = permanent or delivery.attempts >= policy.max_attempts
    state = DeliveryState.DEAD if dead else DeliveryState.FAILED
    updated = Delivery.objects.filter(
        pk=delivery.pk, lease_token=delivery.lease_token, state=DeliveryState.SENDING
    ).update(
        state=state,
        next_attempt_at=now if dead else now + policy.delay(delivery.attempts),
        lease_token="",
        lease_expires_at=None,
        last_error=error[:2000],
        updated_at=now,
    )
    if not updated:
        logger.info("delivery %s: lease lost, outcome not recorded", delivery.pk)
    return state


def release(delivery: Delivery) -> None:
    """Give back a claimed delivery that was not sent (the worker is stopping): the attempt does not count."""
    Delivery.objects.filter(pk=delivery.pk, lease_token=delivery.lease_token, state=DeliveryState.SENDING).update(
        state=DeliveryState.PENDING if delivery.attempts <= 1 else DeliveryState.FAILED,
        attempts=F("attempts") - 1,
        lease_token="",
        lease_expires_at=None,
        updated_at=timezone.now(),
    )


def replay(delivery: Delivery) -> bool:
    """Send a dead or failed delivery again now, with a fresh set of attempts; False if it was neither."""
    now = timezone.now()
    return bool(
        Delivery.objects.filter(pk=delivery.pk, state__in=[DeliveryState.DEAD, DeliveryState.FAILED]).update(
            state=DeliveryState.PENDING, attempts=0, next_attempt_at=now, updated_at=now
        )
    )


class Worker:
    """A relay worker: `run()` loops until stopped; `drain()` sends what is due and returns.

    `stop()` may be called from a signal handler or another thread: the worker finishes the
    delivery in hand, gives back the rest of its claim, and returns.
    """

    IDLE_SLICE_SECONDS = 0.05

    def __init__(
        self,
        *,
        batch: int = 20,
        poll_seconds: float = 1.0,
        policy: RetryPolicy | None = None,
        daily_purge: bool = True,
    ):
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.batch = batch
        self.poll_seconds = poll_seconds
        self.policy = policy or RetryPolicy.from_settings()
        self.stopping = threading.Event()
        self.adapters = {}
        # The daily retention purge (backoffice.maintenance): whichever worker claims it first runs it.
        self.daily_purge = (
            DailyPurge(self.stopping) if daily_purge and settings.RETENTION_PURGE_INTERVAL_HOURS else None
        )

    def stop(self, *_args) -> None:
        """Finish the delivery in hand, then stop (the SIGTERM handler)."""
        self.stopping.set()

    def send(self, delivery: Delivery) -> str:
        """Send one claimed delivery and record the outcome; returns the new state."""
        try:
            adapter = self.adapters.get(delivery.kind) or adapter_for(delivery.kind)
            self.adapters[delivery.kind] = adapter
            delivery.payload = with_file_links(delivery)  # fresh, short-lived links on every attempt
            adapter.send(delivery)
        except PermanentDeliveryError as error:
            logger.warning("delivery %s dead: %s", delivery.pk, error)
            return record_failure(delivery, str(error), permanent=True, policy=self.policy)
        except Exception as error:  # noqa: BLE001 — any other failure is transient by contract
            logger.info("delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, error)
            reason = str(error) if isinstance(error, TransientDeliveryError) else f"{type(error).__name__}: {error}"
            return record_failure(delivery, reason, permanent=False, policy=self.policy)
        record_success(delivery)
        logger.info("delivery %s delivered", delivery.pk, extra={"reference": delivery.request.reference})
        return DeliveryState.DELIVERED

    def drain(self) -> int:
        """Send every delivery due when the pass starts; return how many were attempted.

        A row that fails during the pass is retried by a later pass, never by this one, however
        short its backoff and however slow the pass. A claimed row whose lease has run out before
        its turn is left alone: another worker may have claimed it (a slow batch), and sending it
        here too would only duplicate it.
        """
        attempted, started = 0, timezone.now()
        while not self.stopping.is_set():
            claimed = claim(self.id, self.batch, self.policy, due_by=started)
            if not claimed:
                break
            for delivery in claimed:
                if self.stopping.is_set():
                    release(delivery)
                    continue
                if timezone.now() >= delivery.lease_expires_at:
                    continue
                self.send(delivery)
                attempted += 1
        return attempted

    def run(self) -> None:
        """Poll for due deliveries until `stop()`."""
        logger.info("delivery worker %s started", self.id)
        try:
            while not self.stopping.is_set():
                close_old_connections()
                if self.daily_purge is not None:
                    self.daily_purge.tick()
                try:
                    sent = self.drain()
                except (DatabaseError, InterfaceError):
                    logger.exception("delivery worker %s: database error; retrying", self.id)
                    connections.close_all()
                    sent = 0
                self.tick()
                if not sent:
                    self.idle(self.poll_seconds)
        finally:
            if self.daily_purge is not None:
                self.daily_purge.join()  # it stops after its current batch
            self.close()
            logger.info("delivery worker %s stopped", self.id)

    def tick(self) -> None:
        """Give other apps' periodic jobs their turn; their errors are logged and the worker goes on."""
        for receiver, result in worker_tick.send_robust(sender=Worker):
            if isinstance(result, Exception):
                logger.error("worker tick: %s failed", receiver, exc_info=result)

    def idle(self, seconds: float) -> None:
        """Wait up to `seconds`, returning early once stopping.

        Sleeps in short slices rather than `Event.wait()`: a signal handler calling `stop()`
        while this thread is inside `Event.wait()` could deadlock on the event's lock.
        """
        deadline = time.monotonic() + seconds
        while not self.stopping.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            time.sleep(min(self.IDLE_SLICE_SECONDS, remaining))

    def close(self) -> None:
        for adapter in self.adapters.values():
            adapter.close()
        self.adapters.clear()
