"""One service, three ways in: the web form, the portal API and Open311 land in the same queue with the
same structured answers, and each is visible through that queue's pull API only."""

from urllib.parse import urlencode

import pytest

from api.keys import issue
from api.models import Open311Client, QueueApiKey
from backoffice.models import Channel, Queue, ServiceRequest
from tests.forms_catalogue.demo_answers import DEMO_ANSWERS
from tests.forms_catalogue.journey_helpers import Journey, form_page, stored_answers

from .open311_helpers import missed_bin_fields
from .submitting import json_body, post_json

SERVICE = "report-missed-bin"
ANSWERS = DEMO_ANSWERS[SERVICE]


def through_open311(client, key: str) -> ServiceRequest:
    """The missed bin report as FixMyStreet would send it: Open311 fields plus the form's attributes."""
    fields = missed_bin_fields(key)
    response = client.post(
        "/open311/v2/requests.json", urlencode(fields), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200, response.content
    [created] = response.json()
    return ServiceRequest.objects.get(reference=created["service_request_id"].replace("-", ""))


def pulled_references(client, key: str) -> set[str]:
    response = client.get("/api/v1/queue/requests?state=all&limit=100", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.content
    return {item["reference"] for item in response.json()["items"]}


@pytest.mark.django_db
def test_web_api_and_open311_requests_reach_the_same_queue_with_the_same_answers(client, media_root):
    web, _confirmation = Journey(client, form_page(SERVICE)).start().send(ANSWERS)
    api_response = post_json(client, SERVICE, json_body(ANSWERS))
    assert api_response.status_code == 201, api_response.content
    api = ServiceRequest.objects.get(reference=api_response.json()["reference"])
    _client, open311_key = issue(Open311Client, name="FixMyStreet")
    open311 = through_open311(client, open311_key)

    requests = {Channel.WEB: web, Channel.API: api, Channel.OPEN311: open311}
    assert {channel: request.channel for channel, request in requests.items()} == {
        Channel.WEB: "web",
        Channel.API: "api",
        Channel.OPEN311: "open311",
    }
    assert web.queue is not None and {request.queue_id for request in requests.values()} == {web.queue_id}
    assert web.answers == api.answers == stored_answers(ANSWERS)
    # Open311 keeps the answers keyed by the same question ids; media links are its only addition.
    assert {key: value for key, value in open311.answers.items() if key != "media_url"} == web.answers
    assert {request.form_version_id for request in requests.values()} == {web.form_version_id}
    assert {request.contact_email for request in requests.values()} == {ANSWERS["email"]}

    own_key = issue(QueueApiKey, name="Waste system", queue=web.queue)[1]
    other_queue = Queue.objects.exclude(pk=web.queue_id).order_by("pk").first()
    other_key = issue(QueueApiKey, name="Another system", queue=other_queue)[1]
    references = {request.reference for request in requests.values()}
    assert references <= pulled_references(client, own_key)
    assert not references & pulled_references(client, other_key)
    for request in requests.values():
        own = client.get(f"/api/v1/queue/requests/{request.reference}", headers={"Authorization": f"Bearer {own_key}"})
        assert own.status_code == 200 and own.json()["answers"] == request.answers
        other = client.get(
            f"/api/v1/queue/requests/{request.reference}", headers={"Authorization": f"Bearer {other_key}"}
        )
        assert other.status_code == 404
