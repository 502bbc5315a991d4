"""A queue's destination secrets are write-only: never rendered back, kept when left blank, replaced when typed."""

import pytest
from django.urls import reverse

from backoffice.models import Destination, DestinationKind

from .factories import HIGHWAYS, department_queue, form_data, login, page, with_new_webhook

pytestmark = pytest.mark.django_db

SIGNING_SECRET = "whsec-never-shown-5e6f7a8b"
BROKER_PASSWORD = "broker-pass-never-shown"
BROKER_URL = f"amqp://portal:{BROKER_PASSWORD}@broker.example.gov.uk:5672/council"


@pytest.fixture
def queue_with_secrets(db):
    queue = department_queue(HIGHWAYS)
    Destination.objects.create(
        queue=queue, kind=DestinationKind.WEBHOOK, url="https://highways.example.gov.uk/in", secret=SIGNING_SECRET
    )
    Destination.objects.create(queue=queue, kind=DestinationKind.RABBITMQ, amqp_url=BROKER_URL, routing_key="r")
    return queue


def edit_page(client, queue):
    response = client.get(reverse("backoffice_queues:edit", args=[queue.pk]))
    assert response.status_code == 200
    return response


def test_the_queue_page_never_sends_a_secret_back_to_the_browser(client, superuser, queue_with_secrets):
    login(client, superuser)
    response = edit_page(client, queue_with_secrets)
    html = response.content.decode()

    assert SIGNING_SECRET not in html and BROKER_PASSWORD not in html
    secret_box = page(response).select_one("input[name$='-secret']")
    assert secret_box["type"] == "password" and secret_box.get("value", "") == ""
    assert secret_box["autocomplete"] == "new-password"
    assert html.count("A value is set. It is not shown") == 2  # the secret and the broker URL


def test_a_blank_secret_keeps_the_current_one_and_a_typed_one_replaces_it(client, superuser, queue_with_secrets):
    login(client, superuser)
    edit_url = reverse("backoffice_queues:edit", args=[queue_with_secrets.pk])
    data = form_data(page(edit_page(client, queue_with_secrets)).select_one("form[method=post]"))

    response = client.post(edit_url, data)  # the form as shown: both secret boxes blank
    assert response.status_code == 302
    webhook = Destination.objects.get(kind=DestinationKind.WEBHOOK)
    assert webhook.secret == SIGNING_SECRET
    assert Destination.objects.get(kind=DestinationKind.RABBITMQ).amqp_url == BROKER_URL

    secret_name = next(name for name in data if name.endswith("-secret"))
    response = client.post(edit_url, {**data, secret_name: "whsec-replaced-1234"})
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert webhook.secret == "whsec-replaced-1234"


def test_a_new_webhook_without_a_secret_is_refused(client, superuser):
    queue = department_queue(HIGHWAYS)
    login(client, superuser)
    edit_url = reverse("backoffice_queues:edit", args=[queue.pk])
    data = form_data(page(edit_page(client, queue)).select_one("form[method=post]"))
    data = with_new_webhook(data, "https://highways.example.gov.uk/portal", secret="")

    response = client.post(edit_url, data)

    assert response.status_code == 200
    assert "Needed for this kind of destination." in response.content.decode()
    assert not queue.destinations.filter(kind="webhook").exists()
