"""GeoReport v2 as the spec (wiki.open311.org/GeoReport_v2) and FixMyStreet's extensions describe it.

Every endpoint in XML (element names and nesting per the spec) and JSON (bare arrays for
lists), and the spec's errors: 404 unknown service or request, 403 missing/bad/revoked key,
400 anything else wrong, with `<errors><error><code/><description/></error></errors>`.
"""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from api.keys import issue
from api.models import Open311Client
from backoffice.models import ServiceRequest

from .open311_helpers import POTHOLE, created_reference, error_descriptions, get, post

pytestmark = pytest.mark.engine_neutral  # see tests/conftest.py

SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group", "groups"]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "requested_datetime",
    "updated_datetime",
    "address",
    "lat",
    "long",
]
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}


# --- discovery and services -----------------------------------------------------------------


@pytest.mark.django_db
def test_discovery_names_the_georeport_v2_endpoint_in_both_formats(client):
    response = client.get("/open311/discovery.xml")
    root = ET.fromstring(response.content)  # noqa: S314 (the portal's own output)
    endpoint = root.find("endpoints/endpoint")
    assert root.tag == "discovery" and root.findtext("changeset")
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("url").endswith("/open311/v2/")
    assert [item.text for item in endpoint.findall("formats/format")] == ["text/xml", "application/json"]
    document = client.get("/open311/discovery.json").json()
    assert document["endpoints"][0]["formats"] == ["text/xml", "application/json"]


@pytest.mark.django_db
def test_service_list_in_xml_has_the_spec_elements_for_each_service(client):
    response, root = get(client, "services")

    assert response.status_code == 200
    assert root.tag == "services"
    services = root.findall("service")
    assert len(services) > 40
    for service in services:
        assert [child.tag for child in service] == SERVICE_FIELDS
        assert service.findtext("metadata") == "true"
        assert service.findtext("type") == "realtime"
    pothole = next(service for service in services if service.findtext("service_code") == "report-pothole")
    assert pothole.findtext("service_name") == "Report a pothole"
    group = pothole.findtext("group")
    assert group and [item.text for item in pothole.findall("groups/group")] == [group]


@pytest.mark.django_db
def test_service_list_in_json_is_an_array_of_services(client):
    response, services = get(client, "services", "json")

    assert isinstance(services, list)
    pothole = next(service for service in services if service["service_code"] == "report-pothole")
    assert list(pothole) == SERVICE_FIELDS
    assert pothole["metadata"] is True and pothole["type"] == "realtime"
    assert pothole["groups"] == [pothole["group"]]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_service_definition_lists_attributes_with_the_spec_fields_and_datatypes(client, fmt):
    response, body = get(client, "services/report-pothole", fmt)

    assert response.status_code == 200
    if fmt == "xml":
        assert body.tag == "service_definition"
        assert body.findtext("service_code") == "report-pothole"
        attributes = body.findall("attributes/attribute")
        first = attributes[0]
        assert [child.tag for child in first][:7] == [
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
        ]
        assert {attribute.findtext("datatype") for attribute in attributes} <= DATATYPES
        values = first.findall("values/value")
        assert values and all([child.tag for child in value] == ["key", "name"] for value in values)
        orders = [int(attribute.findtext("order")) for attribute in attributes]
    else:
        assert body["service_code"] == "report-pothole"
        attributes = body["attributes"]
        assert all(attribute["variable"] is True for attribute in attributes)
        assert {attribute["datatype"] for attribute in attributes} <= DATATYPES
        orders = [attribute["order"] for attribute in attributes]
    assert orders == list(range(1, len(orders) + 1))


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_service_code_is_404_in_the_spec_error_format(client, fmt):
    response, body = get(client, "services/no-such-service", fmt)

    assert response.status_code == 404
    assert "no-such-service" in error_descriptions(body)[0]
    if fmt == "xml":
        assert body.find("error").findtext("code") == "404"
    else:
        assert body[0]["code"] == 404


@pytest.mark.django_db
def test_an_unsupported_format_is_404(client):
    response = client.get("/open311/v2/services.csv")

    assert response.status_code == 404
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert b"<errors><error><code>404</code>" in response.content


@pytest.mark.django_db
def test_a_wrong_method_is_refused_in_the_error_format(client):
    response = client.delete("/open311/v2/services.json")

    assert response.status_code == 405 and response["Allow"] == "GET"
    assert response.json()[0]["code"] == 405


# --- POST requests ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_posting_a_request_returns_its_id_and_notice(client, api_key, fmt):
    response, body = post(client, "requests", {**POTHOLE, "api_key": api_key}, fmt)

    assert response.status_code == 200, response.content
    if fmt == "xml":
        assert body.tag == "service_requests"
        request = body.find("request")
        assert [child.tag for child in request] == ["service_request_id", "service_notice", "account_id"]
        reference = request.findtext("service_request_id")
    else:
        assert isinstance(body, list) and len(body) == 1
        reference = body[0]["service_request_id"]
    stored = ServiceRequest.objects.get(reference=reference.replace("-", ""))
    assert stored.channel == "open311" and stored.service.slug == "report-pothole"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_missing_api_key_is_403(client, fmt):
    response, body = post(client, "requests", POTHOLE, fmt)

    assert response.status_code == 403
    assert "api_key" in error_descriptions(body)[0]
    assert not ServiceRequest.objects.filter(channel="open311").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["wrong", "o311_abcdefgh_not-the-secret", "pq_abcdefgh_other-kind"])
def test_a_wrong_api_key_is_403(client, key):
    response, body = post(client, "requests", {**POTHOLE, "api_key": key})

    assert response.status_code == 403
    assert body.find("error").findtext("code") == "403"


@pytest.mark.django_db
def test_a_revoked_api_key_is_403(client):
    record, key = issue(Open311Client, name="Old app")
    record.revoke()

    response, _body = post(client, "requests", {**POTHOLE, "api_key": key})

    assert response.status_code == 403


@pytest.mark.django_db
def test_an_unknown_service_code_on_post_is_404(client, api_key):
    response, body = post(client, "requests", {**POTHOLE, "api_key": api_key, "service_code": "nope"})

    assert response.status_code == 404
    assert "service_code" in error_descriptions(body)[0]


@pytest.mark.django_db
def test_a_missing_required_attribute_is_400_naming_it(client, api_key):
    data = {key: value for key, value in POTHOLE.items() if key != "attribute[road_position]"}

    response, body = post(client, "requests", {**data, "api_key": api_key})

    assert response.status_code == 400
    assert any(text.startswith("attribute[road_position]:") for text in error_descriptions(body))


@pytest.mark.django_db
def test_a_value_not_in_the_list_is_400_naming_the_attribute(client, api_key):
    response, body = post(client, "requests", {**POTHOLE, "api_key": api_key, "attribute[road_position]": "moon"})

    assert response.status_code == 400
    assert any(text.startswith("attribute[road_position]:") for text in error_descriptions(body))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lat": "91"}, "lat"),
        ({"long": "-181"}, "long"),
        ({"lat": "north"}, "lat"),
        ({"long": "nan"}, "long"),
        ({"lat": "53.4", "long": ""}, "long"),
    ],
)
def test_bad_coordinates_are_400_naming_the_field(client, api_key, changes, field):
    response, body = post(client, "requests", {**POTHOLE, "api_key": api_key, **changes})

    assert response.status_code == 400
    assert any(text.startswith(f"{field}:") for text in error_descriptions(body))


@pytest.mark.django_db
def test_a_location_is_needed_when_the_form_asks_for_one(client, api_key):
    data = {key: value for key, value in POTHOLE.items() if key not in ("lat", "long", "address_string")}

    response, body = post(client, "requests", {**data, "api_key": api_key})

    assert response.status_code == 400
    assert "address_string" in error_descriptions(body)[0]


@pytest.mark.django_db
def test_a_location_may_be_an_address_string_alone(client, api_key):
    reference = created_reference(client, api_key, lat="", long="")

    stored = ServiceRequest.objects.get(reference=reference.replace("-", ""))
    assert stored.answers["pothole_location"]["description"] == POTHOLE["address_string"]


@pytest.mark.django_db
def test_jurisdiction_id_is_required_when_configured(client, api_key, settings):
    settings.OPEN311_JURISDICTION_ID = "ashworth.gov.uk"

    wrong, body = post(client, "requests", {**POTHOLE, "api_key": api_key, "jurisdiction_id": "elsewhere"})
    missing, _ = get(client, "services")
    right, _ = get(client, "services", jurisdiction_id="ashworth.gov.uk")

    assert wrong.status_code == 400 and error_descriptions(body)[0].startswith("jurisdiction_id:")
    assert missing.status_code == 400
    assert right.status_code == 200


# --- GET requests and tokens -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_reads_back_in_xml_with_the_spec_fields_and_no_personal_data(client, api_key):
    reference = created_reference(client, api_key)

    response, root = get(client, f"requests/{reference}")

    assert response.status_code == 200
    assert root.tag == "service_requests"
    request = root.find("request")
    tags = [child.tag for child in request]
    assert all(field in tags for field in REQUEST_FIELDS)
    assert not {"email", "first_name", "last_name", "phone"} & set(tags)
    assert b"resident@example.org" not in response.content and b"Jones" not in response.content
    assert request.findtext("status") == "open"
    assert request.findtext("service_code") == "report-pothole"
    assert float(request.findtext("lat")) == pytest.approx(53.4808)
    assert request.findtext("requested_datetime").startswith(str(timezone.localdate().year))


@pytest.mark.django_db
def test_requests_search_in_json_by_id_service_status_and_dates(client, api_key):
    first, second = created_reference(client, api_key), created_reference(client, api_key)

    _, by_id = get(client, "requests", "json", service_request_id=f"{first},{second}")
    _, by_service = get(client, "requests", "json", service_code="report-pothole")
    _, closed = get(client, "requests", "json", status="closed")
    _, old = get(
        client,
        "requests",
        "json",
        start_date=(timezone.now() - timedelta(days=60)).isoformat(),
        end_date=(timezone.now() - timedelta(days=30)).isoformat(),
    )

    assert {item["service_request_id"] for item in by_id} == {first, second}
    assert {first, second} <= {item["service_request_id"] for item in by_service}
    assert all(set(REQUEST_FIELDS) <= set(item) for item in by_service)
    assert closed == [] and old == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [{"status": "pending"}, {"start_date": "yesterday"}, {"start_date": "2020-01-01", "end_date": "2020-12-31"}],
)
def test_bad_search_parameters_are_400(client, params):
    response, body = get(client, "requests", **params)

    assert response.status_code == 400
    assert body.find("error").findtext("code") == "400"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_request_id_is_404(client, fmt):
    response, body = get(client, "requests/ZZZZ-ZZZZ-ZZ", fmt)

    assert response.status_code == 404
    assert "ZZZZ-ZZZZ-ZZ" in error_descriptions(body)[0]


@pytest.mark.django_db
def test_a_token_is_the_request_reference_and_an_unknown_one_is_404(client, api_key):
    reference = created_reference(client, api_key)

    _, root = get(client, f"tokens/{reference}")
    _, items = get(client, f"tokens/{reference}", "json")
    missing, _ = get(client, "tokens/nothing")

    request = root.find("request")
    assert request.findtext("service_request_id") == reference and request.findtext("token") == reference
    assert items == [{"service_request_id": reference, "token": reference}]
    assert missing.status_code == 404


# --- servicerequestupdates ------------------------------------------------------------------------


@pytest.mark.django_db
def test_updates_feed_in_xml_and_json_has_the_extension_elements(client, api_key):
    from backoffice.casework import change_status

    reference = created_reference(client, api_key)
    change_status(
        ServiceRequest.objects.get(reference=reference.replace("-", "")),
        "in_progress",
        actor=None,
        public_note="A crew is booked.",
    )

    _, root = get(client, "servicerequestupdates")
    _, items = get(client, "servicerequestupdates", "json")

    assert root.tag == "service_request_updates"
    update = root.find("request_update")
    assert [child.tag for child in update] == [
        "update_id",
        "service_request_id",
        "status",
        "updated_datetime",
        "description",
        "media_url",
    ]
    assert update.findtext("service_request_id") == reference and update.findtext("description") == "A crew is booked."
    assert items[0]["status"] == "in_progress"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_posting_an_update_returns_its_update_id(client, api_key, fmt):
    reference = created_reference(client, api_key)

    response, body = post(
        client,
        "servicerequestupdates",
        {"api_key": api_key, "service_request_id": reference, "description": "Still there", "status": "OPEN"},
        fmt,
    )

    assert response.status_code == 200, response.content
    update_id = body.find("request_update").findtext("update_id") if fmt == "xml" else body[0]["update_id"]
    assert update_id.isdigit()


@pytest.mark.django_db
def test_posting_an_update_needs_a_key_a_known_request_and_text(client, api_key):
    reference = created_reference(client, api_key)
    update = {"service_request_id": reference, "description": "Still there"}

    no_key, _ = post(client, "servicerequestupdates", update)
    unknown, _ = post(client, "servicerequestupdates", {**update, "api_key": api_key, "service_request_id": "X"})
    empty, body = post(client, "servicerequestupdates", {**update, "api_key": api_key, "description": " "})
    bad_time, _ = post(client, "servicerequestupdates", {**update, "api_key": api_key, "updated_datetime": "soon"})

    assert (no_key.status_code, unknown.status_code, empty.status_code, bad_time.status_code) == (403, 404, 400, 400)
    assert error_descriptions(body)[0].startswith("description:")


# --- rate limits ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_too_many_requests_get_429_in_the_error_format(client, settings):
    settings.API_RATE_LIMIT = (3, 60)

    statuses = [get(client, "services", "json")[0].status_code for _ in range(4)]
    response, body = get(client, "services", "json")

    assert statuses == [200, 200, 200, 429]
    assert response.status_code == 429 and body[0]["code"] == 429 and response["Retry-After"] == "60"


@pytest.mark.django_db
def test_each_client_key_has_its_own_count(client, api_key, settings):
    settings.API_RATE_LIMIT = (2, 60)
    _other, other_key = issue(Open311Client, name="Council app")

    mine = [get(client, "services", api_key=api_key)[0].status_code for _ in range(3)]
    theirs = get(client, "services", api_key=other_key)[0].status_code

    assert mine == [200, 200, 429] and theirs == 200
