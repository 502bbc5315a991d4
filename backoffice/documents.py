"""The versioned JSON document a department's system receives for each request."""

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from forms_catalogue.definition import FormDefinition
from forms_catalogue.translations import staff_definition

from .models import ServiceRequest

DOCUMENT_TYPE = "council-portal.service-request"
DOCUMENT_VERSION = 1


def question_labels(definition: FormDefinition | None) -> list[dict[str, Any]]:
    """Every question of the definition: id, label, type, step and whether its step repeats."""
    if definition is None:
        return []
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


def service_level_document(request: ServiceRequest) -> dict[str, Any] | None:
    """The request's target and due date (None when its service had no target when it was submitted)."""
    target = request.service_level
    if target is None:
        return None
    return {
        "target": {"amount": target.amount, "unit": target.unit},
        "due_at": request.due_at.isoformat() if request.due_at else None,
        "paused": request.paused_at is not None,
    }


def request_document(
    request: ServiceRequest, idempotency_key: str, english: dict[int, FormDefinition | None] | None = None
) -> dict[str, Any]:
    """The request as a self-describing JSON document (version 1).

    The answers are as stored (JSON): a caller may pass dates or decimals to `intake.submit`,
    which the request's JSONField encodes, so the document encodes them the same way. Files
    carry no link here: each destination's links are made when it is sent
    (`file_links.with_file_links`), and the pull API links each file with its key.
    `language` is the resident's ("en-gb" or "cy"); the form's title and question labels are
    the English ones whatever it is (`forms_catalogue.translations.staff_definition`, whose
    cache of English definitions `english` is, for a page of documents).
    """
    service = request.service
    snapshot = request.form_snapshot
    definition = staff_definition(FormDefinition.from_json(snapshot), request, english) if snapshot else None
    return {
        "type": DOCUMENT_TYPE,
        "version": DOCUMENT_VERSION,
        "idempotency_key": idempotency_key,
        "reference": request.reference,
        "display_reference": request.display_reference,
        "submitted_at": request.created_at.isoformat(),
        "channel": request.channel,
        "language": request.language,
        "status": request.status,
        "service": {"id": service.pk, "title": service.title, "slug": service.slug, "lgsl_code": service.lgsl_code},
        "department": service.department.name if service.department_id else None,
        "queue": request.queue.slug if request.queue_id else None,
        "contact_email": request.contact_email,
        "service_level": service_level_document(request),
        "contact_name": request.contact_name,
        "contact_phone": request.contact_phone,
        "contact_address": request.contact_address,
        "form": {
            "page_id": request.form_page_id,
            "revision_id": request.form_revision_id,
            "title": definition.title if definition else "",
            "questions": question_labels(definition),
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
            }
            for item in request.files.all()
        ],
    }
