"""The documents Open311 clients read: services, service definitions, requests and their updates.

Requests and updates are those of requests made through Open311: what a civic client sent
(and usually publishes itself) is what it can read back, with its status, the council's
notes for the citizen and its place. Requests made on the web or by phone are never listed,
and no document carries personal data (no email, name or phone, no home address).
"""

from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.html import strip_tags

from api.catalogue import LiveForm
from backoffice.models import Channel, RequestEvent, ServiceRequest, Status
from backoffice.models.requests import OPEN_STATUSES
from backoffice.references import normalise_reference
from home.models import CategoryPage

from .mapping import MEDIA_URL_ANSWER, ServiceMapping, request_mapping
from .params import MAX_RESULTS, w3c

# The mySociety update extension's status words (FixMyStreet maps them to its own states).
UPDATE_STATUSES = {
    Status.RECEIVED: "open",
    Status.IN_PROGRESS: "in_progress",
    Status.WAITING: "open",
    Status.RESOLVED: "fixed",
    Status.CLOSED: "closed",
    Status.REJECTED: "no_further_action",
}


def open_or_closed(status: str) -> str:
    """A portal status as GeoReport v2's two: open (received, in progress, waiting) or closed."""
    return "open" if status in OPEN_STATUSES else "closed"


# --- services -------------------------------------------------------------------------


def category_titles(forms: list[LiveForm]) -> dict[str, str]:
    """The title of each form's service's category, by service path (one query)."""
    steplen = CategoryPage.steplen
    paths = {form.service.path[:-steplen] for form in forms}
    by_path = dict(CategoryPage.objects.filter(path__in=paths).values_list("path", "title"))
    return {form.service.path: by_path.get(form.service.path[:-steplen], "") for form in forms}


def service_item(form: LiveForm, category: str) -> dict[str, Any]:
    """One entry of the service list, with the `groups` extension (the service's category)."""
    return {
        "service_code": form.code,
        "service_name": form.service.title,
        "description": form.service.summary,
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(form.service.keyword_list),
        "group": category,
        "groups": [category] if category else [],
    }


def service_definition(form: LiveForm, mapping: ServiceMapping) -> dict[str, Any]:
    """The service definition: every question not answered by Open311's own fields, in form order."""
    return {
        "service_code": form.code,
        "attributes": [attribute.document(order) for order, attribute in enumerate(mapping.attributes, start=1)],
    }


def service_notice(form: LiveForm) -> str:
    """What happens next, as plain text (the form's confirmation text)."""
    return " ".join(strip_tags(form.page.confirmation_text or "").split())


# --- requests ---------------------------------------------------------------------------


def open311_requests() -> QuerySet[ServiceRequest]:
    """Requests made through Open311, with what their documents need (a constant number of queries)."""
    public_notes = RequestEvent.objects.filter(has_public_note=True).order_by("created_at", "pk")
    return (
        ServiceRequest.objects.filter(channel=Channel.OPEN311)
        .select_related("service__department")
        .prefetch_related(Prefetch("events", queryset=public_notes, to_attr="public_events"))
    )


def find_request(reference: str) -> ServiceRequest | None:
    """The Open311 request with this reference, typed any way ('K7MQ-X3PT-RA', 'k7mqx3ptra'), or None."""
    normalised = normalise_reference(reference or "")
    if not normalised or len(normalised) > 16:
        return None
    return open311_requests().filter(reference=normalised).first()


def search_requests(
    *, references: list[str], service_codes: list[str], statuses: list[str], window: tuple[datetime, datetime]
) -> list[ServiceRequest]:
    """Requests by reference (other filters then ignored, as the spec says) or by service, status and date."""
    requests = open311_requests()
    if references:
        return list(requests.filter(reference__in=[normalise_reference(ref) for ref in references])[:MAX_RESULTS])
    requests = requests.filter(created_at__range=window)
    if service_codes:
        requests = requests.filter(service__slug__in=service_codes)
    if statuses and set(statuses) != {"open", "closed"}:
        in_open = Q(status__in=OPEN_STATUSES)
        requests = requests.filter(in_open if "open" in statuses else ~in_open)
    return list(requests.order_by("-created_at", "-pk")[:MAX_RESULTS])


def request_item(request: ServiceRequest) -> dict[str, Any]:
    """A request as GeoReport v2 describes it: status, service, description, place; no personal data."""
    mapping = request_mapping(request)
    answers = request.answers if isinstance(request.answers, dict) else {}
    description_question = mapping.role_question("description")
    description = answers.get(description_question.id) if description_question else None
    location = _location_of(mapping, answers)
    notes = getattr(request, "public_events", None)
    if notes is None:
        notes = list(request.events.filter(has_public_note=True).order_by("created_at", "pk"))
    media = answers.get(MEDIA_URL_ANSWER) or []
    return {
        "service_request_id": request.display_reference,
        "status": open_or_closed(request.status),
        "status_notes": notes[-1].public_note if notes else None,
        "service_name": request.service.title,
        "service_code": request.service.slug,
        "description": description if isinstance(description, str) else None,
        "agency_responsible": request.service.department.name,
        "requested_datetime": w3c(request.created_at),
        "updated_datetime": w3c(request.updated_at),
        "expected_datetime": w3c(request.due_at),
        "address": location["address"],
        "zipcode": location["zipcode"],
        "lat": location["lat"],
        "long": location["long"],
        "media_url": media[0] if isinstance(media, list) and media else None,
    }


def _location_of(mapping: ServiceMapping, answers: dict[str, Any]) -> dict[str, Any]:
    question = mapping.role_question("location")
    answer = answers.get(question.id) if question else None
    answer = answer if isinstance(answer, dict) else {}
    description, postcode = answer.get("description") or "", answer.get("postcode") or ""
    address = description if postcode in description else ", ".join(part for part in (description, postcode) if part)

    def number(value: Any) -> float | None:
        try:
            return float(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            return None

    return {
        "address": address or None,
        "zipcode": postcode or None,
        "lat": number(answer.get("latitude")),
        "long": number(answer.get("longitude")),
    }


def token_item(request: ServiceRequest) -> dict[str, Any]:
    """A token's answer: the request it became (every Open311 request's token is its reference)."""
    return {"service_request_id": request.display_reference, "token": request.display_reference}


# --- updates ------------------------------------------------------------------------------


def public_updates(window: tuple[datetime, datetime]) -> list[RequestEvent]:
    """Status changes and notes for the citizen on Open311 requests in the window, oldest first (≤ 1000)."""
    public = Q(kind=RequestEvent.Kind.STATUS) | Q(kind=RequestEvent.Kind.NOTE, has_public_note=True)
    return list(
        RequestEvent.objects.filter(public, request__channel=Channel.OPEN311, created_at__range=window)
        .select_related("request")
        .order_by("created_at", "pk")[:MAX_RESULTS]
    )


def update_item(event: RequestEvent) -> dict[str, Any]:
    """One entry of the servicerequestupdates feed (FixMyStreet's extension)."""
    return {
        "update_id": str(event.pk),
        "service_request_id": event.request.display_reference,
        "status": UPDATE_STATUSES.get(event.to_status or event.request.status, "open"),
        "updated_datetime": w3c(event.created_at),
        "description": event.public_note,
        "media_url": None,
    }
