"""A posted Open311 service request, as the portal's JSON answers, and the request it stores.

The Open311 fields and attributes become answers keyed by question id, in the shapes the
form's JSON Schema publishes (`mapping` says which field answers which question); the form
engine then checks them exactly as the web journey would (`forms_catalogue.answers`). Only
Open311's own rules are checked here: coordinates, one location when the form always asks
for one, one value for a single-value attribute, and media links. `media_url` links are kept,
unfetched, in the answers under `media_url`.
"""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext

from backoffice.intake import submit
from backoffice.models import Channel, ServiceRequest
from forms_catalogue.answers import AnswersInvalid, JourneyEnded, check_answers
from forms_catalogue.fields import normalise_postcode
from portal.language import DEFAULT_LANGUAGE

from .errors import Open311Error, field_error
from .mapping import DECLARATION_KEY, MEDIA_URL_ANSWER, Attribute, ServiceMapping, is_shown
from .params import parse_coordinate

ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]+)\](?:\[\])?$")
MAX_MEDIA_URLS = 20
MAX_URL_LENGTH = 2000
TRUE_WORDS = {"true", "yes", "1", "on"}


def posted_attributes(data) -> dict[str, list[str]]:
    """`attribute[code]` and `attribute[code][]` values by code, blanks dropped."""
    found: dict[str, list[str]] = {}
    for key in data:
        match = ATTRIBUTE_KEY.match(key)
        if match:
            values = [value for value in data.getlist(key) if value.strip()]
            if values:
                found.setdefault(match.group(1), []).extend(values)
    return found


def answers_from_post(mapping: ServiceMapping, data) -> dict[str, Any]:
    """The answers an Open311 POST gives to the form's questions (before the form engine checks them)."""
    answers: dict[str, Any] = {}
    errors: list[str] = []
    attributes = posted_attributes(data)
    for attribute in mapping.attributes:
        values = attributes.get(attribute.code)
        if values:
            try:
                _set_attribute(answers, attribute, values)
            except Open311Error as error:
                errors += [item.description for item in error.errors]
    answers.update(_role_answers(mapping, data, answers, errors))
    if errors:
        raise Open311Error.bad_input(*errors)
    media = media_urls(data)
    if media:
        answers[MEDIA_URL_ANSWER] = media
    return answers


def _set_attribute(answers: dict[str, Any], attribute: Attribute, values: list[str]) -> None:
    question = attribute.question
    if attribute.datatype == "multivaluelist":
        answers[question.id] = [value.strip() for value in values]
        return
    if len(values) > 1:
        raise Open311Error.bad_input(field_error(f"attribute[{attribute.code}]", gettext("Send one value.")))
    value = values[0].strip()
    if attribute.part:
        answers.setdefault(question.id, {})[attribute.part] = value
    elif question.type == "number":
        answers[question.id] = json_number_or_text(value)
    elif question.type == "date":
        answers[question.id] = value.split("T", 1)[0] if re.match(r"^\d{4}-\d{2}-\d{2}T", value) else value
    elif question.type == "declaration":
        answers[question.id] = True if value.lower() in TRUE_WORDS or value == DECLARATION_KEY else value
    elif question.type == "location":
        answers[question.id] = {"description": value}
    else:
        answers[question.id] = value


def json_number_or_text(value: str) -> int | float | str:
    """'3' → 3, '2.5' → 2.5; anything else stays text, for the form engine to refuse in its own words."""
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    if not number.is_finite():
        return value
    return int(number) if number == number.to_integral_value() else float(number)


def _role_answers(mapping: ServiceMapping, data, attribute_answers: dict[str, Any], errors: list[str]) -> dict:
    """Answers from Open311's own fields, keeping only those whose question the journey would ask."""
    given = {name: (data.get(name) or "").strip() for name in ("email", "phone", "description")}
    values: dict[str, Any] = {role: text for role, text in given.items() if text}
    first_name, last_name = (data.get("first_name") or "").strip(), (data.get("last_name") or "").strip()
    if first_name or last_name:
        values["name"] = {"first_name": first_name, "last_name": last_name}
    try:
        location = location_answer(data)
    except Open311Error as error:
        errors += [item.description for item in error.errors]
        location = None
    if location:
        values["location"] = location
    elif mapping.location_required and not errors:
        errors.append(field_error("lat", gettext("Send a location: lat and long, address_string or address_id.")))
    answers: dict[str, Any] = {}
    context = dict(attribute_answers)
    for role in ("location", "name", "email", "phone", "description"):
        found = mapping.roles.get(role)
        if found and role in values:
            context[found[1].id] = values[role]
    for role, (step, question) in mapping.roles.items():
        if role in values and is_shown(step, question, context):
            answers[question.id] = values[role]
    return answers


def location_answer(data) -> dict[str, Any] | None:
    """A location answer from lat/long, address_string and address_id, or None when none was sent."""
    lat, long = (data.get("lat") or "").strip(), (data.get("long") or "").strip()
    if bool(lat) != bool(long):
        raise Open311Error.bad_input(field_error("long" if lat else "lat", gettext("Send both lat and long.")))
    answer: dict[str, Any] = {}
    if lat:
        answer["latitude"] = parse_coordinate("lat", lat, 90)
        answer["longitude"] = parse_coordinate("long", long, 180)
    address = (data.get("address_string") or "").strip()
    address_id = (data.get("address_id") or "").strip()
    if address:
        answer["description"] = address
        postcode = normalise_postcode(address.rsplit(",", 1)[-1])
        if postcode:
            answer["postcode"] = postcode
    elif address_id:
        answer["description"] = gettext("Address reference %(id)s") % {"id": address_id}
    return answer or None


def media_urls(data) -> list[str]:
    """The `media_url` links (repeatable), each an http(s) URL; they are kept, never fetched."""
    urls = [url.strip() for url in data.getlist("media_url") if url.strip()]
    if len(urls) > MAX_MEDIA_URLS:
        raise Open311Error.bad_input(
            field_error("media_url", gettext("Send at most %(count)s links.") % {"count": MAX_MEDIA_URLS})
        )
    validate = URLValidator(schemes=["http", "https"])
    for url in urls:
        try:
            if len(url) > MAX_URL_LENGTH:
                raise ValidationError("too long")
            validate(url)
        except ValidationError:
            raise Open311Error.bad_input(
                field_error("media_url", gettext("Send a link starting http:// or https://."))
            ) from None
    return urls


def store_request(
    form, mapping: ServiceMapping, answers: dict[str, Any], *, language: str = DEFAULT_LANGUAGE
) -> ServiceRequest:
    """Check the answers with the form engine and store the request, in `language`, through the one intake.

    Raises Open311Error (400) naming each Open311 field or attribute at fault, or the exit
    page's text when the answers end the journey.
    """
    media = answers.pop(MEDIA_URL_ANSWER, None)
    try:
        checked = check_answers(form.version.definition(), answers)
    except AnswersInvalid as invalid:
        raise Open311Error.bad_input(
            *(
                field_error(mapping.field_for(problem.question_id, problem.part), problem.message)
                for problem in invalid.problems
            )
        ) from None
    except JourneyEnded as ended:
        raise Open311Error.bad_input("\n\n".join([ended.step.title, *ended.step.paragraphs()])) from None
    stored = dict(checked.answers)
    if media:
        stored[MEDIA_URL_ANSWER] = media
    with transaction.atomic():
        request, _created = submit(
            service=form.service,
            answers=stored,
            form_version=form.version,
            files=checked.files,
            channel=Channel.OPEN311,
            contact_email=checked.contact_email,
            language=language,
        )
    return request
