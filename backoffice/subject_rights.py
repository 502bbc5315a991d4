"""Subject-rights requests by email address: find a person's requests, export them, erase them.

The information-governance team (the `backoffice.handle_subject_rights` permission, or
superusers) uses these through the admin (Back office → Subject rights) or the commands
`export_subject_access` and `erase_personal_data`:

- `find(email)`: the requests whose contact email is this address (in any case), with their
  file counts, and the person's saved journeys: what an export holds and an erasure deletes.
- `export_zip(email)`: a zip of `requests.json` (each request's answers under their question
  labels, the history the person could see, and their saved journeys) and the files.
- `erase(email)`: strips each request as the retention purge does (`retention.strip_personal_data`:
  answers, contact email, files, deliveries and history deleted; an anonymous row kept for the
  figures) and deletes the saved journeys; returns the references and counts.

Every search, export and erasure is written to the audit log, one entry per request, with who
did it and counts, never the address. Failure behaviour: an erasure is one transaction (files
in storage are deleted first; a failure leaves the rows for a second attempt).
"""

import json
import zipfile
from dataclasses import dataclass, field
from tempfile import SpooledTemporaryFile
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.text import get_valid_filename

from .models import RequestEvent, ServiceRequest
from .references import format_reference
from .retention import strip_personal_data
from .staff import audit
from .staff.requests import answer_sections, form_definition
from .tracking import public_updates

EXPORT_TYPE = "council-portal.subject-access-export"
EXPORT_VERSION = 1
SPOOL_BYTES = 16 * 1024 * 1024  # larger exports go to a temporary file, not memory


def normalised(email: str) -> str:
    return (email or "").strip()


def requests_of(email: str) -> QuerySet[ServiceRequest]:
    """The requests given with this contact email (any case), not yet anonymised; oldest first."""
    email = normalised(email)
    if not email:
        return ServiceRequest.objects.none()
    return (
        ServiceRequest.objects.with_contact_email(email)
        .filter(anonymised_at__isnull=True)
        .select_related("service", "queue")
        .order_by("created_at", "pk")
    )


def saved_journeys_of(email: str) -> QuerySet:
    """The person's "save and come back later" journeys (forms catalogue), by the email they were saved with."""
    saved = apps.get_model("forms_catalogue", "SavedJourney").objects
    email = normalised(email)
    return saved.with_email(email).select_related("page") if email else saved.none()


@dataclass
class Findings:
    """What a search by email address found."""

    email: str
    requests: list[ServiceRequest]
    saved_journeys: int

    @property
    def files(self) -> int:
        return sum(request.file_count for request in self.requests)

    @property
    def references(self) -> list[str]:
        return [request.display_reference for request in self.requests]


def find(email: str, *, user=None, **audit_data) -> Findings:
    """The person's requests (each with `file_count`) and saved journeys; audited as a search when any is found."""
    requests = list(requests_of(email).annotate(file_count=Count("files")))
    findings = Findings(email=normalised(email), requests=requests, saved_journeys=saved_journeys_of(email).count())
    audit.record_many(requests, audit.FIND_SUBJECT_REQUESTS, user, **audit_data)
    return findings


# --- export -------------------------------------------------------------------------------


def visible_history(request: ServiceRequest) -> list[dict[str, Any]]:
    """What the person could see of the history (as on "Track a request"), and the updates they sent."""
    events = public_updates(request) | request.events.filter(kind=RequestEvent.Kind.CITIZEN)
    return [
        {
            "at": event.created_at,
            "what": str(
                event.get_to_status_display() if event.kind == RequestEvent.Kind.STATUS else event.get_kind_display()
            ),
            "note": event.citizen_note if event.kind == RequestEvent.Kind.CITIZEN else event.public_note,
        }
        for event in events.order_by("created_at", "pk")
    ]


def file_path(request: ServiceRequest, item) -> str:
    return f"files/{request.reference}/{item.pk}-{get_valid_filename(item.original_name) or 'file'}"


def request_entry(request: ServiceRequest) -> dict[str, Any]:
    """One request as the person's export shows it: answers under their labels, history, files."""
    definition = form_definition(request)
    return {
        "reference": request.display_reference,
        "service": request.service.title,
        "form": request.form_snapshot.get("title", ""),
        "submitted_at": request.created_at,
        "channel": str(request.get_channel_display()),
        "language": request.language_name,
        "status": str(request.get_status_display()),
        "resolved_at": request.resolved_at,
        "contact_email": request.contact_email,
        "contact_name": request.contact_name,
        "contact_phone": request.contact_phone,
        "contact_address": request.contact_address,
        "answers": [
            {"section": str(section["title"]), "question": str(row["label"]), "answer": str(row["value"])}
            for section in answer_sections(request, definition)
            for row in section["rows"]
        ],
        "history": visible_history(request),
        "files": [
            {
                "name": item.original_name,
                "content_type": item.content_type,
                "size": item.size,
                "path": file_path(request, item),
            }
            for item in request.files.order_by("pk")
        ],
    }


def saved_journey_entry(saved) -> dict[str, Any]:
    return {
        "form": saved.page.title,
        "saved_at": saved.created_at,
        "expires_at": saved.expires_at,
        "answers_so_far": (saved.data or {}).get("step_data", {}),
    }


def export_zip(email: str, *, user=None, **audit_data) -> tuple[SpooledTemporaryFile, Findings]:
    """The person's subject access export as a zip (rewound, ready to read) and what it holds; audited.

    Files are read through their storage, which decrypts them. Raises OSError when a stored
    file cannot be read, `UndecryptableFile` when no key decrypts it (nothing is audited then).
    """
    requests = list(requests_of(email).prefetch_related("files"))
    saved = list(saved_journeys_of(email))
    document = {
        "type": EXPORT_TYPE,
        "version": EXPORT_VERSION,
        "email": normalised(email),
        "generated_at": timezone.now(),
        "requests": [request_entry(request) for request in requests],
        "saved_journeys": [saved_journey_entry(journey) for journey in saved],
    }
    archive = SpooledTemporaryFile(max_size=SPOOL_BYTES)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("requests.json", json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
        for request in requests:
            for item in request.files.all():
                with item.file.open("rb") as handle:
                    bundle.writestr(file_path(request, item), handle.read())
    archive.seek(0)
    for request in requests:
        request.file_count = len(request.files.all())
        audit.record(request, audit.EXPORT_REQUEST, user, files=request.file_count, **audit_data)
    return archive, Findings(email=normalised(email), requests=requests, saved_journeys=len(saved))


# --- erasure ------------------------------------------------------------------------------


@dataclass
class ErasureReport:
    """What an erasure deleted: the requests' references, and counts."""

    references: list[str] = field(default_factory=list)
    files: int = 0
    deliveries: int = 0
    events: int = 0
    saved_journeys: int = 0


def erase(email: str, *, request_ids: list[int] | None = None, user=None, **audit_data) -> ErasureReport:
    """Erase the person's requests (only those of `request_ids` when given: the ones a preview showed)
    and their saved journeys; audited per request with the number of files deleted."""
    requests = requests_of(email)
    if request_ids is not None:
        requests = requests.filter(pk__in=request_ids)
    found = list(requests.values_list("pk", "reference"))
    with transaction.atomic():
        stripped = strip_personal_data(
            [pk for pk, _reference in found], action=audit.ERASE_REQUEST, user=user, **audit_data
        )
        saved_journeys = saved_journeys_of(email).delete()[0] if normalised(email) else 0
    return ErasureReport(
        references=[format_reference(reference) for _pk, reference in found],
        files=stripped.files,
        deliveries=stripped.deliveries,
        events=stripped.events,
        saved_journeys=saved_journeys,
    )


__all__ = ["ErasureReport", "Findings", "erase", "export_zip", "find", "requests_of"]
