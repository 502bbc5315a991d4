"""The interface every adapter implements, and the two ways a send can fail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from backoffice.models import Delivery


def message_id(delivery: Delivery) -> str:
    """An email Message-ID made from the delivery's idempotency key: mail systems drop a resent copy."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">") or "localhost"
    return f"<{delivery.idempotency_key}@{domain}>"


class TransientDeliveryError(Exception):
    """The send failed but may work later (timeout, 5xx, broker down): retry with backoff."""


class PermanentDeliveryError(Exception):
    """The send can never work as it is (4xx, bad settings): the delivery goes dead at once."""


class DeliveryAdapter:
    """Sends one delivery. Returns on success; raises one of the errors above on failure.

    Any other exception is treated as transient. The same delivery may be sent more than
    once (a worker dies after sending, before recording it), so every adapter passes the
    delivery's idempotency key on for the receiver to deduplicate.
    """

    def send(self, delivery: Delivery) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Release connections held between sends (called when the worker stops)."""
