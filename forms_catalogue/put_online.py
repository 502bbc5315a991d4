"""Put a service online: a draft e-form under a service page, made from a form pattern.

A pattern (`forms_catalogue/patterns/<id>.json` and the council's own, see `patterns.py`) is a
complete journey in the exchange format whose texts use placeholders: {service},
{service_lower}, {department}, {department_phone}, {department_email} and {council}.
`create_form_from_pattern` fills them from the service, appends the questions its category
always needs (`CATEGORY_QUESTIONS`) to the pattern's main step, and imports the result as a
draft e-form under the service (never published: an editor reviews and publishes it). Requests
then reach the service's department's queue through the usual routing.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from home.models import ServicePage

from .exchange import ImportProblem, ParsedDocument, import_document, parse_document
from .models import EFormPage
from .patterns import Pattern, available_patterns, find_pattern

PATTERN_ORDER = ("report", "apply", "request", "book", "change", "feedback", "information", "concern", "notify")
MAIN_STEP = "details"

# The questions a service of a category always needs, appended to the pattern's main step.
# Keyed by the category page's slug; a question whose id the pattern already uses is left out.
CATEGORY_QUESTIONS: dict[str, list[dict[str, Any]]] = {
    "parking-and-transport": [
        {
            "id": "vehicle_registration",
            "type": "short_text",
            "label": "What is the vehicle's registration number?",
            "hint": "For example, AB12 CDE",
            "rules": {"max_length": 10},
        },
        {
            "id": "vehicle_make",
            "type": "short_text",
            "label": "What is the make and model of the vehicle?",
            "hint": "For example, Ford Fiesta",
            "required": False,
            "rules": {"max_length": 60},
        },
    ],
    "roads-and-pavements": [
        {
            "id": "road_position",
            "type": "radios",
            "label": "Where on the road is it?",
            "options": [
                {"value": "carriageway", "label": "On the road"},
                {"value": "pavement", "label": "On the pavement"},
                {"value": "cycle_lane", "label": "In a cycle lane"},
                {"value": "verge", "label": "On the verge"},
            ],
        },
    ],
    "bins-and-recycling": [
        {
            "id": "bin_type",
            "type": "radios",
            "label": "Which bin is it about?",
            "options": [
                {"value": "general", "label": "General waste (black bin)"},
                {"value": "recycling", "label": "Recycling (blue bin)"},
                {"value": "garden", "label": "Garden waste (brown bin)"},
                {"value": "food", "label": "Food waste caddy"},
            ],
        },
    ],
}


class PutOnlineError(Exception):
    """The service cannot be put online this way; the message says why, in plain English."""


def ordered_patterns() -> list[Pattern]:
    """The available patterns as editors choose from them: the shipped nine in their order, then the others by name."""
    rank = {pattern_id: index for index, pattern_id in enumerate(PATTERN_ORDER)}
    return sorted(available_patterns(), key=lambda pattern: (rank.get(pattern.id, len(rank)), pattern.name.lower()))


# --- tailoring ----------------------------------------------------------------------------


def lower_first(title: str) -> str:
    """The title as it reads mid-sentence: 'Apply for a Blue Badge' -> 'apply for a Blue Badge' ('CCTV' stays)."""
    if len(title) > 1 and title[1].isupper():
        return title
    return title[:1].lower() + title[1:]


def placeholder_values(service: ServicePage) -> dict[str, str]:
    """What each placeholder stands for, for this service (its own phone and email before its department's)."""
    return {
        "service": service.title,
        "service_lower": lower_first(service.title),
        "department": service.department.name,
        "department_phone": service.contact_phone,
        "department_email": service.contact_email,
        "council": settings.COUNCIL_NAME,
    }


def fill_placeholders(value: Any, values: dict[str, str]) -> Any:
    """A copy of `value` with every {placeholder} in its strings replaced (other braces are left alone)."""
    if isinstance(value, str):
        for name, text in values.items():
            value = value.replace("{" + name + "}", text)
        return value
    if isinstance(value, list):
        return [fill_placeholders(item, values) for item in value]
    if isinstance(value, dict):
        return {key: fill_placeholders(item, values) for key, item in value.items()}
    return value


def category_slug(service: ServicePage) -> str:
    parent = service.get_parent()
    return parent.slug if parent else ""


def with_category_questions(form: dict[str, Any], slug: str) -> dict[str, Any]:
    """A copy of the form with its category's extra questions at the end of the main step (or the first step)."""
    extra = CATEGORY_QUESTIONS.get(slug, [])
    form = copy.deepcopy(form)
    steps = [step for step in form["steps"] if step.get("kind", "questions") == "questions"]
    if not extra or not steps:
        return form
    used = {question["id"] for step in form["steps"] for question in step.get("questions", ())}
    main = next((step for step in steps if step["id"] == MAIN_STEP), steps[0])
    main["questions"] += [copy.deepcopy(question) for question in extra if question["id"] not in used]
    return form


def tailored_form(service: ServicePage, pattern: Pattern) -> dict[str, Any]:
    """The pattern's form for this service: its category's questions added, placeholders filled, titled after it."""
    form = with_category_questions(pattern.document.form, category_slug(service))
    form = fill_placeholders(form, placeholder_values(service))
    form["title"] = service.title
    return form


# --- creating the draft -------------------------------------------------------------------


def refusal(service: ServicePage) -> str:
    """Why this service cannot be put online from a pattern, or '' when it can."""
    if service.information_only:
        return _("“%(title)s” only gives information, so it has no form. Untick “information only” first.") % {
            "title": service.title
        }
    if EFormPage.objects.child_of(service).exists():
        return _("“%(title)s” already has an e-form. Edit that e-form instead.") % {"title": service.title}
    return ""


@transaction.atomic
def create_form_from_pattern(service_page: ServicePage, pattern_id: str, user) -> EFormPage:
    """Create a draft e-form under the service from a pattern, tailored to it; never published.

    Raises PutOnlineError (with a message for the editor) when the service is information only,
    already has an e-form, the pattern does not exist, or the tailored form does not validate.
    """
    service = service_page.specific
    problem = refusal(service)
    if problem:
        raise PutOnlineError(problem)
    pattern = find_pattern(pattern_id)
    if pattern is None:
        message = _("There is no form pattern called “%(id)s”. Choose one from the list.")
        raise PutOnlineError(message % {"id": pattern_id})
    summary = {"id": pattern.id, "name": pattern.name, "description": pattern.description}
    document = ParsedDocument(form=tailored_form(service, pattern), pattern=summary).document()
    try:
        return import_document(parse_document(json.dumps(document)), service, user)
    except ImportProblem as problem:
        raise PutOnlineError(
            _("The pattern “%(id)s” has a problem, so no e-form was created: %(problem)s")
            % {"id": pattern_id, "problem": problem}
        ) from None
