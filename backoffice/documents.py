"""The versioned JSON document a department's system receives for each request."""

import json
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from forms_catalogue.definition import FormDefinition

from .models import ServiceRequest

DOCUMENT_TYPE = "council-portal.service-request"
DOCUMENT_VERSION = 1
FILE_LINK_SALT = "backoffice.file-link"


def file_link(request_file) -> str:
    """An absolute, signed link to download one uploaded file (checked for age by the download view)."""
    token = signing.dumps({"file": request_file.pk}, salt=FILE_LINK_SALT, compress=True)
    return settings.WAGTAILADMIN_BASE_URL + reverse("backoffice:file_download", args=[token])


def question_labels(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """Every question of the frozen definition: id, label, type, step and whether its step repeats."""
    if not snapshot:
        return []
    definition = FormDefinition.from_json(snapshot)
    return [
        {
            "id": question.id,
            "label": question.label,
            "type": question.type,
            "step": step.id,
            "repeating": step.repeat is not None,
        }
        for step in definition.steps
        for question in step.questions
    ]


def json_safe(value: Any) -> Any:
    """`value` with dates, times, decimals and UUIDs as the strings ServiceRequest.answers stores them as."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def request_document(request: ServiceRequest, idempotency_key: str) -> dict[str, Any]:
    """The request as a self-describing JSON document (version 1).

    The answers are as stored (JSON): a caller may pass dates or decimals to `intake.submit`,
    which the request's JSONField encodes, so the document encodes them the same way.
    """
    service = request.service
    return {
        "type": DOCUMENT_TYPE,
        "version": DOCUMENT_VERSION,
        "idempotency_key": idempotency_key,
        "reference": request.reference,
        "display_reference": request.display_reference,
        "submitted_at": request.created_at.isoformat(),
        "channel": request.channel,
        "status": request.status,
        "service": {"id": service.pk, "title": service.title, "slug": service.slug, "lgsl_code": service.lgsl_code},
        "department": service.department.name if service.department_id else None,
        "queue": request.queue.slug if request.queue_id else None,
        "contact_email": request.contact_email,
        "contact_name": request.contact_name,
        "contact_phone": request.contact_phone,
        "contact_address": request.contact_address,
        "form": {
            "page_id": request.form_page_id,
            "revision_id": request.form_revision_id,
            "title": request.form_snapshot.get("title", ""),
            "questions": question_labels(request.form_snapshot),
        },
        "answers": json_safe(request.answers),
        "files": [
            {
                "id": item.pk,
                "question_id": item.question_id,
                "item_index": item.item_index,
                "name": item.original_name,
                "content_type": item.content_type,
                "size": item.size,
                "url": file_link(item),
            }
            for item in request.files.all()
        ],
    }
