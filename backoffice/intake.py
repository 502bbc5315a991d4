"""The one entry point for new requests: web, API, Open311 and staff on a caller's behalf.

`submit()` routes the request to its queue and writes it, its files, its history and its
outbox deliveries (department systems, citizen confirmation) in one database transaction.
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

from portal.filenames import display_name, stored_extension

from .models import Channel, RequestEvent, RequestFile, ServiceRequest
from .outbox import enqueue_new_request
from .references import new_reference
from .routing import route

REFERENCE_ATTEMPTS = 5


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
    idempotency_key: str | None = None,
) -> tuple[ServiceRequest, bool]:
    """Store a request and return it with True, or the earlier one with False for a repeated key.

    Raises IntakeError if no unique reference could be found; nothing is stored then.
    """
    if idempotency_key:
        existing = ServiceRequest.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing, False
    queue = route(service, answers)
    for _attempt in range(REFERENCE_ATTEMPTS):
        saved_files: list[str] = []
        try:
            with transaction.atomic():
                request = ServiceRequest.objects.create(
                    reference=new_reference(),
                    service=service,
                    form_page_id=form_version.page_id if form_version else None,
                    form_version=form_version,
                    form_revision_id=form_version.revision_id if form_version else None,
                    form_snapshot=form_version.snapshot if form_version else {},
                    answers=answers,
                    channel=channel,
                    contact_email=contact_email,
                    idempotency_key=idempotency_key,
                    queue=queue,
                )
                for submitted in files:
                    _store_file(request, submitted, saved_files)
                RequestEvent.objects.create(request=request, kind=RequestEvent.Kind.SUBMITTED, to_status=request.status)
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
