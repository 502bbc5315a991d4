"""Emails to the citizen (confirmation, status updates), already rendered into the delivery's payload."""

from django.conf import settings
from django.core.mail import EmailMessage

from .base import DeliveryAdapter, PermanentDeliveryError, TransientDeliveryError, message_id


class CitizenEmailAdapter(DeliveryAdapter):
    """Sends the payload's subject and body to its recipients through Django's email backend."""

    def send(self, delivery) -> None:
        payload = delivery.payload
        if not payload.get("to"):
            raise PermanentDeliveryError("The email has no recipient.")
        message = EmailMessage(
            subject=payload["subject"],
            body=payload["body"],
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=payload["to"],
            headers={"Message-ID": message_id(delivery), "X-Portal-Reference": delivery.request.reference},
        )
        try:
            message.send()
        except ValueError as error:  # BadHeaderError too: a newline in an address or the subject, never a header
            raise PermanentDeliveryError(f"The recipient or subject is not a valid email header: {error}") from error
        except OSError as error:
            raise TransientDeliveryError(f"Could not send the email: {error}") from error
