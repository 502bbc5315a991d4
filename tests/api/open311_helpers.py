"""Open311 test helpers: GET/POST through Django's test client, parsed bodies, a created request.

The fixtures they need (a client key, fresh rate-limit counters) are in tests/api/conftest.py.
"""

import json
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

BASE = "/open311/v2/"
POTHOLE = {
    "service_code": "report-pothole",
    "lat": "53.4808",
    "long": "-2.2426",
    "address_string": "Outside 12 High Street, Ashworth, AB1 2CD",
    "email": "resident@example.org",
    "first_name": "Sam",
    "last_name": "Jones",
    "phone": "07700 900123",
    "attribute[road_position]": "carriageway",
    "attribute[depth]": "8",
    "attribute[width]": "1.5",
    "attribute[immediate_danger]": "no",
}


def get(client, path: str, fmt: str = "xml", **params):
    """GET an Open311 endpoint; returns the response and its parsed body (an Element or JSON)."""
    response = client.get(f"{BASE}{path}.{fmt}", params)
    return response, parse(response, fmt)


def post(client, path: str, data: dict, fmt: str = "xml"):
    """POST form fields (urlencoded, as FixMyStreet does) to an Open311 endpoint."""
    body = urlencode(data, doseq=True)
    response = client.post(f"{BASE}{path}.{fmt}", body, content_type="application/x-www-form-urlencoded")
    return response, parse(response, fmt)


def parse(response, fmt: str):
    if fmt == "json":
        assert response["Content-Type"] == "application/json"
        return json.loads(response.content)
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return ET.fromstring(response.content)  # noqa: S314 (the portal's own output)


def error_descriptions(body) -> list[str]:
    """The descriptions of an `<errors>` document or a JSON error array."""
    if isinstance(body, list):
        return [item["description"] for item in body]
    assert body.tag == "errors"
    return [error.findtext("description") for error in body.findall("error")]


def created_reference(client, api_key, **changes) -> str:
    """POST the pothole report (with `changes`) and return its service_request_id."""
    response, body = post(client, "requests", {**POTHOLE, "api_key": api_key, **changes})
    assert response.status_code == 200, response.content
    return body.find("request").findtext("service_request_id")
