"""The portal API, version 1 (django-ninja): forms, submissions, tracking and back-office pull.

OpenAPI 3 document at `/api/v1/openapi.json`, interactive docs at `/api/v1/docs`. Every error
is an RFC 9457 problem document (`problems.py`).
"""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

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


@api.exception_handler(NinjaValidationError)
def invalid_request(request, exc: NinjaValidationError):
    errors = [
        {
            "pointer": "/" + "/".join(str(part) for part in error.get("loc", ())[1:]),
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
