"""`manage.py create_api_key`: a queue key or an Open311 client key, printed once, with clear errors."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from api.keys import authenticate
from api.models import Open311Client, QueueApiKey
from backoffice.models import Queue

pytestmark = pytest.mark.django_db


def create_key(*args: str) -> list[str]:
    """Run the command; the lines it printed."""
    out = StringIO()
    call_command("create_api_key", *args, stdout=out)
    return out.getvalue().splitlines()


def test_a_queue_key_is_printed_once_and_opens_that_queue_only():
    queue = Queue.objects.order_by("pk").first()

    lines = create_key("--queue", queue.slug, "--name", "  Waste system ")

    key = lines[-1]
    record = authenticate(QueueApiKey, key)
    assert (record.name, record.queue) == ("Waste system", queue)
    assert f"queue '{queue.slug}'" in lines[0] and record.prefix in lines[0]
    assert "cannot be shown again" in lines[1]
    assert key not in (record.key_hash, record.prefix)


def test_an_open311_key_with_its_contact_email():
    key = create_key("--open311", "--name", "FixMyStreet", "--email", "ops@fixmystreet.example")[-1]

    client = authenticate(Open311Client, key)
    assert (client.name, client.contact_email) == ("FixMyStreet", "ops@fixmystreet.example")
    assert authenticate(QueueApiKey, key) is None


@pytest.mark.parametrize(
    "args, message",
    [
        (("--queue", "no-such-queue", "--name", "X"), "There is no queue with the slug 'no-such-queue'. Queues: "),
        (("--queue", "highways", "--name", "   "), "Give the key a name"),
        (("--queue", "highways", "--name", "x" * 151), "The name is too long: at most 150 characters."),
        (("--queue", "highways", "--name", "X", "--email", "a@b.example"), "--email is for Open311 client keys only."),
        (("--open311", "--name", "FixMyStreet", "--email", "not-an-email"), "'not-an-email' is not an email address."),
        (("--name", "X"), "one of the arguments --queue --open311 is required"),
        (("--queue", "highways", "--open311", "--name", "X"), "not allowed with argument"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message_and_create_nothing(args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        create_key(*args)

    assert not QueueApiKey.objects.exists() and not Open311Client.objects.exists()


def test_the_unknown_queue_message_lists_the_queues():
    with pytest.raises(CommandError) as refused:
        create_key("--queue", "wastes", "--name", "X")

    assert all(slug in str(refused.value) for slug in Queue.objects.values_list("slug", flat=True))
