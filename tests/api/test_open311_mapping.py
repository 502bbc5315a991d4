"""From demo forms to Open311 service definitions, FixMyStreet-style requests to stored answers, and updates."""

import pytest
from django.contrib.auth import get_user_model

from backoffice.casework import change_status
from backoffice.models import RequestEvent, ServiceRequest
from tests.forms_catalogue.demo_answers import DEMO_ANSWERS
from tests.forms_catalogue.journey_helpers import stored_answers

from .open311_helpers import created_reference, get, missed_bin_fields, post


def attributes_of(client, code: str) -> dict[str, dict]:
    response, body = get(client, f"services/{code}", "json")
    assert response.status_code == 200, response.content
    return {attribute["code"]: attribute for attribute in body["attributes"]}


def stored_request(body) -> ServiceRequest:
    reference = body.find("request").findtext("service_request_id")
    return ServiceRequest.objects.get(reference=reference.replace("-", ""))


@pytest.mark.django_db
def test_a_report_form_with_a_location_leaves_location_and_contact_to_open311_fields(client):
    attributes = attributes_of(client, "report-pothole")

    assert list(attributes) == ["road_position", "depth", "width", "immediate_danger"]
    assert attributes["road_position"]["datatype"] == "singlevaluelist" and attributes["road_position"]["required"]
    assert {"key": "cycle_lane", "name": "In a cycle lane"} in attributes["road_position"]["values"]
    assert attributes["depth"]["datatype"] == "number" and attributes["depth"]["required"] is False
    assert "from 1 to 100" in attributes["depth"]["datatype_description"]
    assert attributes["immediate_danger"]["values"] == [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}]


@pytest.mark.django_db
def test_an_address_is_one_attribute_per_part_and_a_conditional_question_is_not_required(client):
    attributes = attributes_of(client, "report-missed-bin")

    assert list(attributes) == [
        "collection_address_line1",
        "collection_address_line2",
        "collection_address_town",
        "collection_address_postcode",
        "bin_type",
        "collection_date",
        "out_by_7am",
        "subscription_number",
    ]
    assert [
        attributes[f"collection_address_{part}"]["required"] for part in ("line1", "line2", "town", "postcode")
    ] == [
        True,
        False,
        True,
        True,
    ]
    assert attributes["collection_date"]["datatype"] == "datetime"
    subscription = attributes["subscription_number"]
    assert subscription["required"] is False
    assert "Asked only when the answer to “Which bin was missed?” is “garden”" in subscription["datatype_description"]
    assert "access_notes" not in attributes  # the Open311 description answers it


@pytest.mark.django_db
def test_checkboxes_are_a_multivaluelist_with_their_options(client):
    attributes = attributes_of(client, "report-fly-tipping")

    waste = attributes["waste_types"]
    assert waste["datatype"] == "multivaluelist"
    assert {"key": "tyres", "name": next(v["name"] for v in waste["values"] if v["key"] == "tyres")} in waste["values"]
    assert "photo" not in attributes and "fly_tip_location" not in attributes
    assert attributes["witness_account"]["datatype"] == "text" and attributes["witness_account"]["required"] is False


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["blue-badge", "free-school-meals"])
def test_a_form_needing_a_file_or_repeating_a_step_is_not_offered(client, code):
    _, services = get(client, "services", "json")
    response, _ = get(client, f"services/{code}", "json")

    assert code not in {service["service_code"] for service in services}
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_fixmystreet_style_missed_bin_request_stores_the_answers_the_web_journey_stores(client, api_key):
    web = DEMO_ANSWERS["report-missed-bin"]
    data = {
        **missed_bin_fields(api_key),
        "attribute[collection_date]": f"{web['collection_date']}T07:00:00Z",
        "attribute[fixmystreet_id]": "1234",  # FixMyStreet's own extras are ignored
        "media_url": "https://fixmystreet.example/photo/1234.full.jpeg",
    }

    response, body = post(client, "requests", data)

    assert response.status_code == 200, response.content
    stored = stored_request(body)
    expected = stored_answers(web)
    assert stored.answers == {**expected, "media_url": ["https://fixmystreet.example/photo/1234.full.jpeg"]}
    assert stored.channel == "open311" and stored.contact_email == web["email"]
    assert stored.form_version == stored.form_page.current_version()


@pytest.mark.django_db
def test_a_street_problem_with_checkboxes_and_a_location_stores_the_web_shapes(client, api_key):
    web = {key: value for key, value in DEMO_ANSWERS["report-fly-tipping"].items() if key != "photo"}
    place = web["fly_tip_location"]
    data = {
        "api_key": api_key,
        "service_code": "report-fly-tipping",
        "lat": str(place["latitude"]),
        "long": str(place["longitude"]),
        "address_string": f"{place['description']}, {place['postcode']}",
        "first_name": web["name"]["first_name"],
        "last_name": web["name"]["last_name"],
        "email": web["email"],
        "attribute[waste_types][]": web["waste_types"],
        **{
            f"attribute[{key}]": value
            for key, value in web.items()
            if key not in ("fly_tip_location", "name", "email", "waste_types")
        },
    }

    response, body = post(client, "requests", data)

    assert response.status_code == 200, response.content
    answers = stored_request(body).answers
    assert answers["waste_types"] == web["waste_types"]
    assert answers["fly_tip_location"]["latitude"] == pytest.approx(place["latitude"])
    assert answers["fly_tip_location"]["postcode"] == place["postcode"]
    assert {key: answers[key] for key in web if key != "fly_tip_location"} == {
        key: value for key, value in stored_answers(web).items() if key != "fly_tip_location"
    }


@pytest.mark.django_db
def test_contact_questions_on_a_conditional_step_are_still_open311_fields_not_attributes(client, api_key):
    attributes = attributes_of(client, "adult-safeguarding-concern")

    assert "name" not in attributes and "email" not in attributes


@pytest.mark.django_db
def test_updates_out_are_status_changes_and_notes_for_the_citizen_only(client, api_key):
    reference = created_reference(client, api_key)
    request = ServiceRequest.objects.get(reference=reference.replace("-", ""))
    change_status(request, "in_progress", actor=None, internal_note="Crew 4")
    change_status(request, "in_progress", actor=None, internal_note="Internal only")
    change_status(request, "resolved", actor=None, public_note="Filled today.")

    _, updates = get(client, "servicerequestupdates", "json")
    _, detail = get(client, f"requests/{reference}", "json")

    mine = [update for update in updates if update["service_request_id"] == reference]
    assert [(update["status"], update["description"]) for update in mine] == [
        ("in_progress", ""),
        ("fixed", "Filled today."),
    ]
    assert detail[0]["status"] == "closed" and detail[0]["status_notes"] == "Filled today."
    assert "Crew 4" not in str(updates) + str(detail)


@pytest.mark.django_db
def test_an_update_in_goes_to_the_request_history_for_staff_and_not_back_out(client, api_key):
    reference = created_reference(client, api_key)
    response, body = post(
        client,
        "servicerequestupdates",
        {
            "api_key": api_key,
            "service_request_id": reference,
            "status": "CLOSED",
            "description": "It has been fixed, thanks.",
            "first_name": "Sam",
            "last_name": "Jones",
            "email": "resident@example.org",
            "updated_datetime": "2026-03-27T09:30:00Z",
            "media_url": "https://fixmystreet.example/photo/9.jpeg",
        },
    )

    assert response.status_code == 200, response.content
    event = RequestEvent.objects.get(pk=body.find("request_update").findtext("update_id"))
    assert event.kind == "citizen" and event.channel == "open311"
    assert event.citizen_note.startswith("It has been fixed, thanks.")
    assert "Sam Jones <resident@example.org>" in event.citizen_note and "photo/9.jpeg" in event.citizen_note
    assert "Sent through: FixMyStreet" in event.citizen_note
    assert event.request.status == "received"  # the citizen's word does not close it; staff decide
    _, updates = get(client, "servicerequestupdates", "json")
    assert str(event.pk) not in {update["update_id"] for update in updates}
    staff = get_user_model().objects.create_superuser("officer", "officer@example.org", "pw")
    client.force_login(staff)
    page = client.get(f"/admin/requests/{event.request.pk}/")
    assert page.status_code == 200 and "It has been fixed, thanks." in page.content.decode()
