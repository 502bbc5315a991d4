"""Signed webhook: POST the request document as JSON to the department's system."""

import hashlib
import hmac
import json

import requests

from .base import DeliveryAdapter, PermanentDeliveryError, TransientDeliveryError

SIGNATURE_HEADER = "X-Portal-Signature-256"
RETRYABLE_CLIENT_ERRORS = {408, 425, 429}


def sign(body: bytes, secret: str) -> str:
    """The signature header value: `sha256=` and the hex HMAC-SHA256 of the body with the secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, signature: str) -> bool:
    """Constant-time check of a signature header (what a receiver does)."""
    return hmac.compare_digest(sign(body, secret), signature or "")


def encode(document: dict) -> bytes:
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


class WebhookAdapter(DeliveryAdapter):
    """2xx is delivered; 4xx other than 408/425/429 is permanent; anything else is transient."""

    def __init__(self):
        self.session = requests.Session()

    def send(self, delivery) -> None:
        destination = delivery.destination
        if destination is None or not destination.url:
            raise PermanentDeliveryError("The webhook destination was removed or has no URL.")
        body = encode(delivery.payload)
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": delivery.idempotency_key,
            SIGNATURE_HEADER: sign(body, destination.secret),
            "User-Agent": "council-portal-webhook/1",
        }
        try:
            response = self.session.post(
                destination.url, data=body, headers=headers, timeout=destination.timeout_seconds, allow_redirects=False
            )
        except requests.RequestException as error:
            raise TransientDeliveryError(f"{type(error).__name__}: {error}") from error
        if 200 <= response.status_code < 300:
            return
        message = f"HTTP {response.status_code}: {response.text[:300]}"
        if 400 <= response.status_code < 500 and response.status_code not in RETRYABLE_CLIENT_ERRORS:
            raise PermanentDeliveryError(message)
        raise TransientDeliveryError(message)

    def close(self) -> None:
        self.session.close()
