"""The demo council's back office: a queue and a staff group for every department.

Two demo queues push to other systems when their settings are in the environment at load
time (neither is needed by default): Waste and Recycling to a signed webhook
(DEMO_WEBHOOK_URL, DEMO_WEBHOOK_SECRET) and Highways to RabbitMQ (DEMO_RABBITMQ_URL), on
the `amq.topic` exchange with routing key `portal.highways.request`. Loading again creates
nothing new; it only switches those two destinations on or off to match the environment.
"""

import os

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.text import slugify

from home.models import Department

from .models import Destination, DestinationKind, Queue

WEBHOOK_DEPARTMENT = "Waste and Recycling"
RABBITMQ_DEPARTMENT = "Highways"
RABBITMQ_EXCHANGE = "amq.topic"
RABBITMQ_ROUTING_KEY = "portal.highways.request"
STAFF_PERMISSIONS = ("access_admin",)


def staff_group(department: Department) -> Group:
    """The Wagtail group whose members work the department's queue (admin access, nothing else)."""
    group, created = Group.objects.get_or_create(name=f"{department.name} staff")
    if created:
        group.permissions.add(*Permission.objects.filter(codename__in=STAFF_PERMISSIONS))
    return group


def ensure_destination(queue: Queue, kind: str, enabled: bool, **settings) -> None:
    """Create or update the queue's one destination of `kind` with the environment's settings."""
    destination = queue.destinations.filter(kind=kind).first() or Destination(queue=queue, kind=kind)
    destination.enabled = enabled
    if enabled:
        for name, value in settings.items():
            setattr(destination, name, value)
    destination.save()


@transaction.atomic
def load_demo_queues() -> int:
    """A default queue and staff group per department; return how many queues were created."""
    created = 0
    for department in Department.objects.all():
        queue, new = Queue.objects.get_or_create(
            department=department, is_default=True, defaults={"name": department.name, "slug": slugify(department.name)}
        )
        created += new
        if new:
            queue.staff_groups.add(staff_group(department))
        if department.name == WEBHOOK_DEPARTMENT:
            url = os.environ.get("DEMO_WEBHOOK_URL", "")
            secret = os.environ.get("DEMO_WEBHOOK_SECRET", "")
            ensure_destination(queue, DestinationKind.WEBHOOK, bool(url and secret), url=url, secret=secret)
        if department.name == RABBITMQ_DEPARTMENT:
            url = os.environ.get("DEMO_RABBITMQ_URL", "")
            ensure_destination(
                queue,
                DestinationKind.RABBITMQ,
                bool(url),
                amqp_url=url,
                exchange=RABBITMQ_EXCHANGE,
                routing_key=RABBITMQ_ROUTING_KEY,
            )
    return created
