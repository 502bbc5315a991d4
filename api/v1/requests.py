"""Requests through the portal API: submitting answers to a live form, and a citizen's status look-up.

A submission is checked by `forms_catalogue.answers` exactly as the web journey checks it (the
same validation, conditions, repeats and exit pages) and stored through intake with channel
`api`. The status look-up takes the reference and email in the body (so the email is never
in a URL or an access log) and answers exactly as "Track a request" does, under the same
rate limit.
"""

import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from backoffice.forms import TrackForm
from backoffice.intake import IntakeError
from backoffice.models import Channel, ServiceRequest
from backoffice.notifications import track_url
from backoffice.staff import audit
from backoffice.tracking import NOT_FOUND, TOO_MANY, find_request, over_rate_limit, public_updates
from forms_catalogue.answers import AnswersInvalid, JourneyEnded, submit_answers
from forms_catalogue.translations import translated
from portal.language import language_code, preferred_language

from .. import idempotency
from ..catalogue import live_form
from .forms import FormCode, unknown_form
from .problems import Problem, problem_response
from .submission_body import BodyProblem, read_submission

router = Router(tags=["Requests"])


# --- schemas ------------------------------------------------------------------------------


LANGUAGE_DESCRIPTION = (
    "The resident's language, in which the council writes to them: `en-gb` (English) or `cy` (Welsh)."
)
LANGUAGE_PROPERTY = {
    "type": "string",
    "maxLength": 35,
    "description": (
        "Optional: the resident's language, `en-gb` or `cy` (`en`, `en-GB`, `cy-GB` are read as these). "
        "Without it, the first language of Accept-Language the portal offers, else English. Another language "
        "is refused (422 `unknown-language`)."
    ),
    "examples": ["cy"],
}


class SubmittedForm(Schema):
    """The form and version a request was made against."""

    code: str
    version: int | None


class RequestLinks(Schema):
    """Where to follow a request: the API's status look-up and the website's tracking page."""

    status: str
    track: str


class SubmittedRequest(Schema):
    """A stored request: its reference, status and where to follow it."""

    reference: str
    display_reference: str
    status: str
    status_label: str
    language: str = Field(description=LANGUAGE_DESCRIPTION)
    submitted_at: datetime
    form: SubmittedForm
    links: RequestLinks


class ExitPage(Schema):
    """The exit page a journey ended on: why the service cannot be done online, and what to do instead."""

    id: str
    title: str
    text: str
    paragraphs: list[str]


class SubmissionProblem(Problem):
    """A problem with a submission; an `exit-page` problem names the exit page the answers lead to."""

    exit_page: ExitPage | None = None


class StatusQuery(Schema):
    """A citizen's look-up: the reference and the email address given with the request."""

    reference: str = Field(max_length=40, description="As in the confirmation email, e.g. K7MQ-X3PT-RA.")
    email: str = Field(max_length=254, description="The email address given with the request.")


class ServiceLink(Schema):
    """The service a request is for."""

    title: str
    url: str


class RequestUpdate(Schema):
    """One public event of a request: submitted, a status change, or a note for the citizen."""

    at: datetime
    kind: str
    status: str
    title: str
    note: str


class RequestStatus(Schema):
    """What a citizen may see of a request: status, dates and public updates (never the answers or staff notes)."""

    reference: str
    display_reference: str
    status: str
    status_label: str
    is_open: bool
    language: str = Field(description=LANGUAGE_DESCRIPTION)
    service: ServiceLink
    submitted_at: datetime
    due_at: datetime | None = Field(
        None, description="When the council aims to have dealt with it (moves on while it waits for the citizen)."
    )
    resolved_at: datetime | None
    updates: list[RequestUpdate]


# --- submitting ---------------------------------------------------------------------------

BASE64_FILE = {
    "type": "object",
    "title": "Base64File",
    "description": "A file given in the JSON body.",
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 255, "description": "The file's name."},
        "content_base64": {"type": "string", "contentEncoding": "base64", "description": "The content, base64."},
        "content_type": {
            "type": "string",
            "maxLength": 100,
            "description": "Optional: the type is found from the content, whatever this says.",
        },
    },
    "required": ["name", "content_base64"],
    "additionalProperties": False,
}
POINTER_NAMES = {"type": "string", "pattern": "^/", "maxLength": 200}
SUBMISSION_BODY = {
    "required": True,
    "description": (
        "The answers, keyed by question id as the form's JSON Schema describes them, and the files, each named by "
        "the JSON Pointer of its file question's answer (e.g. `/photo`, `/household/0/document`)."
    ),
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "answers": {"type": "object", "description": "The answers (see the form's JSON Schema)."},
                    "files": {"type": "object", "propertyNames": POINTER_NAMES, "additionalProperties": BASE64_FILE},
                    "language": LANGUAGE_PROPERTY,
                },
                "required": ["answers"],
                "additionalProperties": False,
            }
        },
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "answers": {
                        "type": "string",
                        "contentMediaType": "application/json",
                        "description": "The answers as JSON text.",
                    },
                    "language": LANGUAGE_PROPERTY,
                },
                "required": ["answers"],
                "propertyNames": {"anyOf": [{"const": "answers"}, {"const": "language"}, POINTER_NAMES]},
                "additionalProperties": {"type": "string", "format": "binary"},
            }
        },
    },
}
IDEMPOTENCY_PARAMETER = {
    "name": idempotency.HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Up to 64 printable ASCII characters. A retry with the same key and body returns the first result "
        "(with `Idempotent-Replayed: true`) and stores nothing new; the same key with another body is refused (422)."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_KEY_LENGTH, "pattern": "^[ -~]+$"},
}


def submitted(request: HttpRequest, form_code: str, service_request: ServiceRequest, *, replayed: bool) -> JsonResponse:
    """The 201 answer for a stored request (the first time, and each time its Idempotency-Key is replayed)."""
    body = SubmittedRequest(
        reference=service_request.reference,
        display_reference=service_request.display_reference,
        status=service_request.status,
        status_label=str(service_request.get_status_display()),
        language=service_request.language,
        submitted_at=service_request.created_at,
        form=SubmittedForm(code=form_code, version=service_request.form_revision_id),
        links=RequestLinks(
            status=request.build_absolute_uri(reverse("api-v1:request_status")),
            track=track_url(),
        ),
    )
    response = JsonResponse(body.model_dump(mode="json"), status=201)
    if replayed:
        response[idempotency.REPLAYED_HEADER] = "true"
    return response


def replay(request: HttpRequest, form_code: str, earlier, body_sha256: str) -> JsonResponse:
    """The first result for a repeated Idempotency-Key, or a 422 problem when the body is not the same."""
    if earlier.body_sha256 != body_sha256:
        return problem_response(
            request,
            422,
            "idempotency-key-reused",
            _("Idempotency key already used"),
            _("This Idempotency-Key was used with another body. Use a new key for a new request."),
        )
    return submitted(request, form_code, earlier.request, replayed=True)


def answer_problems(request: HttpRequest, error: AnswersInvalid) -> JsonResponse:
    """The 422 problem naming every bad answer by pointer and question id."""
    errors = [
        {
            "pointer": problem.pointer,
            "question_id": problem.question_id,
            "message": str(problem.message),
            "code": problem.code or "",
            "part": problem.part or "",
        }
        for problem in error.problems
    ]
    return problem_response(
        request,
        422,
        "invalid-answers",
        _("Some answers are not valid"),
        _("Correct each answer named in 'errors' and send the request again."),
        errors=errors,
    )


def submission_language(request: HttpRequest, sent: Any) -> str | None:
    """The language a submission is in: its `language` field, else Accept-Language; None for a language not offered."""
    if sent is None:
        return preferred_language(request.headers.get("Accept-Language"))
    return language_code(sent)


def unknown_language(request: HttpRequest, sent: Any) -> JsonResponse:
    """The 422 problem for a `language` the portal does not offer, naming it."""
    named = sent if isinstance(sent, str) else json.dumps(sent)
    offered = ", ".join(code for code, _name in settings.LANGUAGES)
    message = _("The language '%(language)s' is not offered. Send one of: %(offered)s.") % {
        "language": named[:40],
        "offered": offered,
    }
    error = {"pointer": "/language", "question_id": "", "message": message, "code": "unknown_language", "part": ""}
    return problem_response(request, 422, "unknown-language", _("Unknown language"), message, errors=[error])


def exit_page_problem(request: HttpRequest, ended: JourneyEnded) -> JsonResponse:
    """The 422 problem for answers that end the journey on an exit page: its id, title and text."""
    paragraphs = ended.step.paragraphs()
    return problem_response(
        request,
        422,
        "exit-page",
        _("This request cannot be made online"),
        "\n\n".join([ended.step.title, *paragraphs]),
        exit_page={"id": ended.step.id, "title": ended.step.title, "text": ended.step.intro, "paragraphs": paragraphs},
    )


@router.post(
    "/forms/{code}/requests",
    response={
        201: SubmittedRequest,
        400: Problem,
        404: Problem,
        413: Problem,
        415: Problem,
        422: SubmissionProblem,
        503: Problem,
    },
    operation_id="submit_request",
    url_name="submit_request",
    summary="Submit a request",
    openapi_extra={
        "requestBody": SUBMISSION_BODY,
        "parameters": [IDEMPOTENCY_PARAMETER],
        "responses": {
            201: {
                "headers": {
                    idempotency.REPLAYED_HEADER: {
                        "description": "`true` when this is the stored result of an earlier submission with the key.",
                        "schema": {"type": "string", "enum": ["true"]},
                    }
                }
            }
        },
    },
)
def submit_request(request: HttpRequest, code: str = FormCode):
    """Answer a live form: the same checks as the web journey, then the request is stored (channel `api`).

    Problems: 400 for a body that cannot be read (bad JSON, bad base64, a bad Idempotency-Key),
    413 above the size limit, 415 for another content type, 422 `invalid-answers` naming each
    bad answer, 422 `unknown-language` for a `language` the portal does not offer, 422
    `exit-page` when the answers end the journey on an exit page, 422
    `idempotency-key-reused` for a key already used with another body.
    """
    form = live_form(code)
    if form is None:
        return unknown_form(request, code)
    try:
        key = idempotency.key_from(request)
    except idempotency.InvalidKey:
        return problem_response(
            request,
            400,
            "invalid-idempotency-key",
            _("Invalid Idempotency-Key"),
            _("An Idempotency-Key is 1 to 64 printable ASCII characters, such as a UUID."),
        )
    try:
        submission = read_submission(request)
    except BodyProblem as problem:
        return problem_response(
            request, problem.status, problem.kind, problem.title, problem.detail, errors=problem.errors
        )
    language = submission_language(request, submission.language)
    if language is None:
        return unknown_language(request, submission.language)
    body_sha256 = submission.digest(form.code)
    earlier = idempotency.earlier_submission(key) if key else None
    if earlier is not None:
        return replay(request, form.code, earlier, body_sha256)
    try:
        with transaction.atomic():
            service_request, created = submit_answers(
                form.page,
                form.version,
                submission.answers,
                submission.files,
                channel=Channel.API,
                idempotency_key=idempotency.intake_key(key) if key else None,
                language=language,
            )
            if created and key:
                idempotency.record(key, body_sha256, service_request)
    except AnswersInvalid as error:
        return answer_problems(request, error)
    except JourneyEnded as ended:
        return exit_page_problem(request, ended)
    except IntakeError:
        return problem_response(
            request, 503, "not-stored", _("The request could not be stored"), _("Nothing was stored. Try again.")
        )
    if not created:  # an identical submission with this key was stored while this one was checked
        earlier = idempotency.earlier_submission(key)
        if earlier is not None:
            return replay(request, form.code, earlier, body_sha256)
    return submitted(request, form.code, service_request, replayed=not created)


# --- status look-up -----------------------------------------------------------------------


def request_status(request: HttpRequest, found: ServiceRequest) -> dict[str, Any]:
    """What "Track a request" shows of a request, as data (the service named by its page in the request's language)."""
    service = translated(found.service, found.language)
    return {
        "reference": found.reference,
        "display_reference": found.display_reference,
        "status": found.status,
        "status_label": str(found.get_status_display()),
        "is_open": found.is_open,
        "language": found.language,
        "service": {"title": service.title, "url": service.get_full_url(request)},
        "submitted_at": found.created_at,
        "due_at": found.due_at,
        "resolved_at": found.resolved_at,
        "updates": [
            {
                "at": update.created_at,
                "kind": update.kind,
                "status": update.to_status,
                "title": str(update.get_to_status_display() or update.get_kind_display()),
                "note": update.public_note,
            }
            for update in public_updates(found)
        ],
    }


@router.post(
    "/requests/status",
    response={200: RequestStatus, 400: Problem, 404: Problem, 429: Problem},
    operation_id="request_status",
    url_name="request_status",
    summary="Look up a request's status",
    openapi_extra={
        "responses": {
            429: {
                "headers": {
                    "Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "string"}}
                }
            }
        }
    },
)
def look_up_status(request: HttpRequest, query: StatusQuery):
    """A citizen's request by reference and email: the same answer as "Track a request", under the same rate limit.

    A wrong reference and a wrong email give the same 404 problem.
    """
    if over_rate_limit(request):
        response = problem_response(request, 429, "too-many-look-ups", _("Too many look-ups"), _(TOO_MANY))
        response["Retry-After"] = str(settings.TRACK_RATE_LIMIT[1])
        return response
    form = TrackForm({"reference": query.reference, "email": query.email})
    if not form.is_valid():
        errors = [
            {"pointer": f"/{name}", "message": str(problems[0].messages[0]), "code": problems[0].code or "invalid"}
            for name, problems in form.errors.as_data().items()
        ]
        return problem_response(request, 400, "invalid-request", _("The request is not valid"), errors=errors)
    found = find_request(form.cleaned_data["reference"], form.cleaned_data["email"])
    if found is None:
        return problem_response(request, 404, "request-not-found", _("Request not found"), _(NOT_FOUND))
    audit.record(found, audit.TRACK_REQUEST, None, via=audit.CITIZEN_API, via_kind="citizen")
    return request_status(request, found)
