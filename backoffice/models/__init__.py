"""Back-office models: requests and their history, queues and routing, the delivery outbox."""

from .maintenance import MaintenanceRun
from .outbox import Delivery, DeliveryKind, DeliveryState
from .queues import Destination, DestinationKind, Queue, RoutingRule
from .requests import (
    ASSISTED_CHANNELS,
    SELF_SERVICE_CHANNELS,
    Channel,
    RequestEvent,
    RequestFile,
    ServiceRequest,
    Status,
)

__all__ = [
    "ASSISTED_CHANNELS",
    "SELF_SERVICE_CHANNELS",
    "Channel",
    "Delivery",
    "DeliveryKind",
    "DeliveryState",
    "Destination",
    "DestinationKind",
    "MaintenanceRun",
    "Queue",
    "RequestEvent",
    "RequestFile",
    "RoutingRule",
    "ServiceRequest",
    "Status",
]
