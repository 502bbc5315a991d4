"""Signed file links: short-lived, tied to a member of staff's session or to a receiving system's destination.

Each protection has its refusal here: a forged, expired, other-session, other-user, other-file,
other-destination, disabled-destination or unsigned link never gives the file.
"""

import hashlib
import hmac
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

from backoffice import file_links
from backoffice.models import Destination, DestinationKind
from backoffice.staff import audit
from tests.forms_catalogue.journey_helpers import PNG_BYTES

from .factories import FLY_TIPPING, HIGHWAYS, POTHOLE, WASTE, department_queue, login, make_request, staff_file_link

pytestmark = pytest.mark.django_db

SECRET = "whsec-file-links-test"


def served(response) -> bool:
    return response.status_code == 200 and b"".join(response.streaming_content) == PNG_BYTES


# --- staff ------------------------------------------------------------------------------------------


@pytest.fixture
def service_request(media_root):
    return make_request(FLY_TIPPING)


def test_a_staff_link_works_in_the_session_it_was_made_in(client, service_request, waste_officer):
    login(client, waste_officer)

    assert served(client.get(staff_file_link(client, service_request)))


def test_a_staff_link_is_refused_in_another_session_of_the_same_person(client, service_request, waste_officer):
    login(client, waste_officer)
    link = staff_file_link(client, service_request)
    other_browser = Client()
    login(other_browser, waste_officer)

    response = other_browser.get(link)

    assert response.status_code == 302 and response["Location"].endswith(f"/admin/requests/{service_request.pk}/")
    assert not ModelLogEntry.objects.filter(action=audit.DOWNLOAD_FILE).exists()


def test_a_staff_link_is_refused_after_signing_out_and_in_again(client, service_request, waste_officer):
    login(client, waste_officer)
    link = staff_file_link(client, service_request)
    client.logout()
    login(client, waste_officer)

    assert client.get(link).status_code == 302


def test_a_staff_link_is_refused_to_a_colleague_who_may_see_the_request(
    client, service_request, waste_officer, waste_colleague
):
    login(client, waste_officer)
    link = staff_file_link(client, service_request)
    colleague = Client()
    login(colleague, waste_colleague)

    assert colleague.get(link).status_code == 302


def test_an_expired_staff_link_is_refused(client, service_request, waste_officer, settings):
    login(client, waste_officer)
    link = staff_file_link(client, service_request)
    settings.FILE_LINK_STAFF_MAX_AGE = -1

    assert client.get(link).status_code == 302


def test_a_forged_or_another_files_staff_link_is_refused(client, service_request, waste_officer):
    second = make_request(FLY_TIPPING)
    login(client, waste_officer)
    link = staff_file_link(client, service_request)
    path, _sep, query = link.partition("?")
    second_path = reverse("backoffice_requests:file", args=[second.pk, second.files.get().pk])

    assert client.get(f"{path}?{query[:-2]}xx").status_code == 302, "tampered"
    assert client.get(path).status_code == 302, "no token"
    assert client.get(f"{second_path}?{query}").status_code == 302, "another file's link"


def test_a_staff_link_still_needs_the_request_to_be_in_the_users_queues(client, service_request, highways_officer):
    login(client, highways_officer)
    item = service_request.files.get()
    path = reverse("backoffice_requests:file", args=[service_request.pk, item.pk])

    assert client.get(path).status_code == 404


# --- receiving systems ----------------------------------------------------------------------------------


def destination(kind: str, department: str = WASTE, **fields) -> Destination:
    defaults = {
        DestinationKind.WEBHOOK: {"url": "https://waste.example/hook", "secret": SECRET},
        DestinationKind.RABBITMQ: {"amqp_url": "amqp://guest:guest@127.0.0.1/", "routing_key": "portal.test"},
        DestinationKind.EMAIL: {"email_to": "waste@ashworth.example"},
    }[kind]
    return Destination.objects.create(queue=department_queue(department), kind=kind, **{**defaults, **fields})


def link_path(file_id: int, to: Destination) -> str:
    return urlsplit(file_links.destination_url(file_id, to)).path


def signed_fetch(path: str, secret: str = SECRET) -> dict[str, str]:
    token = path.rstrip("/").rsplit("/", 1)[-1]
    return {"X-Portal-Signature-256": "sha256=" + hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()}


def test_a_webhooks_link_gives_the_file_when_the_fetch_is_signed_and_is_audited(client, service_request):
    hook = destination(DestinationKind.WEBHOOK)
    item = service_request.files.get()
    path = link_path(item.pk, hook)

    assert served(client.get(path, headers=signed_fetch(path)))

    (entry,) = ModelLogEntry.objects.for_instance(service_request).filter(action=audit.DOWNLOAD_FILE)
    assert entry.user is None and entry.data["via"] == str(hook) and entry.data["file_id"] == item.pk
    assert "by a receiving system" in entry.message


def test_a_webhooks_link_alone_or_signed_with_another_secret_is_refused(client, service_request):
    path = link_path(service_request.files.get().pk, destination(DestinationKind.WEBHOOK))

    assert client.get(path).status_code == 404
    assert client.get(path, headers=signed_fetch(path, "another-secret")).status_code == 404
    assert not ModelLogEntry.objects.filter(action=audit.DOWNLOAD_FILE).exists()


def test_a_rabbitmq_destinations_link_works_until_it_expires(client, service_request, settings):
    path = link_path(service_request.files.get().pk, destination(DestinationKind.RABBITMQ))

    assert served(client.get(path))
    settings.FILE_LINK_DESTINATION_MAX_AGE = -1
    assert client.get(path).status_code == 404


def test_another_queues_destination_or_a_disabled_one_is_refused(client, service_request):
    """A link made for a destination that does not receive the request's queue (or no longer does) is refused."""
    item = service_request.files.get()
    highways_feed = destination(DestinationKind.RABBITMQ, HIGHWAYS)
    paused = destination(DestinationKind.RABBITMQ, enabled=False)

    assert client.get(link_path(item.pk, highways_feed)).status_code == 404
    assert client.get(link_path(item.pk, paused)).status_code == 404
    pothole_file = make_request(POTHOLE).files.get()
    assert client.get(link_path(pothole_file.pk, highways_feed)).status_code == 200, "its own queue's file"


def test_a_mailbox_gets_no_bearer_link(client, service_request):
    mailbox = destination(DestinationKind.EMAIL)

    assert client.get(link_path(service_request.files.get().pk, mailbox)).status_code == 404


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: signing.dumps({"f": 1, "d": 1}, salt="another-purpose"),
        lambda token: signing.dumps({"f": "x", "d": 1}, salt=file_links.DESTINATION_SALT),
        lambda token: signing.dumps(["f", 1], salt=file_links.DESTINATION_SALT),
        lambda token: "not-a-token",
    ],
)
def test_forged_destination_links_are_not_found(client, service_request, forge):
    feed = destination(DestinationKind.RABBITMQ)
    token = file_links.destination_token(service_request.files.get().pk, feed)

    assert client.get(reverse("backoffice:file_download", args=[forge(token)])).status_code == 404


def test_a_file_that_is_no_longer_stored_is_not_found(client, service_request):
    item = service_request.files.get()
    path = link_path(item.pk, destination(DestinationKind.RABBITMQ))
    item.file.storage.delete(item.file.name)

    assert client.get(path).status_code == 404
