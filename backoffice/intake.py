"""The one entry point for new requests: web, API, Open311 and staff on a caller's behalf.

`submit()` routes the request to its queue, gives it its service's target and due date
(`service_levels`), and writes it, its files, its history and its
outbox deliveries (department systems, citizen confirmation) in one database transaction.
A request a member of staff enters on a resident's behalf (`entered_by`, with the channel
it came through: phone, face to face, post) has that person as the actor of its "submitted"
event and an audit-log entry, written in the same transaction.
The caller may show the reference only after it returns. A repeated call with the same
idempotency key returns the request the first call made. If anything fails, nothing is
stored: the transaction rolls back and the files already written are deleted (when the
caller wraps `submit()` in its own transaction and that one rolls back, the files stay).
"""

import secrets
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.filenames import display_name, stored_extension
from portal.language import DEFAULT_LANGUAGE, language_code

from .models import Channel, RequestEvent, RequestFile, ServiceRequest
from .outbox import enqueue_new_request
from .references import new_reference
from .routing import route
from .service_levels import start_clock
from .staff import audit

REFERENCE_ATTEMPTS = 5


@dataclass(frozen=True)
class Contact:
    """The resident's contact details given with the request (an agent takes them on the phone, say)."""

    email: str = ""
    name: str = ""
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class SubmittedFile:
    """A file answer to store with the request."""

    question_id: str
    file: UploadedFile
    item_index: int | None = None


class IntakeError(Exception):
    """The request could not be stored (after retrying reference collisions)."""


def submit(
    *,
    service,
    answers: dict[str, Any],
    form_version=None,
    files: list[SubmittedFile] = (),
    channel: str = Channel.WEB,
    contact_email: str = "",
    contact: Contact | None = None,
    entered_by=None,
    idempotency_key: str | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> tuple[ServiceRequest, bool]:
    """Store a request and return it with True, or the earlier one with False for a repeated key.

    `contact` (name, phone, address; its email wins over `contact_email`) and `entered_by` (the
    member of staff submitting for a resident) are optional. `language` is the resident's
    (a code of settings.LANGUAGES, "en-gb" or "cy"; callers check what residents send, and
    anything else is stored as the default language): the council writes to them in it.

    Raises IntakeError if no unique reference could be found; nothing is stored then.
    """
    if idempotency_key:
        existing = ServiceRequest.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing, False
    contact = contact or Contact(email=contact_email)
    queue = route(service, answers)
    for _attempt in range(REFERENCE_ATTEMPTS):
        saved_files: list[str] = []
        try:
            with transaction.atomic():
                request = ServiceRequest(
                    reference=new_reference(),
                    service=service,
                    form_page_id=form_version.page_id if form_version else None,
                    form_version=form_version,
                    form_revision_id=form_version.revision_id if form_version else None,
                    form_snapshot=form_version.snapshot if form_version else {},
                    answers=answers,
                    channel=channel,
                    language=language_code(language) or DEFAULT_LANGUAGE,
                    entered_by=entered_by,
                    contact_email=contact.email or contact_email,
                    contact_name=contact.name,
                    contact_phone=contact.phone,
                    contact_address=contact.address,
                    idempotency_key=idempotency_key,
                    queue=queue,
                )
                start_clock(request, service, received=timezone.now())
                request.save(force_insert=True)
                for submitted in files:
                    _store_file(request, submitted, saved_files)
                RequestEvent.objects.create(
                    request=request,
                    kind=RequestEvent.Kind.SUBMITTED,
                    to_status=request.status,
                    due_at=request.due_at,
                    actor=entered_by,
                )
                if entered_by is not None:
                    audit.record(request, audit.SUBMIT_ON_BEHALF, entered_by, channel=channel)
                enqueue_new_request(request)
        except IntegrityError:
            _delete_files(saved_files)
            if idempotency_key:
                existing = ServiceRequest.objects.filter(idempotency_key=idempotency_key).first()
                if existing:
                    return existing, False
        except BaseException:
            _delete_files(saved_files)
            raise
        else:
            return request, True
    raise IntakeError("Could not allocate a unique reference.")


def _store_file(request: ServiceRequest, submitted: SubmittedFile, saved_files: list[str]) -> RequestFile:
    upload = submitted.file
    upload.seek(0)
    content_type = getattr(upload, "content_type", "") or "application/octet-stream"
    extension = stored_extension(content_type)
    record = RequestFile(
        request=request,
        question_id=submitted.question_id,
        item_index=submitted.item_index,
        original_name=display_name(upload.name or "", extension),
        content_type=content_type,
        size=upload.size,
    )
    record.file.save(f"{request.reference}-{secrets.token_hex(8)}{extension}", upload, save=False)
    saved_files.append(record.file.name)
    record.save()
    return record


def _delete_files(names: list[str]) -> None:
    """Remove the files a rolled-back submission had already written to storage."""
    storage = RequestFile._meta.get_field("file").storage
    for name in names:
        storage.delete(name)
