"""The forms of the portal API: the list, each form's definition and JSON Schema, and the OpenAPI document."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.catalogue import live_form
from forms_catalogue.exchange import parse_document
from forms_catalogue.models import EFormPage
from forms_catalogue.schema import json_schema

from .submitting import problem

pytestmark = pytest.mark.django_db


def list_forms(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/forms")
    assert response.status_code == 200
    return response.json(), len(queries.captured_queries)


def test_the_list_has_every_live_form_with_its_service_version_and_links(client):
    body, _queries = list_forms(client)

    assert body["count"] == len(body["forms"]) == EFormPage.objects.live().count() == 88
    missed_bin = next(form for form in body["forms"] if form["code"] == "report-missed-bin")
    page = live_form("report-missed-bin").page
    assert missed_bin["title"] == page.title
    assert missed_bin["service"] == {
        "title": page.get_parent().title,
        "url": page.get_parent().full_url,
        "department": "Waste and Recycling",
    }
    assert missed_bin["version"] == page.current_version().revision_id
    assert missed_bin["links"] == {
        "definition": "http://testserver/api/v1/forms/report-missed-bin",
        "answers_schema": "http://testserver/api/v1/forms/report-missed-bin/schema",
        "requests": "http://testserver/api/v1/forms/report-missed-bin/requests",
        "start_page": page.full_url,
    }


def test_the_list_takes_the_same_number_of_queries_for_fewer_forms(client):
    list_forms(client)  # per-process caches (the Site, ...) warm, as for the second count
    _body, with_all = list_forms(client)
    for page in EFormPage.objects.live().order_by("pk")[:60]:
        page.unpublish()

    body, with_fewer = list_forms(client)

    assert body["count"] == 28
    assert with_fewer == with_all <= 8


def test_a_form_is_the_exchange_document_of_its_published_version_and_imports_elsewhere(client):
    page = live_form("housing-register").page
    page.title = "A draft title nobody has published"
    page.save_revision()

    response = client.get("/api/v1/forms/housing-register")

    assert response.status_code == 200
    body = response.json()
    version = page.current_version()
    assert (body["code"], body["version"]) == ("housing-register", version.revision_id)
    document = body["document"]
    assert document["format"] == "council-portal/e-form"
    assert document["form"]["title"] == version.definition().title != "A draft title nobody has published"
    assert document["form"]["steps"] == version.snapshot["steps"]
    parsed = parse_document(json.dumps(document))
    assert parsed.form["steps"] == document["form"]["steps"]


def test_a_forms_schema_is_its_versions_json_schema(client):
    response = client.get("/api/v1/forms/report-missed-bin/schema")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    version = live_form("report-missed-bin").version
    expected = json_schema(
        version.definition(),
        schema_id="http://testserver/api/v1/forms/report-missed-bin/schema",
        version=version.revision_id,
    )
    assert response.json() == expected


@pytest.mark.parametrize("path", ["/api/v1/forms/no-such-form", "/api/v1/forms/no-such-form/schema"])
def test_an_unknown_form_is_a_404_problem(client, path):
    assert "no-such-form" in problem(client.get(path), 404, "form-not-found")["detail"]


def test_an_unpublished_form_is_gone(client):
    live_form("report-missed-bin").page.unpublish()

    problem(client.get("/api/v1/forms/report-missed-bin"), 404, "form-not-found")


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v1/forms/report-missed-bin/other", "/api/v1/forms/"])
def test_an_unknown_path_under_the_api_is_a_404_problem_not_a_page(client, path):
    for response in (client.get(path), client.post(path, {}, content_type="application/json")):
        assert problem(response, 404, "not-found")["instance"] == path


def test_the_openapi_document_declares_every_operation_and_problem_as_sent(client):
    document = client.get("/api/v1/openapi.json").json()

    operations = [operation for path_item in document["paths"].values() for operation in path_item.values()]
    ids = {operation["operationId"] for operation in operations}
    assert {"list_forms", "get_form", "get_form_schema", "submit_request", "request_status"} <= ids
    for operation in operations:
        assert operation["summary"] and operation["tags"], operation["operationId"]
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert list(response["content"]) == ["application/problem+json"], (operation["operationId"], status)
    submit = document["paths"]["/api/v1/forms/{code}/requests"]["post"]
    assert set(submit["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert set(submit["responses"]) == {"201", "400", "404", "413", "415", "422", "429", "503"}
    assert "exit_page" in document["components"]["schemas"]["SubmissionProblem"]["properties"]


def test_the_docs_page_loads(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert b"/api/v1/openapi.json" in response.content


def test_the_root_links_the_openapi_document_and_the_docs(client):
    assert client.get("/api/v1/").json() == {
        "title": "Council portal API",
        "version": "1",
        "openapi": "http://testserver/api/v1/openapi.json",
        "docs": "http://testserver/api/v1/docs",
    }
