"""Every route that shows or hands out a request's personal data writes an audit entry: one test per route.

The inventory test lists every back-office, pull-API and public route and fails when a new one
appears without a decision here: audited (and tested below), or known to show no personal data.
"""

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from wagtail.models import ModelLogEntry

from api.keys import issue
from api.models import QueueApiKey
from backoffice import file_links
from backoffice.models import Destination, DestinationKind
from backoffice.staff import audit

from .factories import CITIZEN_EMAIL, FLY_TIPPING, WASTE, department_queue, login, make_request, staff_file_link

pytestmark = pytest.mark.django_db

# Routes that hand out personal data, by URL name, and the action each writes.
AUDITED = {
    "backoffice_requests:detail": audit.VIEW_REQUEST,
    "backoffice_requests:file": audit.DOWNLOAD_FILE,
    "backoffice:file_download": audit.DOWNLOAD_FILE,
    "backoffice:track": audit.TRACK_REQUEST,
    "api-v1:request_status": audit.TRACK_REQUEST,
    "api-v1:queue_requests": audit.VIEW_REQUEST,
    "api-v1:queue_request": audit.VIEW_REQUEST,
    "api-v1:queue_request_file": audit.DOWNLOAD_FILE,
    "backoffice_subject_rights:index": audit.FIND_SUBJECT_REQUESTS,  # and export, erase (test_subject_rights.py)
}
# Routes of the same areas that show no personal data, or change a request (audited in test_audit.py).
NOT_PERSONAL_DATA = {
    "backoffice_requests:index",  # reference, service, status, dates
    "backoffice_requests:index_results",
    "backoffice_requests:reference",  # a redirect to the request's page (which is audited)
    "backoffice_requests:claim",
    "backoffice_requests:assign",
    "backoffice_requests:status",
    "backoffice_deliveries:index",  # reference, kind, state, error
    "backoffice_deliveries:index_results",
    "backoffice_deliveries:replay",
    "api-v1:acknowledge_request",  # the reference and the acknowledgement time
    "api-v1:change_request_status",  # audited as a change
    "api-v1:submit_request",  # gives back the new reference and status only
    "api-v1:api-root",
    "api-v1:api_index",
    "api-v1:list_forms",
    "api-v1:get_form",
    "api-v1:get_form_schema",
    "api-v1:openapi-json",
    "api-v1:openapi-view",
    # Open311 GeoReport v2 is public by design: the problem's description and place, never who reported it.
    "open311-discovery",
    "open311-services",
    "open311-service",
    "open311-requests",
    "open311-request",
    "open311-token",
    "open311-updates",
}
AREAS = (
    "backoffice_requests:",
    "backoffice_deliveries:",
    "backoffice_subject_rights:",
    "backoffice:",
    "api-v1:",
    "open311-",
)


def route_names(resolver: URLResolver = None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= route_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_route_of_the_back_office_and_pull_api_is_audited_or_shows_no_personal_data():
    names = {name for name in route_names() if name.startswith(AREAS)}

    undecided = names - set(AUDITED) - NOT_PERSONAL_DATA
    assert not undecided, f"decide whether these routes show personal data, and audit them: {sorted(undecided)}"
    assert set(AUDITED) <= names


def only_entry(service_request, action):
    (entry,) = ModelLogEntry.objects.for_instance(service_request).filter(action=action)
    return entry


@pytest.fixture
def service_request(media_root):
    return make_request(FLY_TIPPING)


@pytest.fixture
def waste_key():
    return issue(QueueApiKey, name="Waste system", queue=department_queue(WASTE))[1]


def test_staff_viewing_a_request(client, service_request, waste_officer):
    login(client, waste_officer)
    client.get(reverse("backoffice_requests:detail", args=[service_request.pk]))
    assert only_entry(service_request, audit.VIEW_REQUEST).user == waste_officer


def test_staff_downloading_a_file(client, service_request, waste_officer):
    login(client, waste_officer)
    client.get(staff_file_link(client, service_request))
    assert only_entry(service_request, audit.DOWNLOAD_FILE).user == waste_officer


def test_a_receiving_system_downloading_a_file(client, service_request):
    feed = Destination.objects.create(
        queue=department_queue(WASTE), kind=DestinationKind.RABBITMQ, amqp_url="amqp://x/", routing_key="k"
    )
    url = file_links.destination_url(service_request.files.get().pk, feed)
    assert client.get(url.removeprefix("http://127.0.0.1:8000")).status_code == 200
    assert only_entry(service_request, audit.DOWNLOAD_FILE).data["via_kind"] == "destination"


def test_a_citizen_tracking_their_request_on_the_website(client, service_request, clear_cache):
    client.post(reverse("backoffice:track"), {"reference": service_request.reference, "email": "wrong@example.com"})
    assert not ModelLogEntry.objects.for_instance(service_request).filter(action=audit.TRACK_REQUEST).exists()

    client.post(reverse("backoffice:track"), {"reference": service_request.reference, "email": CITIZEN_EMAIL})

    entry = only_entry(service_request, audit.TRACK_REQUEST)
    assert entry.user is None and entry.data["via"] == audit.CITIZEN_WEB and CITIZEN_EMAIL not in json.dumps(entry.data)
    assert entry.message == "Looked up by its reference and email address, by the citizen (Track a request)"


def test_a_citizen_looking_their_request_up_through_the_api(client, service_request, clear_cache):
    response = client.post(
        reverse("api-v1:request_status"),
        {"reference": service_request.reference, "email": CITIZEN_EMAIL},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert only_entry(service_request, audit.TRACK_REQUEST).data["via"] == audit.CITIZEN_API


@pytest.mark.parametrize(
    ("suffix", "action"),
    [("", audit.VIEW_REQUEST), ("/files/{file}", audit.DOWNLOAD_FILE), ("list", audit.VIEW_REQUEST)],
)
def test_a_department_system_pulling(client, service_request, waste_key, suffix, action):
    base = "/api/v1/queue/requests"
    path = (
        base
        if suffix == "list"
        else f"{base}/{service_request.reference}" + suffix.format(file=service_request.files.get().pk)
    )
    assert client.get(path, headers={"Authorization": f"Bearer {waste_key}"}).status_code == 200
    assert only_entry(service_request, action).data["via"] == "Waste system"


def test_a_subject_rights_search(client, service_request, superuser):
    login(client, superuser)
    client.post(reverse("backoffice_subject_rights:index"), {"action": "find", "email": CITIZEN_EMAIL})
    assert only_entry(service_request, audit.FIND_SUBJECT_REQUESTS).user == superuser
