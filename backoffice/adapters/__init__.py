"""Adapters: one small class per kind of delivery, all behind `DeliveryAdapter.send()`."""

from .base import DeliveryAdapter, PermanentDeliveryError, TransientDeliveryError
from .citizen_email import CitizenEmailAdapter
from .email import DepartmentEmailAdapter
from .rabbitmq import RabbitMQAdapter
from .webhook import WebhookAdapter

ADAPTERS: dict[str, type[DeliveryAdapter]] = {
    "webhook": WebhookAdapter,
    "email": DepartmentEmailAdapter,
    "rabbitmq": RabbitMQAdapter,
    "citizen_email": CitizenEmailAdapter,
}


def adapter_for(kind: str) -> DeliveryAdapter:
    """The adapter that sends deliveries of `kind`; PermanentDeliveryError for an unknown kind."""
    try:
        return ADAPTERS[kind]()
    except KeyError:
        raise PermanentDeliveryError(f"No adapter for deliveries of kind '{kind}'.") from None


__all__ = ["DeliveryAdapter", "PermanentDeliveryError", "TransientDeliveryError", "adapter_for"]
