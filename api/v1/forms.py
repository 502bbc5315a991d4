"""The forms of the portal API: the live e-forms, each one's definition (exchange document) and JSON Schema.

A form is named by its code, the slug of its service page (`api.catalogue`). Definitions and
schemas are those of the form's current frozen version: the one submissions are checked against.
"""

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema

from forms_catalogue.exchange import export_document
from forms_catalogue.schema import json_schema

from ..catalogue import LiveForm, live_form, live_forms
from .problems import Problem, problem_response

router = Router(tags=["Forms"])
SCHEMA_CONTENT_TYPE = "application/schema+json"
FormCode = Path(..., description="The form's code: its service page's slug.", example="report-missed-bin")


class ServiceSummary(Schema):
    """The service a form belongs to."""

    title: str
    url: str
    department: str


class FormLinks(Schema):
    """Where a form's definition and schema are, where to submit to it, and its start page on the website."""

    definition: str
    answers_schema: str
    requests: str
    start_page: str


class FormSummary(Schema):
    """A live form as the list shows it."""

    code: str
    title: str
    service: ServiceSummary
    version: int | None
    links: FormLinks


class FormList(Schema):
    """Every live form, by service title."""

    count: int
    forms: list[FormSummary]


class FormDocument(Schema):
    """One form: its code, current version and the exchange document of that version."""

    code: str
    version: int | None
    links: FormLinks
    document: dict[str, Any]


def form_links(request: HttpRequest, form: LiveForm) -> dict[str, str]:
    """Absolute links of a form: its definition, JSON Schema, where to submit, and its start page on the website."""

    def absolute(name: str) -> str:
        return request.build_absolute_uri(reverse(f"api-v1:{name}", kwargs={"code": form.code}))

    return {
        "definition": absolute("get_form"),
        "answers_schema": absolute("get_form_schema"),
        "requests": absolute("submit_request"),
        "start_page": form.page.get_full_url(request),
    }


def form_summary(request: HttpRequest, form: LiveForm) -> dict[str, Any]:
    """A live form as the list and its definition describe it."""
    return {
        "code": form.code,
        "title": form.page.title,
        "service": {
            "title": form.service.title,
            "url": form.service.get_full_url(request),
            "department": form.service.department.name if form.service.department else "",
        },
        "version": form.version.revision_id,
        "links": form_links(request, form),
    }


def unknown_form(request: HttpRequest, code: str) -> JsonResponse:
    """The 404 problem for a code that names no live form."""
    return problem_response(
        request,
        404,
        "form-not-found",
        _("Form not found"),
        _("There is no live form with the code '%(code)s'. GET /api/v1/forms lists the codes.") % {"code": code[:100]},
    )


@router.get("/forms", response={200: FormList}, operation_id="list_forms", summary="List the live forms")
def list_forms(request: HttpRequest):
    """Every live, public e-form with its service and current version (a constant number of queries)."""
    forms = [form_summary(request, form) for form in live_forms()]
    return {"count": len(forms), "forms": forms}


@router.get(
    "/forms/{code}",
    response={200: FormDocument, 404: Problem},
    operation_id="get_form",
    url_name="get_form",
    summary="Get a form's definition",
)
def get_form(request: HttpRequest, code: str = FormCode):
    """The form's current version as an exchange document (`council-portal/e-form`), which another portal can import."""
    form = live_form(code)
    if form is None:
        return unknown_form(request, code)
    summary = form_summary(request, form)
    return {
        "code": form.code,
        "version": summary["version"],
        "links": summary["links"],
        "document": export_document(form.page, version=form.version),
    }


@router.get(
    "/forms/{code}/schema",
    response={200: None, 404: Problem},
    operation_id="get_form_schema",
    url_name="get_form_schema",
    summary="Get a form's JSON Schema",
    openapi_extra={
        "responses": {
            200: {
                "description": "The form's JSON Schema (draft 2020-12)",
                "content": {SCHEMA_CONTENT_TYPE: {"schema": {"type": "object"}}},
            }
        }
    },
)
def get_form_schema(request: HttpRequest, code: str = FormCode):
    """The JSON Schema (draft 2020-12) the `answers` of a submission to the form's current version must satisfy."""
    form = live_form(code)
    if form is None:
        return unknown_form(request, code)
    schema = json_schema(
        form.version.definition(), schema_id=request.build_absolute_uri(), version=form.version.revision_id
    )
    response = JsonResponse(schema)
    response["Content-Type"] = SCHEMA_CONTENT_TYPE
    return response
