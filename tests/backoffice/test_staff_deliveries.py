"""The web team's Deliveries view: problems first, filters, last errors, and replaying failed deliveries.

Deliveries reach their states the real way: the Waste queue pushes to a webhook, the relay
worker sends, and the webhook's port is closed (dead or failed) or answered by a small HTTP
server (delivered).
"""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from backoffice.models import Delivery, DeliveryKind, DeliveryState, Destination, DestinationKind
from backoffice.relay import RetryPolicy, Worker

from .factories import FLY_TIPPING, WASTE, department_queue, login, make_request, page

pytestmark = pytest.mark.django_db

DELIVERIES = reverse("backoffice_deliveries:index")


def closed_port_url() -> str:
    """A local URL nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


class Accept(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 — the http.server interface
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def accepting_url():
    """A webhook receiver on a free local port that accepts everything."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Accept)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


@pytest.fixture
def webhook(db):
    """The Waste and Recycling queue pushes to a webhook whose port is closed."""
    queue = department_queue(WASTE)
    destination = Destination(queue=queue, kind=DestinationKind.WEBHOOK)
    destination.enabled, destination.url, destination.secret = True, closed_port_url(), "test-secret"
    destination.timeout_seconds = 2
    destination.save()
    return destination


def drain(max_attempts: int) -> None:
    """Run the relay worker over everything due now."""
    worker = Worker(policy=RetryPolicy(max_attempts=max_attempts, base_seconds=600, cap_seconds=600))
    try:
        worker.drain()
    finally:
        worker.close()


@pytest.fixture
def outbox(media_root, webhook):
    """A dead webhook (its only attempt refused), a failed one (will retry), a pending one, delivered emails."""
    dead_request = make_request(FLY_TIPPING)
    drain(max_attempts=1)
    failed_request = make_request(FLY_TIPPING)
    drain(max_attempts=5)
    pending_request = make_request(FLY_TIPPING)
    webhooks = Delivery.objects.filter(kind=DeliveryKind.WEBHOOK)
    return {
        "dead": webhooks.get(request=dead_request),
        "failed": webhooks.get(request=failed_request),
        "pending": webhooks.get(request=pending_request),
        "delivered": Delivery.objects.get(request=dead_request, kind=DeliveryKind.CITIZEN_EMAIL),
    }


def rows(response) -> list[dict[str, str]]:
    """The listing's rows as {column heading: cell text}."""
    table = page(response).select_one("table.listing")
    headings = [" ".join(th.get_text(" ").split()) for th in table.select("thead th")]
    return [
        dict(zip(headings, [" ".join(td.get_text(" ").split()) for td in row.select("td")], strict=False))
        for row in table.select("tbody tr")
    ]


def messages_of(response) -> list[str]:
    return [" ".join(item.get_text(" ").split()) for item in page(response).select(".messages li")]


def test_dead_and_failed_deliveries_come_first_with_their_last_error_and_attempts(client, outbox, web_team):
    login(client, web_team)

    listed = rows(client.get(DELIVERIES))

    states = [row["State"] for row in listed]
    assert states[:2] == ["Dead", "Failed, will retry"]
    assert set(states[2:]) <= {"Pending", "Delivered"} and "Pending" in states and "Delivered" in states
    dead, failed = listed[0], listed[1]
    assert dead["Request"] == outbox["dead"].request.display_reference and dead["Kind"] == "Webhook"
    assert "ConnectionError" in dead["Last error"] and dead["Attempts"] == "1"
    assert dead["Next attempt"] == "", "a dead delivery is not retried"
    assert failed["Attempts"] == "1" and failed["Next attempt"] != ""
    assert outbox["failed"].next_attempt_at > timezone.now()


def test_filter_by_state_and_kind(client, outbox, web_team):
    login(client, web_team)

    dead = rows(client.get(DELIVERIES, {"state": "dead"}))
    emails = rows(client.get(DELIVERIES, {"kind": "citizen_email"}))
    bad = client.get(DELIVERIES, {"state": "lost", "kind": "pigeon", "p": "x"})

    assert [row["Request"] for row in dead] == [outbox["dead"].request.display_reference]
    assert emails and {row["Kind"] for row in emails} == {"Email to the citizen"}
    assert bad.status_code == 200


def test_replay_buttons_only_for_dead_and_failed_deliveries(client, outbox, web_team):
    login(client, web_team)

    forms = page(client.get(DELIVERIES)).select("table.listing form")

    actions = {form["action"] for form in forms}
    assert actions == {
        reverse("backoffice_deliveries:replay", args=[outbox["dead"].pk]),
        reverse("backoffice_deliveries:replay", args=[outbox["failed"].pk]),
    }


def test_replay_puts_a_dead_delivery_back_to_pending_and_logs_it(client, outbox, web_team):
    dead = outbox["dead"]
    login(client, web_team)

    response = client.post(
        reverse("backoffice_deliveries:replay", args=[dead.pk]), {"next": f"{DELIVERIES}?state=dead"}, follow=True
    )

    dead.refresh_from_db()
    assert (dead.state, dead.attempts) == (DeliveryState.PENDING, 0)
    assert dead.next_attempt_at <= timezone.now()
    assert response.redirect_chain[-1][0] == f"{DELIVERIES}?state=dead"
    assert any(
        message.startswith(f"Delivery {dead.pk} for {dead.request.display_reference}")
        for message in messages_of(response)
    )
    entry = ModelLogEntry.objects.get(action="backoffice.replay_delivery")
    assert (entry.user, entry.object_id, entry.data["from_state"]) == (web_team, str(dead.pk), "dead")


def test_a_replayed_delivery_is_sent_by_the_worker(client, outbox, webhook, web_team, accepting_url):
    dead = outbox["dead"]
    webhook.url = accepting_url  # the department's system is back
    webhook.save()
    login(client, web_team)

    client.post(reverse("backoffice_deliveries:replay", args=[dead.pk]))
    drain(max_attempts=5)

    dead.refresh_from_db()
    assert dead.state == DeliveryState.DELIVERED and dead.attempts == 1


def test_replay_a_failed_delivery_sends_it_now(client, outbox, web_team):
    failed = outbox["failed"]
    login(client, web_team)

    client.post(reverse("backoffice_deliveries:replay", args=[failed.pk]))

    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (DeliveryState.PENDING, 0)
    assert failed.next_attempt_at <= timezone.now()


@pytest.mark.parametrize("state", ["pending", "delivered"])
def test_replay_of_a_delivery_that_did_not_fail_says_so_and_changes_nothing(client, outbox, web_team, state):
    delivery = outbox[state]
    before = Delivery.objects.filter(pk=delivery.pk).values().get()
    login(client, web_team)

    response = client.post(reverse("backoffice_deliveries:replay", args=[delivery.pk]), follow=True)

    assert Delivery.objects.filter(pk=delivery.pk).values().get() == before
    expected = f"Delivery {delivery.pk} is {state} now: only failed or dead deliveries can be replayed."
    assert expected in messages_of(response)
    assert not ModelLogEntry.objects.filter(action="backoffice.replay_delivery").exists()


def test_replay_is_post_only_and_unknown_deliveries_are_not_found(client, outbox, web_team):
    login(client, web_team)

    assert client.get(reverse("backoffice_deliveries:replay", args=[outbox["dead"].pk])).status_code == 405
    assert client.post(reverse("backoffice_deliveries:replay", args=[999999])).status_code == 404
    outbox["dead"].refresh_from_db()
    assert outbox["dead"].state == DeliveryState.DEAD


def test_replay_rejects_a_next_url_to_another_site(client, outbox, web_team):
    login(client, web_team)

    response = client.post(
        reverse("backoffice_deliveries:replay", args=[outbox["dead"].pk]), {"next": "https://evil.example/"}
    )

    assert response.status_code == 302 and response["Location"] == DELIVERIES


def test_superuser_replays_from_the_requests_page(client, outbox, superuser):
    dead = outbox["dead"]
    detail = reverse("backoffice_requests:detail", args=[dead.request_id])
    login(client, superuser)

    form = page(client.get(detail)).select_one("#deliveries-section form")
    response = client.post(form["action"], {"next": form.select_one("input[name=next]")["value"]})

    assert response.status_code == 302 and response["Location"] == detail
    dead.refresh_from_db()
    assert dead.state == DeliveryState.PENDING
