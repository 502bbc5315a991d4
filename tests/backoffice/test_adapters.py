"""Each kind of destination receives a request: signed webhook, department email, citizen email, RabbitMQ."""

import hashlib
import hmac
import json
import os
import socket
import time
import uuid
from urllib.parse import urlsplit

import pika
import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings

from backoffice.documents import DOCUMENT_TYPE, DOCUMENT_VERSION
from backoffice.models import Delivery, DeliveryKind, DeliveryState, Destination, DestinationKind
from backoffice.relay import Worker
from forms_catalogue.definition import FormDefinition

from .delivery_fixtures import *  # noqa: F403
from .delivery_fixtures import CITIZEN_EMAIL, FLY_TIPPING, PNG, drain, submit_request, waste_queue

pytestmark = pytest.mark.django_db

RABBITMQ_TEST_URL = os.environ.get("RABBITMQ_TEST_URL", "")
needs_rabbitmq = pytest.mark.skipif(
    not RABBITMQ_TEST_URL, reason="RABBITMQ_TEST_URL is not set (bin/test sets it when RabbitMQ runs)"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- webhook ------------------------------------------------------------------------------------


def test_webhook_posts_the_signed_versioned_document_with_labels_answers_and_file_links(
    fast_retry, webhook, receiver, media_root, client
):
    request = submit_request(FLY_TIPPING, with_photo=True, contact_email="")
    delivery = request.deliveries.get()

    assert drain() == 1

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    (call,) = receiver.snapshot()
    assert call.status == 200 and not call.duplicate
    # the receiver checked the signature with the queue's secret; check it here too, independently
    assert call.signature_ok
    expected = "sha256=" + hmac.new(webhook.secret.encode(), call.body, hashlib.sha256).hexdigest()
    assert call.headers["X-Portal-Signature-256"] == expected
    assert call.headers["Idempotency-Key"] == delivery.idempotency_key == f"{request.reference}-d{webhook.pk}"
    assert call.headers["Content-Type"] == "application/json"
    assert call.headers["User-Agent"].startswith("council-portal-webhook/")

    document = call.json()
    assert without_links(document) == delivery.payload, "the stored payload is sent, with links made at send time"
    assert (
        (document["type"], document["version"])
        == (DOCUMENT_TYPE, DOCUMENT_VERSION)
        == (
            "council-portal.service-request",
            1,
        )
    )
    assert document["reference"] == request.reference
    assert document["display_reference"] == request.display_reference
    assert document["service"]["slug"] == FLY_TIPPING
    assert document["department"] == "Waste and Recycling"
    assert document["queue"] == waste_queue().slug
    assert document["form"]["revision_id"] == request.form_revision_id
    assert document["answers"] == request.answers
    definition = FormDefinition.from_json(request.form_snapshot)
    labels = {question["id"]: question["label"] for question in document["form"]["questions"]}
    for step in definition.steps:
        for question in step.questions:
            assert labels[question.id] == question.label
    assert set(document["answers"]) <= set(labels)
    assert labels["photo"] and labels["waste_types"]

    (photo,) = document["files"]
    assert (photo["question_id"], photo["name"], photo["content_type"], photo["size"]) == (
        "photo",
        "lay-by.png",
        "image/png",
        len(PNG),
    )
    path = urlsplit(photo["url"]).path
    download = client.get(path, headers=fetch_headers(path, webhook.secret))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert download["Content-Disposition"].startswith("attachment")
    assert "lay-by.png" in download["Content-Disposition"]
    tampered = path[:-3] + "xx/"
    assert client.get(tampered, headers=fetch_headers(tampered, webhook.secret)).status_code == 404
    assert client.get(path).status_code == 404, "a webhook's link needs the fetch signed with the destination's secret"


def without_links(document: dict) -> dict:
    """The document as stored in the outbox: its files' links are made when it is sent."""
    return {**document, "files": [{k: v for k, v in item.items() if k != "url"} for item in document["files"]]}


def fetch_headers(path: str, secret: str) -> dict[str, str]:
    """What a webhook's receiving system sends to fetch a file: the token signed with its secret."""
    token = path.rstrip("/").rsplit("/", 1)[-1]
    return {"X-Portal-Signature-256": "sha256=" + hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()}


def test_a_resent_webhook_carries_the_same_key_and_the_receiver_acts_once(fast_retry, webhook, receiver):
    """The worker died after sending, before recording: the row is sent again, the receiver sees the key twice."""
    delivery = submit_request(contact_email="").deliveries.get()
    drain()
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.PENDING)  # as if never recorded
    drain()
    first, second = receiver.snapshot()
    assert first.key == second.key == delivery.idempotency_key
    assert (
        first.body == second.body
        and first.headers["X-Portal-Signature-256"] == second.headers["X-Portal-Signature-256"]
    )
    assert (first.duplicate, second.duplicate) == (False, True)
    assert receiver.acted_keys() == {delivery.idempotency_key}


def test_a_webhook_that_times_out_is_retried(fast_retry, webhook, receiver):
    webhook.timeout_seconds = 1
    webhook.save()
    receiver.delay(1.5)
    delivery = submit_request(contact_email="").deliveries.get()
    drain()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert "Timeout" in delivery.last_error


# --- emails -------------------------------------------------------------------------------------


def test_department_email_has_the_answers_by_label_the_json_and_the_files_attached(fast_retry, media_root):
    Destination.objects.create(queue=waste_queue(), kind=DestinationKind.EMAIL, email_to="waste@ashworth.example")
    request = submit_request(FLY_TIPPING, with_photo=True, contact_email="")
    delivery = request.deliveries.get()

    drain()

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    (message,) = mail.outbox
    assert message.to == ["waste@ashworth.example"]
    assert message.subject == f"[{request.display_reference}] {request.service.title}"
    assert message.extra_headers["Idempotency-Key"] == delivery.idempotency_key
    assert message.extra_headers["Message-ID"] == f"<{delivery.idempotency_key}@ashworth.example.gov.uk>"
    labels = {question["id"]: question["label"] for question in delivery.payload["form"]["questions"]}
    assert f"Reference: {request.display_reference}" in message.body
    assert f"{labels['amount']}: van" in message.body
    assert f"{labels['waste_types']}: " in message.body and "furniture" in message.body
    attachments = {name: (content, mimetype) for name, content, mimetype in message.attachments}
    attached = json.loads(attachments["request.json"][0])
    assert without_links(attached) == delivery.payload
    # A mailbox's readers sign in to the admin: its file links open the request's page, never a bearer link.
    assert attached["files"][0]["url"] == f"{settings.WAGTAILADMIN_BASE_URL}/admin/requests/{request.pk}/"
    assert "/files/" not in message.body
    assert attachments["lay-by.png"] == (PNG, "image/png")


def test_citizen_confirmation_email_has_the_reference_and_a_copy_of_the_answers(fast_retry):
    request = submit_request()
    delivery = request.deliveries.get(kind=DeliveryKind.CITIZEN_EMAIL)

    drain()

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    (message,) = mail.outbox
    assert message.to == [CITIZEN_EMAIL]
    assert request.display_reference in message.subject
    assert f"Reference: {request.display_reference}" in message.body
    assert f"You can check the progress of your request at {settings.WAGTAILADMIN_BASE_URL}/track/ " in message.body
    assert "A copy of your answers" in message.body
    assert "14 Mill Lane" in message.body
    assert message.extra_headers["Message-ID"] == f"<{request.reference}-confirmation@ashworth.example.gov.uk>"


def test_an_unreachable_mail_server_is_a_transient_failure(fast_retry):
    request = submit_request()
    delivery = request.deliveries.get(kind=DeliveryKind.CITIZEN_EMAIL)
    smtp = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1"}
    with override_settings(**smtp, EMAIL_PORT=free_port(), EMAIL_TIMEOUT=2):
        drain()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert "Could not send the email" in delivery.last_error
    assert mail.outbox == []


def test_an_email_destination_without_a_mailbox_is_dead(fast_retry):
    destination = Destination.objects.create(queue=waste_queue(), kind=DestinationKind.EMAIL, email_to="x@example.com")
    request = submit_request(contact_email="")
    Destination.objects.filter(pk=destination.pk).update(email_to="")
    drain()
    delivery = request.deliveries.get()
    assert delivery.state == DeliveryState.DEAD
    assert "no mailbox" in delivery.last_error


# --- RabbitMQ (the real broker) -------------------------------------------------------------------


@pytest.fixture
def amqp():
    """A temporary exclusive queue bound to amq.topic with a routing key of its own."""
    routing_key = f"portal.test.{uuid.uuid4().hex}"
    connection = pika.BlockingConnection(pika.URLParameters(RABBITMQ_TEST_URL))
    channel = connection.channel()
    queue = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(queue, "amq.topic", routing_key)

    def get(timeout: float = 5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            method, properties, body = channel.basic_get(queue, auto_ack=True)
            if method:
                return method, properties, body
            time.sleep(0.05)
        raise AssertionError("no message arrived")

    yield routing_key, get
    connection.close()


def rabbitmq_destination(routing_key: str, url: str = RABBITMQ_TEST_URL) -> Destination:
    return Destination.objects.create(
        queue=waste_queue(), kind=DestinationKind.RABBITMQ, amqp_url=url, exchange="amq.topic", routing_key=routing_key
    )


@needs_rabbitmq
def test_rabbitmq_message_is_persistent_confirmed_and_carries_the_idempotency_key(fast_retry, amqp):
    routing_key, get = amqp
    rabbitmq_destination(routing_key)
    request = submit_request(contact_email="")
    delivery = request.deliveries.get()

    assert drain() == 1

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    method, properties, body = get()
    assert (method.exchange, method.routing_key) == ("amq.topic", routing_key)
    assert json.loads(body) == delivery.payload
    assert json.loads(body)["reference"] == request.reference
    assert properties.delivery_mode == 2  # persistent
    assert properties.message_id == delivery.idempotency_key
    assert properties.content_type == "application/json"
    assert properties.type == "council-portal.service-request"
    assert properties.headers == {"Idempotency-Key": delivery.idempotency_key, "reference": request.reference}


@needs_rabbitmq
def test_rabbitmq_message_nobody_would_receive_is_not_counted_as_delivered(fast_retry):
    rabbitmq_destination(f"portal.test.unbound.{uuid.uuid4().hex}")
    delivery = submit_request(contact_email="").deliveries.get()
    drain()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert "No queue is bound" in delivery.last_error


@needs_rabbitmq
def test_rabbitmq_broker_unreachable_is_a_transient_failure(fast_retry):
    parts = urlsplit(RABBITMQ_TEST_URL)
    unreachable = parts._replace(netloc=f"{parts.username}:{parts.password}@127.0.0.1:{free_port()}").geturl()
    rabbitmq_destination("portal.test.nowhere", url=unreachable)
    delivery = submit_request(contact_email="").deliveries.get()
    drain()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert "AMQPConnectionError" in delivery.last_error


@needs_rabbitmq
def test_rabbitmq_connection_dropped_by_the_broker_while_idle_is_replaced_before_the_next_send(fast_retry, amqp):
    """With 1 s heartbeats the broker closes a connection left idle for a few seconds, as it does after
    two minutes with its defaults; the worker's next message must still go out at the first attempt."""
    routing_key, get = amqp
    url = RABBITMQ_TEST_URL + ("&" if "?" in RABBITMQ_TEST_URL else "?") + "heartbeat=1"
    rabbitmq_destination(routing_key, url=url)
    worker = Worker()
    try:
        first = submit_request(contact_email="").deliveries.get()
        assert worker.drain() == 1
        connection = worker.adapters["rabbitmq"].connections[url][0]
        time.sleep(5)  # idle: no heartbeats sent, the broker gives up on the connection
        second = submit_request(contact_email="").deliveries.get()
        assert worker.drain() == 1
        assert worker.adapters["rabbitmq"].connections[url][0] is not connection
    finally:
        worker.close()
    for delivery in (first, second):
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 1)
    assert {get()[1].message_id, get()[1].message_id} == {first.idempotency_key, second.idempotency_key}
