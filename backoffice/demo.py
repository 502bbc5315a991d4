"""The demo council's back office: a queue and a staff group for every department, and a contact centre.

The "Contact centre" group may submit any e-form on a resident's behalf (assisted digital) and
works no queue: its members see the requests they enter only where a queue's group also has them.

By default no queue pushes requests anywhere: they wait in the staff queues. Two demo queues
push to other systems when their settings are in the environment when the loader runs: Waste
and Recycling to a signed webhook (DEMO_WEBHOOK_URL and DEMO_WEBHOOK_SECRET) and Highways to
RabbitMQ (DEMO_RABBITMQ_URL), on the `amq.topic` exchange with routing key
`portal.highways.request`. A load with a variable set adds that destination if the queue has
none of its kind; a destination already set up (by an earlier load or an admin, enabled or
not) is left exactly as it is, and a load without the variables changes nothing.
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
CONTACT_CENTRE = "Contact centre"
CONTACT_CENTRE_PERMISSIONS = ("access_admin", "submit_on_behalf")


def staff_group(department: Department) -> Group:
    """The Wagtail group whose members work the department's queue (admin access, nothing else)."""
    group, created = Group.objects.get_or_create(name=f"{department.name} staff")
    if created:
        group.permissions.add(*Permission.objects.filter(codename__in=STAFF_PERMISSIONS))
    return group


ADDRESS_FIELD = {DestinationKind.WEBHOOK: "url", DestinationKind.RABBITMQ: "amqp_url"}


def add_destination(queue: Queue, kind: str, **settings) -> bool:
    """Give the queue an enabled destination of `kind` unless it has one with an address; True if added.

    A destination of that kind without an address (the disabled placeholder earlier versions of
    this loader made) is filled in; one with an address is an admin's or an earlier load's, and kept.
    """
    destination = queue.destinations.filter(kind=kind).first()
    if destination is not None and getattr(destination, ADDRESS_FIELD[kind]):
        return False
    destination = destination or Destination(queue=queue, kind=kind)
    for name, value in settings.items():
        setattr(destination, name, value)
    destination.enabled = True
    destination.full_clean()
    destination.save()
    return True


def contact_centre_group() -> Group:
    """The group of agents who submit e-forms for residents (admin access and `submit_on_behalf`)."""
    group, created = Group.objects.get_or_create(name=CONTACT_CENTRE)
    if created:
        group.permissions.add(*Permission.objects.filter(codename__in=CONTACT_CENTRE_PERMISSIONS))
    return group


@transaction.atomic
def load_demo_queues() -> int:
    """A default queue and staff group per department, and the contact centre; return how many queues were created."""
    contact_centre_group()
    created = 0
    for department in Department.objects.all():
        queue, new = Queue.objects.get_or_create(
            department=department, is_default=True, defaults={"name": department.name, "slug": slugify(department.name)}
        )
        created += new
        if new:
            queue.staff_groups.add(staff_group(department))
    return created


def department_queue(name: str) -> Queue | None:
    """The default queue of the demo department called `name`, if it is there."""
    department = Department.objects.filter(name=name).first()
    return Queue.default_for(department) if department else None


@transaction.atomic
def load_demo_destinations() -> int:
    """Add the webhook and RabbitMQ destinations whose variables are set; return how many were added."""
    added = 0
    url, secret = os.environ.get("DEMO_WEBHOOK_URL", ""), os.environ.get("DEMO_WEBHOOK_SECRET", "")
    waste = department_queue(WEBHOOK_DEPARTMENT)
    if url and secret and waste:
        added += add_destination(waste, DestinationKind.WEBHOOK, url=url, secret=secret)
    amqp_url = os.environ.get("DEMO_RABBITMQ_URL", "")
    highways = department_queue(RABBITMQ_DEPARTMENT)
    if amqp_url and highways:
        added += add_destination(
            highways,
            DestinationKind.RABBITMQ,
            amqp_url=amqp_url,
            exchange=RABBITMQ_EXCHANGE,
            routing_key=RABBITMQ_ROUTING_KEY,
        )
    return added
