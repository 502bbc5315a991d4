"""The portal API, version 1 (django-ninja): forms, submissions, tracking and back-office pull.

OpenAPI 3 document at `/api/v1/openapi.json`, interactive docs at `/api/v1/docs`. Every error
is an RFC 9457 problem document (`problems.py`).
"""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from .backoffice import router as queue_router
from .problems import problem_response

api = NinjaAPI(
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


api.add_router("/queue/", queue_router)
