"""Rate limits on /api/ and /open311/: per key prefix or per address, 429 in each API's own error format."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.test import override_settings

from api.keys import issue
from api.middleware import key_prefix
from api.models import Open311Client, QueueApiKey
from backoffice.models import Queue

PAGES = "/api/v2/pages/?limit=1"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


@pytest.fixture
def empty_cache():
    """Counts start at zero in each test."""
    cache.clear()
    yield
    cache.clear()


def statuses(client, url: str, times: int, **extra) -> list[int]:
    return [client.get(url, **extra).status_code for _ in range(times)]


@override_settings(API_RATE_LIMIT=(3, 60))
def test_the_api_answers_429_problem_documents_over_the_limit_per_address(client):
    assert statuses(client, PAGES, 3, REMOTE_ADDR="203.0.113.1") == [200, 200, 200]

    refused = client.get(PAGES, REMOTE_ADDR="203.0.113.1")

    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused["Retry-After"] == "60"
    body = refused.json()
    assert body["status"] == 429 and body["type"].endswith("/too-many-requests")
    assert "More than 3 requests in 60 seconds" in body["detail"] and body["instance"] == "/api/v2/pages/"
    # Another address, and pages outside the APIs, are not affected.
    assert client.get(PAGES, REMOTE_ADDR="203.0.113.2").status_code == 200
    assert statuses(client, "/healthz", 5, REMOTE_ADDR="203.0.113.1") == [200] * 5


@override_settings(API_RATE_LIMIT=(2, 60))
def test_a_key_counts_against_its_prefix_wherever_it_comes_from(client):
    queue = Queue.objects.first()
    _, key = issue(QueueApiKey, name="Waste system", queue=queue)
    _, other_key = issue(QueueApiKey, name="Highways system", queue=queue)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    assert statuses(client, PAGES, 2, REMOTE_ADDR="198.51.100.1", **bearer) == [200, 200]
    # The same key from another address, and as an api_key parameter, shares the count.
    assert client.get(PAGES, REMOTE_ADDR="198.51.100.2", **bearer).status_code == 429
    assert client.get(f"{PAGES}&api_key={key}", REMOTE_ADDR="198.51.100.3").status_code == 429
    # The address that used the key, without it, and another key have counts of their own.
    assert client.get(PAGES, REMOTE_ADDR="198.51.100.1").status_code == 200
    other = {"HTTP_AUTHORIZATION": f"bearer {other_key}"}
    assert statuses(client, PAGES, 2, REMOTE_ADDR="198.51.100.1", **other) == [200, 200]


@override_settings(API_RATE_LIMIT=(1, 60))
def test_a_malformed_key_counts_against_the_address(client):
    for token in ["nonsense", "pq_short_secret", "xx_abcdefgh_secret", "pq_ABCDEFGH_secret", "pq_abcdefgh_"]:
        assert key_prefix(token) is None
    assert key_prefix("pq_abcd1234_secret") == "pq_abcd1234"
    assert client.get(PAGES, REMOTE_ADDR="192.0.2.1", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 200
    assert client.get(PAGES, REMOTE_ADDR="192.0.2.1", HTTP_AUTHORIZATION="Bearer other").status_code == 429


@override_settings(API_RATE_LIMIT=(2, 60))
def test_made_up_or_revoked_keys_count_against_the_address_so_they_cannot_dodge_the_limit(client):
    record, key = issue(QueueApiKey, name="Waste system", queue=Queue.objects.first())
    record.revoke()
    made_up = [f"pq_{prefix}_secret" for prefix in ("aaaaaaaa", "bbbbbbbb")]

    codes = [
        client.get(PAGES, REMOTE_ADDR="192.0.2.30", HTTP_AUTHORIZATION=f"Bearer {token}").status_code
        for token in [*made_up, key]
    ]

    assert codes == [200, 200, 429]


@override_settings(API_RATE_LIMIT=(1, 60))
def test_open311_answers_429_in_its_own_xml_and_json_error_formats(client):
    client.get("/open311/v2/services.xml", REMOTE_ADDR="192.0.2.9")

    as_xml = client.get("/open311/v2/services.xml", REMOTE_ADDR="192.0.2.9")
    assert as_xml.status_code == 429 and as_xml["Retry-After"] == "60"
    assert as_xml["Content-Type"].startswith("text/xml")
    errors = ET.fromstring(as_xml.content)  # noqa: S314 - our own response
    assert errors.tag == "errors" and errors.find("error/code").text == "429"
    assert "Wait 60 seconds" in errors.find("error/description").text

    as_json = client.get("/open311/v2/services.json", REMOTE_ADDR="192.0.2.9")
    assert as_json.status_code == 429 and as_json["Content-Type"].startswith("application/json")
    [error] = json.loads(as_json.content)
    assert error["code"] == 429 and "Wait 60 seconds" in error["description"]


@override_settings(API_RATE_LIMIT=(1, 60))
def test_an_open311_client_key_in_a_form_body_counts_against_the_key(client):
    _, key = issue(Open311Client, name="FixMyStreet")
    form = {"api_key": key, "service_code": "report-missed-bin"}
    client.post("/open311/v2/requests.json", form, REMOTE_ADDR="192.0.2.20")
    # Another address with the same key is over; the first address without a key is not.
    assert client.post("/open311/v2/requests.json", form, REMOTE_ADDR="192.0.2.21").status_code == 429
    assert client.get("/open311/v2/services.json", REMOTE_ADDR="192.0.2.20").status_code != 429
    # A body that cannot be read counts against the address, and never gives a 500.
    broken = client.post(
        "/open311/v2/requests.json", b"--x", content_type="multipart/form-data; boundary=", REMOTE_ADDR="192.0.2.22"
    )
    assert broken.status_code < 500
