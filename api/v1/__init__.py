"""The portal API, version 1 (django-ninja): forms, submissions, tracking and back-office pull.

OpenAPI 3 document at `/api/v1/openapi.json`, interactive docs at `/api/v1/docs`. Every error
is an RFC 9457 problem document (`problems.py`), declared in the document as
application/problem+json.
"""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.urls import reverse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from . import forms, requests
from .problems import declare_problem_media_type, problem_response


class PortalAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI document gives problem responses the media type they are sent with."""

    def get_openapi_schema(self, *args, **kwargs):
        return declare_problem_media_type(super().get_openapi_schema(*args, **kwargs))


api = PortalAPI(
    title="Council portal API",
    version="1",
    description=(
        "Forms, submissions, request tracking and back-office pull for the council self-service portal. "
        "Errors are RFC 9457 problem documents (application/problem+json)."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


class ApiIndex(Schema):
    """Where the API describes itself."""

    title: str
    version: str
    openapi: str
    docs: str


@api.get(
    "/", response={200: ApiIndex}, operation_id="api_index", summary="Where the API describes itself", tags=["API"]
)
def api_index(request):
    """Links to the OpenAPI document and the interactive docs."""
    return {
        "title": api.title,
        "version": api.version,
        "openapi": request.build_absolute_uri(reverse("api-v1:openapi-json")),
        "docs": request.build_absolute_uri(reverse("api-v1:openapi-view")),
    }


api.add_router("", forms.router)
api.add_router("", requests.router)


def error_pointer(location: tuple | list) -> str:
    """Where a validation error is: a JSON Pointer into the body (ninja puts the body under its parameter's name),
    or "/<name>" for a path, query or header parameter."""
    source, *path = location or ("",)
    if source == "body":
        path = path[1:]
    return "".join(f"/{str(part).replace('~', '~0').replace('/', '~1')}" for part in path)


@api.exception_handler(NinjaValidationError)
def invalid_request(request, exc: NinjaValidationError):
    errors = [
        {
            "pointer": error_pointer(error.get("loc", ())),
            "message": str(error.get("msg", "Invalid value")),
            "code": str(error.get("type", "invalid")),
        }
        for error in exc.errors
    ]
    return problem_response(request, 400, "invalid-request", "The request is not valid", errors=errors)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc: AuthenticationError):
    return problem_response(
        request, 401, "unauthenticated", "An API key is needed", "Send a valid key as 'Authorization: Bearer <key>'."
    )


@api.exception_handler(Http404)
def not_found(request, exc: Http404):
    return problem_response(request, 404, "not-found", "Not found", str(exc) or "")


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return problem_response(request, exc.status_code, "http-error", str(exc.message))


@api.exception_handler(RequestDataTooBig)
def body_too_large(request, exc: RequestDataTooBig):
    return problem_response(request, 413, "body-too-large", "Body too large", str(exc))
