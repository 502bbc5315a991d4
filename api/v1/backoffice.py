"""Back-office pull: a department system that cannot receive webhooks pulls its queue instead.

Every endpoint needs a queue API key (`Authorization: Bearer pq_…`, see `auth.py`) and sees
that key's queue only: a request of another queue is "not found", never "forbidden", so a
key cannot even learn that it exists. A listed request is the document a webhook carries
(`backoffice.documents.request_document`), so a system can move between push and pull, with
what pulling adds: when it was acknowledged and last updated, its own link, and a download
link for each file that works with the key. The system acknowledges what it has stored and
may update the status, with the same rules and citizen emails as the staff screens.

Reads and changes are written to the back office's audit log with the key's name.
"""

from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlencode

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from api.models import QueueApiKey
from backoffice import casework
from backoffice.documents import request_document
from backoffice.files import attachment_response
from backoffice.models import RequestEvent, ServiceRequest, Status
from backoffice.references import normalise_reference
from backoffice.staff import audit
from backoffice.staff.access import user_display_name
from backoffice.staff.forms import NOTE_MAX_LENGTH
from portal.file_encryption import UndecryptableFile

from .auth import QueueKeyAuth
from .cursors import InvalidCursor, Position, make_cursor, read_cursor
from .problems import Problem, problem_response

router = Router(auth=QueueKeyAuth(), tags=["Back-office pull"])
router.add_decorator(never_cache, mode="view")  # every answer holds personal data: no cache may keep it

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
FILTERS = ("state", "status", "updated_since", "order")
DEFAULTS = {"state": "new", "status": None, "updated_since": None, "order": "oldest"}
ERRORS: dict[frozenset[int], type] = {frozenset({400, 401, 404, 422}): Problem}


# --- schemas -----------------------------------------------------------------------------


class RequestListQuery(Schema):
    """Which of the queue's requests to list, in which order, and where to resume."""

    state: Literal["new", "all"] | None = Field(
        None, description="`new` (default): not yet acknowledged by a system; `all`: every request."
    )
    status: Status | None = Field(None, description="Only requests with this status.")
    updated_since: datetime | None = Field(
        None, description="Only requests changed at or after this time (ISO 8601; without an offset: UK time)."
    )
    order: Literal["oldest", "newest"] | None = Field(
        None, description="By submission: `oldest` first (default) or `newest` first."
    )
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Requests per page (1–100).")
    cursor: str | None = Field(None, max_length=2000, description="From a page's `next` link; keep it as it is.")


class RequestPage(Schema):
    """One page of request documents and the link to the next page (null on the last)."""

    items: list[dict[str, Any]]
    next: str | None


class Acknowledgement(Schema):
    """When the request was first acknowledged, and whether this call was that first time."""

    reference: str
    display_reference: str
    acknowledged_at: str = Field(..., description="ISO 8601, as in the request document.")
    already_acknowledged: bool


class StatusChange(Schema):
    """A new status and/or notes: the public note is emailed to the citizen, the internal one is not."""

    model_config = ConfigDict(extra="forbid")

    status: str = Field(..., max_length=20, description="One of: " + ", ".join(Status.values))
    public_note: str = Field("", max_length=NOTE_MAX_LENGTH, description="Shown and emailed to the citizen.")
    internal_note: str = Field("", max_length=NOTE_MAX_LENGTH, description="For staff only.")


class StatusChangeResult(Schema):
    """The request's status after the change, the history event written, and whether the citizen is emailed."""

    reference: str
    status: str
    citizen_emailed: bool
    event: dict[str, Any]


# --- documents ---------------------------------------------------------------------------


def absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def request_url(request: HttpRequest, reference: str) -> str:
    return absolute(request, reverse("api-v1:queue_request", kwargs={"reference": reference}))


def pull_document(
    request: HttpRequest, service_request: ServiceRequest, english: dict[int, Any] | None = None
) -> dict[str, Any]:
    """The webhook's request document, with its acknowledgement, last change and API links.

    `english` caches the English form definitions a page of Welsh requests is labelled with.
    """
    document = request_document(service_request, f"{service_request.reference}-pull", english)
    acknowledged_at = service_request.acknowledged_at
    document["acknowledged_at"] = acknowledged_at.isoformat() if acknowledged_at else None
    document["updated_at"] = service_request.updated_at.isoformat()
    document["url"] = request_url(request, service_request.reference)
    for item in document["files"]:
        item["download_url"] = absolute(
            request,
            reverse(
                "api-v1:queue_request_file", kwargs={"reference": service_request.reference, "file_id": item["id"]}
            ),
        )
        item["url"] = item["download_url"]  # the pulling system's link works with its key, as the rest of the API
    return document


def event_document(event: RequestEvent) -> dict[str, Any]:
    """One history event as staff see it: notes for the citizen and internal ones, and who made it."""
    return {
        "at": event.created_at.isoformat(),
        "kind": event.kind,
        "from_status": event.from_status or None,
        "to_status": event.to_status or None,
        "public_note": event.public_note,
        "internal_note": event.internal_note,
        "staff": user_display_name(event.actor) or None,
        "via": event.via or None,
    }


# --- finding requests --------------------------------------------------------------------


def queue_requests(key: QueueApiKey):
    """The requests of the key's queue, and no other; none whose personal data was deleted (retention, erasure)."""
    return ServiceRequest.objects.filter(queue_id=key.queue_id, anonymised_at__isnull=True).select_related(
        "service__department", "queue"
    )


def find_request(key: QueueApiKey, reference: str) -> ServiceRequest:
    """The key's queue's request with this reference, typed any way (`k7mq-x3pt-ra`); Http404 otherwise."""
    found = queue_requests(key).filter(reference=normalise_reference(reference)).first()
    if found is None:
        raise Http404(gettext("There is no request with this reference in this key's queue."))
    return found


def given_filters(query: RequestListQuery) -> dict[str, Any]:
    """The filters the client set explicitly, as the JSON-safe values a cursor keeps."""
    given = {}
    if query.state is not None:
        given["state"] = query.state
    if query.status is not None:
        given["status"] = Status(query.status).value
    if query.updated_since is not None:
        since = query.updated_since
        given["updated_since"] = (timezone.make_aware(since) if timezone.is_naive(since) else since).isoformat()
    if query.order is not None:
        given["order"] = query.order
    return given


def filtered(key: QueueApiKey, filters: dict[str, Any]):
    """The key's queue's requests matching `filters`, in the order they ask for."""
    requests = queue_requests(key)
    if filters["state"] == "new":
        requests = requests.filter(acknowledged_at__isnull=True)
    if filters["status"]:
        requests = requests.filter(status=filters["status"])
    if filters["updated_since"]:
        requests = requests.filter(updated_at__gte=datetime.fromisoformat(filters["updated_since"]))
    if filters["order"] == "newest":
        return requests.order_by("-created_at", "-pk")
    return requests.order_by("created_at", "pk")


class CursorProblem(Exception):
    """A cursor the listing cannot resume from, as a problem document's kind, title and detail."""

    def __init__(self, kind: str, title: str, detail: str):
        super().__init__(detail)
        self.kind, self.title, self.detail = kind, title, detail


def listing(key: QueueApiKey, query: RequestListQuery) -> tuple[dict[str, Any], Position | None]:
    """The filters of the listing asked for and the position to resume after (None: the first page).

    With a cursor, the filters are those it was made with; raises CursorProblem for a cursor
    this API did not make for this key's queue, or one sent with other filters.
    """
    given = given_filters(query)
    if not query.cursor:
        return {**DEFAULTS, **given}, None
    try:
        scope, position = read_cursor(query.cursor)
    except InvalidCursor:
        scope, position = {}, None
    if scope.get("queue") != key.queue_id or set(scope) != {"queue", *FILTERS}:
        raise CursorProblem(
            "invalid-cursor",
            gettext("The cursor is not valid"),
            gettext("Use the 'next' link of the previous page as it is, or start again without a cursor."),
        )
    changed = [name for name, value in given.items() if scope[name] != value]
    if changed:
        raise CursorProblem(
            "cursor-mismatch",
            gettext("The cursor belongs to another listing"),
            gettext("These filters differ from the listing the cursor was made for: %(names)s.")
            % {"names": ", ".join(changed)},
        )
    return {name: scope[name] for name in FILTERS}, position


# --- endpoints ---------------------------------------------------------------------------


@router.get("/requests", response={200: RequestPage, **ERRORS}, url_name="queue_requests")
def list_requests(request: HttpRequest, query: Query[RequestListQuery]):
    """The queue's requests, a page at a time: by default those no system has acknowledged, oldest first.

    Follow `next` until it is null. Paging is by cursor, so requests submitted while paging
    never make a page repeat or skip one. Start every round from the first page: a request
    stays in `state=new` until it is acknowledged, so none is missed.
    """
    key: QueueApiKey = request.auth
    try:
        filters, position = listing(key, query)
    except CursorProblem as problem:
        return problem_response(request, 400, problem.kind, problem.title, problem.detail)
    requests = filtered(key, filters).prefetch_related("files")
    if position is not None:
        requests = requests.filter(position.after(newest_first=filters["order"] == "newest"))
    rows = list(requests[: query.limit + 1])
    page = rows[: query.limit]
    next_link = None
    if len(rows) > query.limit:
        cursor = make_cursor({"queue": key.queue_id, **filters}, Position.of(page[-1]))
        path = reverse("api-v1:queue_requests") + "?" + urlencode({"cursor": cursor, "limit": query.limit})
        next_link = absolute(request, path)
    audit.record_many(page, audit.VIEW_REQUEST, None, via=key.name)
    english: dict[int, Any] = {}
    return {"items": [pull_document(request, row, english) for row in page], "next": next_link}


@router.get("/requests/{reference}", response={200: dict[str, Any], **ERRORS}, url_name="queue_request")
def get_request(request: HttpRequest, reference: str):
    """One request: its document, who it is assigned to, and its whole history, internal notes included."""
    key: QueueApiKey = request.auth
    found = find_request(key, reference)
    document = pull_document(request, found)
    document["assigned_to"] = user_display_name(found.assignee) or None
    document["history"] = [
        event_document(event) for event in found.events.select_related("actor").order_by("created_at", "pk")
    ]
    audit.record(found, audit.VIEW_REQUEST, None, via=key.name)
    return document


@router.get(
    "/requests/{reference}/files/{file_id}",
    response={**ERRORS, 503: Problem},
    url_name="queue_request_file",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file as it was sent (decrypted), as an attachment.",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def get_request_file(request: HttpRequest, reference: str, file_id: int) -> HttpResponse:
    """One of the request's files, as it was sent: always an attachment, never cached.

    A file the portal cannot decrypt (a key removed too early) is a 503 `file-unreadable`.
    """
    key: QueueApiKey = request.auth
    found = find_request(key, reference)
    item = found.files.filter(pk=file_id).first()
    if item is None:
        raise Http404(gettext("The request has no file with this id."))
    try:
        response = attachment_response(item)
    except UndecryptableFile:
        return problem_response(
            request,
            503,
            "file-unreadable",
            gettext("The file cannot be read"),
            gettext("The portal cannot decrypt this file at the moment. Try again later."),
        )
    except (OSError, ValueError):
        raise Http404(gettext("The file is no longer stored.")) from None
    audit.record(found, audit.DOWNLOAD_FILE, None, file_id=item.pk, question_id=item.question_id, via=key.name)
    return response


@router.post("/requests/{reference}/acknowledge", response={200: Acknowledgement, **ERRORS})
def acknowledge_request(request: HttpRequest, reference: str):
    """Record that this system has the request, so it leaves `state=new`. Acknowledging again changes nothing."""
    key: QueueApiKey = request.auth
    found = find_request(key, reference)
    first_time = casework.acknowledge(found, by=key.name)
    return {
        "reference": found.reference,
        "display_reference": found.display_reference,
        "acknowledged_at": found.acknowledged_at.isoformat(),
        "already_acknowledged": not first_time,
    }


@router.post("/requests/{reference}/status", response={200: StatusChangeResult, **ERRORS})
def change_request_status(request: HttpRequest, reference: str, change: StatusChange):
    """Change the status and/or add notes, with the staff screens' rules; the citizen is emailed as from staff."""
    key: QueueApiKey = request.auth
    found = find_request(key, reference)
    try:
        with transaction.atomic():
            event = casework.change_status(
                found,
                change.status,
                actor=None,
                internal_note=change.internal_note,
                public_note=change.public_note,
                via=key.name,
            )
            emailed = audit.record_status_change(found, event, None, via=key.name)
    except casework.CaseworkError as error:
        return problem_response(request, 422, "invalid-change", gettext("The request was not changed"), str(error))
    return {
        "reference": found.reference,
        "status": found.status,
        "citizen_emailed": emailed,
        "event": event_document(event),
    }
