"""The demo's department systems: by default requests only wait in staff queues; the DEMO_* variables add pushes.

Loading again with a variable set adds that destination if it is missing, and never changes one
an admin (or an earlier load) has set up; loading without the variables changes nothing.
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from backoffice.demo import RABBITMQ_EXCHANGE, RABBITMQ_ROUTING_KEY
from backoffice.models import DeliveryKind, Destination, DestinationKind, Queue

from .factories import HIGHWAYS, MISSED_BIN, POTHOLE, WASTE, department_queue, make_request

pytestmark = pytest.mark.django_db

HOOK_URL = "https://receiver.example.gov.uk/portal"
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"


@pytest.fixture(autouse=True)
def no_demo_variables(monkeypatch):
    for name in ("DEMO_WEBHOOK_URL", "DEMO_WEBHOOK_SECRET", "DEMO_RABBITMQ_URL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def load() -> str:
    """Run the demo loader, as `make run` does, and return what it printed."""
    out = StringIO()
    call_command("load_demo_council", stdout=out)
    return out.getvalue()


def test_by_default_requests_wait_in_staff_queues_and_go_nowhere_else(media_root):
    assert Queue.objects.filter(is_default=True).count() == Queue.objects.values("department").distinct().count()
    assert not Destination.objects.exists()

    request = make_request(POTHOLE)

    assert list(request.deliveries.values_list("kind", flat=True)) == [DeliveryKind.CITIZEN_EMAIL]


def test_loading_with_the_webhook_variables_adds_the_waste_webhook_once(no_demo_variables, media_root):
    no_demo_variables.setenv("DEMO_WEBHOOK_URL", HOOK_URL)
    no_demo_variables.setenv("DEMO_WEBHOOK_SECRET", "demo-signing-secret")

    assert "pushes to department systems from DEMO_WEBHOOK_URL / DEMO_RABBITMQ_URL: 1" in load()
    assert load().startswith("Demo council already loaded")

    (destination,) = department_queue(WASTE).destinations.all()
    assert (destination.kind, destination.enabled, destination.url, destination.secret) == (
        DestinationKind.WEBHOOK,
        True,
        HOOK_URL,
        "demo-signing-secret",
    )
    assert make_request(MISSED_BIN).deliveries.filter(kind=DeliveryKind.WEBHOOK, destination=destination).count() == 1


def test_a_webhook_needs_its_signing_secret_too(no_demo_variables):
    no_demo_variables.setenv("DEMO_WEBHOOK_URL", HOOK_URL)

    load()

    assert not Destination.objects.exists()


def test_a_webhook_address_that_is_not_a_url_is_refused_with_a_clear_message(no_demo_variables):
    no_demo_variables.setenv("DEMO_WEBHOOK_URL", "receiver.example.gov.uk/portal")
    no_demo_variables.setenv("DEMO_WEBHOOK_SECRET", "demo-signing-secret")

    with pytest.raises(CommandError, match="The demo council was not loaded: .*DEMO_WEBHOOK_URL"):
        load()

    assert not Destination.objects.exists()


def test_loading_with_the_rabbitmq_variable_adds_the_highways_push(no_demo_variables):
    no_demo_variables.setenv("DEMO_RABBITMQ_URL", AMQP_URL)

    load()
    load()

    (destination,) = department_queue(HIGHWAYS).destinations.all()
    assert (destination.kind, destination.enabled) == (DestinationKind.RABBITMQ, True)
    assert (destination.amqp_url, destination.exchange, destination.routing_key) == (
        AMQP_URL,
        RABBITMQ_EXCHANGE,
        RABBITMQ_ROUTING_KEY,
    )


def test_loading_again_keeps_an_admins_changes_with_or_without_the_variables(no_demo_variables):
    no_demo_variables.setenv("DEMO_RABBITMQ_URL", AMQP_URL)
    load()
    destination = department_queue(HIGHWAYS).destinations.get()
    destination.enabled, destination.routing_key = False, "council.roads"
    destination.save()
    admins_webhook = Destination.objects.create(
        queue=department_queue(WASTE), kind=DestinationKind.WEBHOOK, url="https://waste.example.gov.uk/in", secret="s"
    )

    load()
    no_demo_variables.setenv("DEMO_WEBHOOK_URL", HOOK_URL)
    no_demo_variables.setenv("DEMO_WEBHOOK_SECRET", "demo-signing-secret")
    load()
    no_demo_variables.delenv("DEMO_RABBITMQ_URL")
    load()

    assert list(Destination.objects.order_by("pk").values_list("pk", "enabled", "url", "routing_key")) == [
        (destination.pk, False, "", "council.roads"),
        (admins_webhook.pk, True, "https://waste.example.gov.uk/in", ""),
    ]


def test_the_empty_placeholder_an_earlier_loader_made_is_filled_in(no_demo_variables):
    placeholder = Destination.objects.create(queue=department_queue(WASTE), kind=DestinationKind.WEBHOOK, enabled=False)
    no_demo_variables.setenv("DEMO_WEBHOOK_URL", HOOK_URL)
    no_demo_variables.setenv("DEMO_WEBHOOK_SECRET", "demo-signing-secret")

    load()

    placeholder.refresh_from_db()
    assert (placeholder.enabled, placeholder.url) == (True, HOOK_URL)
    assert Destination.objects.count() == 1
