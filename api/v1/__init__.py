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
from .backoffice import router as queue_router
from .problems import declare_problem_media_type, declare_rate_limit, problem_response


class PortalAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI document gives problem responses the media type they are sent with,
    and declares the rate limit's 429 on every operation."""

    def get_openapi_schema(self, *args, **kwargs):
        return declare_rate_limit(declare_problem_media_type(super().get_openapi_schema(*args, **kwargs)))


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


def json_pointer(location: tuple) -> str:
    """Where a validation error is, as an RFC 6901 pointer into the query, path or JSON body.

    Ninja places a body schema under its parameter's name (`("body", "change", "status")`);
    the client sent that schema as the whole body, so the pointer leaves the name out (`/status`).
    """
    source, *parts = location or ("",)
    if source == "body" and parts:
        parts = parts[1:]
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in parts)


@api.exception_handler(NinjaValidationError)
def invalid_request(request, exc: NinjaValidationError):
    errors = [
        {
            "pointer": json_pointer(tuple(error.get("loc", ()))),
            "message": str(error.get("msg", "Invalid value")),
            "code": str(error.get("type", "invalid")),
        }
        for error in exc.errors
    ]
    return problem_response(request, 400, "invalid-request", "The request is not valid", errors=errors)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc: AuthenticationError):
    response = problem_response(
        request, 401, "unauthenticated", "An API key is needed", "Send a valid key as 'Authorization: Bearer <key>'."
    )
    response["WWW-Authenticate"] = 'Bearer realm="council-portal"'
    return response


@api.exception_handler(Http404)
def not_found(request, exc: Http404):
    return problem_response(request, 404, "not-found", "Not found", str(exc) or "")


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return problem_response(request, exc.status_code, "http-error", str(exc.message))


@api.exception_handler(RequestDataTooBig)
def body_too_large(request, exc: RequestDataTooBig):
    return problem_response(request, 413, "body-too-large", "Body too large", str(exc))


api.add_router("/queue/", queue_router)
