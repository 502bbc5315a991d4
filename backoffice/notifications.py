"""Emails to citizens: the confirmation with a copy of their answers, and status updates."""

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext

from forms_catalogue.definition import FormDefinition
from forms_catalogue.summary import request_sections

from .models import RequestEvent, ServiceRequest


def track_url() -> str:
    """The absolute address of "Track a request", as citizens' emails and the confirmation page give it."""
    return settings.WAGTAILADMIN_BASE_URL + reverse("backoffice:track")


def _email(template: str, subject: str, request: ServiceRequest, **context: Any) -> dict[str, Any]:
    context = {
        "request": request,
        "council_name": settings.COUNCIL_NAME,
        "track_url": track_url(),
        **context,
    }
    return {
        "to": [request.contact_email],
        "subject": subject,
        "body": render_to_string(f"backoffice/email/{template}.txt", context),
    }


def _subject_names(request: ServiceRequest) -> dict[str, str]:
    return {"service": request.service.title, "reference": request.display_reference}


def confirmation_email(request: ServiceRequest) -> dict[str, Any]:
    """Subject and body of the 'we have your request' email, with a copy of the answers."""
    sections = []
    if request.form_snapshot:
        sections = request_sections(FormDefinition.from_json(request.form_snapshot), request.answers)
    return _email(
        "confirmation",
        gettext("%(service)s: we have your request %(reference)s") % _subject_names(request),
        request,
        sections=sections,
    )


def status_email(request: ServiceRequest, event: RequestEvent) -> dict[str, Any]:
    """Subject and body of a status update, with the public note."""
    return _email(
        "status_update",
        gettext("%(service)s: update on your request %(reference)s") % _subject_names(request),
        request,
        event=event,
        status_label=request.get_status_display(),
    )
