"""Writing to the outbox: the Delivery rows a request or a status change must send.

Call these inside the transaction that writes the request or the change, so the message
exists exactly when the change does; the relay worker (`backoffice.relay`) sends them.
"""

from .documents import request_document
from .models import Delivery, DeliveryKind, DestinationKind, RequestEvent, ServiceRequest
from .notifications import confirmation_email, status_email

KIND_OF_DESTINATION = {
    DestinationKind.WEBHOOK: DeliveryKind.WEBHOOK,
    DestinationKind.EMAIL: DeliveryKind.EMAIL,
    DestinationKind.RABBITMQ: DeliveryKind.RABBITMQ,
}


def enqueue_new_request(request: ServiceRequest) -> list[Delivery]:
    """One delivery per enabled destination of the request's queue, and the citizen's confirmation."""
    deliveries = []
    if request.queue_id:
        for destination in request.queue.destinations.filter(enabled=True).order_by("pk"):
            key = f"{request.reference}-d{destination.pk}"
            deliveries.append(
                Delivery(
                    request=request,
                    destination=destination,
                    kind=KIND_OF_DESTINATION[destination.kind],
                    payload=request_document(request, key),
                    idempotency_key=key,
                )
            )
    if request.contact_email:
        key = f"{request.reference}-confirmation"
        deliveries.append(
            Delivery(
                request=request,
                kind=DeliveryKind.CITIZEN_EMAIL,
                payload=confirmation_email(request),
                idempotency_key=key,
            )
        )
    return Delivery.objects.bulk_create(deliveries)


def enqueue_status_update(request: ServiceRequest, event: RequestEvent) -> Delivery | None:
    """The citizen's status-update email for `event`, when the request has a contact email."""
    if not request.contact_email:
        return None
    return Delivery.objects.create(
        request=request,
        event=event,
        kind=DeliveryKind.CITIZEN_EMAIL,
        payload=status_email(request, event),
        idempotency_key=f"{request.reference}-e{event.pk}",
    )
