"""The relay: claim due deliveries, send each through its adapter, record the outcome.

Several workers (on several machines) share the work: a claim takes rows with
`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL and gives each a lease. A conditional
UPDATE makes the claim safe on SQLite too, where one writer at a time is the rule. A worker
that dies leaves its rows `sending`; once their lease expires, any worker claims them again.
Transient failures retry with exponential backoff and full jitter, over hours; after the
last attempt, or on a permanent failure, a row is `dead` until someone replays it.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone

from .adapters import PermanentDeliveryError, adapter_for
from .models import Delivery, DeliveryState

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry: delays grow base·2ⁿ up to `cap`, each drawn at random below that."""

    max_attempts: int = 15
    base_seconds: float = 30.0
    cap_seconds: float = 2 * 60 * 60
    lease_seconds: float = 120.0

    @classmethod
    def from_settings(cls) -> RetryPolicy:
        return cls(**getattr(settings, "DELIVERY_RETRY", {}))

    def delay(self, attempts: int) -> timedelta:
        """The wait before the next attempt after `attempts` failed ones (full jitter, never under 1 s)."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        return timedelta(seconds=max(min(1.0, ceiling), random.uniform(ceiling / 2, ceiling)))


def due_filter(now) -> Q:
    """Rows a worker may claim now: due new or failed rows, and rows whose worker's lease ran out."""
    waiting = Q(state__in=[DeliveryState.PENDING, DeliveryState.FAILED], next_attempt_at__lte=now)
    abandoned = Q(state=DeliveryState.SENDING, lease_expires_at__lte=now)
    return waiting | abandoned


def claim(worker_id: str, batch: int, policy: RetryPolicy) -> list[Delivery]:
    """Lease up to `batch` due deliveries to this worker and return them."""
    now = timezone.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        ids = list(
            Delivery.objects.filter(due_filter(now))
            .order_by("next_attempt_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return []
        Delivery.objects.filter(due_filter(now), pk__in=ids).update(
            state=DeliveryState.SENDING,
            lease_token=token,
            leased_by=worker_id,
            lease_expires_at=now + timedelta(seconds=policy.lease_seconds),
            updated_at=now,
        )
    return list(Delivery.objects.filter(lease_token=token).select_related("request", "destination"))


def record_success(delivery: Delivery) -> None:
    """Mark delivered (terminal) even if the lease was lost meanwhile: the message did go out."""
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).exclude(state=DeliveryState.DELIVERED).update(
        state=DeliveryState.DELIVERED,
        attempts=delivery.attempts + 1,
        delivered_at=now,
        lease_token="",
        lease_expires_at=None,
        last_error="",
        updated_at=now,
    )


def record_failure(delivery: Delivery, error: str, *, permanent: bool, policy: RetryPolicy) -> str:
    """Schedule a retry, or mark dead; a worker whose lease was taken over records nothing."""
    now = timezone.now()
    attempts = delivery.attempts + 1
    dead = permanent or attempts >= policy.max_attempts
    state = DeliveryState.DEAD if dead else DeliveryState.FAILED
    Delivery.objects.filter(pk=delivery.pk, lease_token=delivery.lease_token, state=DeliveryState.SENDING).update(
        state=state,
        attempts=attempts,
        next_attempt_at=now if dead else now + policy.delay(attempts),
        lease_token="",
        lease_expires_at=None,
        last_error=error[:2000],
        updated_at=now,
    )
    return state


def replay(delivery: Delivery) -> None:
    """Send a dead or failed delivery again now, with a fresh set of attempts."""
    Delivery.objects.filter(pk=delivery.pk, state__in=[DeliveryState.DEAD, DeliveryState.FAILED]).update(
        state=DeliveryState.PENDING, attempts=0, next_attempt_at=timezone.now(), updated_at=timezone.now()
    )


class Worker:
    """A relay worker: `run()` loops until stopped; `drain()` sends what is due and returns."""

    def __init__(self, *, batch: int = 20, poll_seconds: float = 1.0, policy: RetryPolicy | None = None):
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.batch = batch
        self.poll_seconds = poll_seconds
        self.policy = policy or RetryPolicy.from_settings()
        self.stopping = threading.Event()
        self.adapters = {}

    def stop(self, *_args) -> None:
        """Finish the delivery in hand, then stop (the SIGTERM handler)."""
        self.stopping.set()

    def send(self, delivery: Delivery) -> str:
        """Send one claimed delivery and record the outcome; returns the new state."""
        try:
            adapter = self.adapters.get(delivery.kind) or adapter_for(delivery.kind)
            self.adapters[delivery.kind] = adapter
            adapter.send(delivery)
        except PermanentDeliveryError as error:
            logger.warning("delivery %s dead: %s", delivery.pk, error)
            return record_failure(delivery, str(error), permanent=True, policy=self.policy)
        except Exception as error:  # noqa: BLE001 — any other failure is transient by contract
            logger.info("delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts + 1, error)
            return record_failure(delivery, f"{type(error).__name__}: {error}", permanent=False, policy=self.policy)
        record_success(delivery)
        logger.info("delivery %s delivered", delivery.pk, extra={"reference": delivery.request.reference})
        return DeliveryState.DELIVERED

    def drain(self) -> int:
        """Send every delivery due now (not those scheduled later); return how many were attempted."""
        attempted = 0
        while not self.stopping.is_set():
            claimed = claim(self.id, self.batch, self.policy)
            if not claimed:
                break
            for delivery in claimed:
                if self.stopping.is_set():
                    release(delivery)
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
                if not self.drain():
                    self.stopping.wait(self.poll_seconds)
        finally:
            self.close()
            logger.info("delivery worker %s stopped", self.id)

    def close(self) -> None:
        for adapter in self.adapters.values():
            adapter.close()
        self.adapters.clear()


def release(delivery: Delivery) -> None:
    """Give back a claimed delivery that was not sent (the worker is stopping)."""
    Delivery.objects.filter(pk=delivery.pk, lease_token=delivery.lease_token, state=DeliveryState.SENDING).update(
        state=DeliveryState.PENDING if delivery.attempts == 0 else DeliveryState.FAILED,
        lease_token="",
        lease_expires_at=None,
        updated_at=timezone.now(),
    )
