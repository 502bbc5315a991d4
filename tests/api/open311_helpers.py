"""Open311 test helpers: GET/POST through Django's test client, parsed bodies, a created request.

The fixtures they need (a client key, fresh rate-limit counters) are in tests/api/conftest.py.
"""

import json
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

from tests.forms_catalogue.demo_answers import DEMO_ANSWERS

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


def missed_bin_fields(api_key: str) -> dict[str, str]:
    """The demo missed-bin report (DEMO_ANSWERS) as FixMyStreet sends it: Open311 fields plus the form's attributes."""
    web = DEMO_ANSWERS["report-missed-bin"]
    address = web["collection_address"]
    return {
        "api_key": api_key,
        "service_code": "report-missed-bin",
        "lat": "52.205300",
        "long": "-1.525600",
        "description": web["access_notes"],
        "first_name": web["name"]["first_name"],
        "last_name": web["name"]["last_name"],
        "email": web["email"],
        "phone": web["phone"],
        "attribute[collection_address_line1]": address["line1"],
        "attribute[collection_address_line2]": address["line2"],
        "attribute[collection_address_town]": address["town"],
        "attribute[collection_address_postcode]": address["postcode"],
        "attribute[bin_type]": web["bin_type"],
        "attribute[collection_date]": web["collection_date"],
        "attribute[out_by_7am]": web["out_by_7am"],
        "attribute[subscription_number]": web["subscription_number"],
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
