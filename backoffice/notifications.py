"""Emails to citizens: the confirmation with a copy of their answers, and status updates.

Each is written in the request's language (`ServiceRequest.language`): the subject and body are
rendered with that language active, so their texts, dates and the tracking link are Welsh for a
Welsh request, and the service is named by its page in that language when it has one.
"""

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from forms_catalogue.definition import FormDefinition
from forms_catalogue.summary import request_sections
from forms_catalogue.translations import definition_in, translated, with_labels_of
from portal.language import DEFAULT_LANGUAGE, council_name

from .models import RequestEvent, ServiceRequest


def track_url() -> str:
    """The absolute address of "Track a request", as citizens' emails and the confirmation page give it."""
    return settings.WAGTAILADMIN_BASE_URL + reverse("backoffice:track")


def _email(template: str, subject: str, request: ServiceRequest, **context: Any) -> dict:
    """The email's recipients, subject and body, written in the request's language.

    `subject` is an English message (marked with gettext_noop) with `%(service)s` and `%(reference)s`.
    """
    with translation.override(request.language):
        service_title = translated(request.service, request.language).title
        context = {
            "request": request,
            "service_title": service_title,
            "council_name": council_name()[0],
            "track_url": track_url(),
            **context,
        }
        return {
            "to": [request.contact_email],
            "subject": gettext(subject) % {"service": service_title, "reference": request.display_reference},
            "body": render_to_string(f"backoffice/email/{template}.txt", context),
        }


def confirmation_email(request: ServiceRequest) -> dict[str, Any]:
    """Subject and body of the 'we have your request' email, with a copy of the answers, in the request's language."""
    sections = []
    if request.form_snapshot:
        definition = FormDefinition.from_json(request.form_snapshot)
        if request.language != DEFAULT_LANGUAGE:  # a form answered for a Welsh speaker: its Welsh wording
            definition = with_labels_of(definition, definition_in(request.form_page_id, request.language))
        sections = request_sections(definition, request.answers)
    subject = gettext_noop("%(service)s: we have your request %(reference)s")
    return _email("confirmation", subject, request, sections=sections)


def status_email(request: ServiceRequest, event: RequestEvent) -> dict[str, Any]:
    """Subject and body of a status update, with the public note, in the request's language."""
    subject = gettext_noop("%(service)s: update on your request %(reference)s")
    # The template calls get_status_display while the request's language is active.
    return _email("status_update", subject, request, event=event, status_label=request.get_status_display)
