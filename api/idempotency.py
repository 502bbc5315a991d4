"""Idempotency-Key for portal API submissions: a retry gets the first result, never a second request.

A client may send `Idempotency-Key: <up to 64 printable ASCII characters>` with a submission.
The first successful submission with a key is recorded with the SHA-256 of its body
(`IdempotentSubmission`); the same key with the same body returns that request again, and with
another body is refused. Intake gets a key of its own namespace (`api:` + a digest of the
client's key), so two identical submissions racing each other store one request.
"""

import hashlib
import re

from django.http import HttpRequest

from backoffice.models import ServiceRequest

from .models import IdempotentSubmission

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 64
KEY_PATTERN = re.compile(r"^[\x20-\x7e]+$")


class InvalidKey(ValueError):
    """The Idempotency-Key header is empty, too long or has characters other than printable ASCII."""


def key_from(request: HttpRequest) -> str | None:
    """The request's Idempotency-Key, None without one; raises InvalidKey for a key the API does not accept."""
    if HEADER not in request.headers:
        return None
    key = request.headers[HEADER].strip()
    if not key or len(key) > MAX_KEY_LENGTH or not KEY_PATTERN.match(key):
        raise InvalidKey(key)
    return key


def intake_key(key: str) -> str:
    """The idempotency key intake stores for a client's key: `api:` and 60 hex digits of its SHA-256 (64 in all)."""
    return "api:" + hashlib.sha256(key.encode()).hexdigest()[:60]


def earlier_submission(key: str) -> IdempotentSubmission | None:
    """The recorded first submission with this key, with its request, or None."""
    return IdempotentSubmission.objects.filter(key=key).select_related("request").first()


def record(key: str, body_sha256: str, service_request: ServiceRequest) -> IdempotentSubmission:
    """Remember the request the first submission with `key` made (call inside the transaction that made it)."""
    return IdempotentSubmission.objects.create(key=key, body_sha256=body_sha256, request=service_request)
