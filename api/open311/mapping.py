"""From a form definition to an Open311 service definition, and back from Open311 fields to questions.

Open311's own fields answer the questions that mean the same thing, so they are not attributes:

- `lat`/`long`, `address_string`, `address_id` → the form's first location question;
- `email` → the first email question (its step is the requester's contact step);
- `first_name`/`last_name` → the name question on that contact step (else the form's first one);
- `phone` → the phone question on that contact step (else the form's first one);
- `description` → the first long-text question asked in every journey, preferring a required one.

Every other question is an attribute whose code is the question id, with the spec's datatypes:
short text, email and phone → string; long text → text; number → number; date → datetime;
radios, select, yes/no and a declaration → singlevaluelist; checkboxes → multivaluelist. A
question of several parts is one string attribute per part, coded `<id>_<part>`: a name
(`_first_name`, `_last_name`) and an address (`_line1`, `_line2`, `_town`, `_postcode`). A
second location question is a text attribute holding the place's description. An optional
file question is not an attribute: `media_url` links travel with the request instead.

A question is required only when the form always asks it; a conditional question is not
required, and its datatype_description says when it applies. A form cannot be offered when
one of its steps repeats (attributes are single values, not lists of items) or when it needs
a file (Open311 sends media as links, which the portal does not fetch).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext

from forms_catalogue.answers import condition_text
from forms_catalogue.definition import CHOICE_TYPES, FormDefinition, Question, Step
from forms_catalogue.schema import date_rules_text, json_number

MEDIA_URL_ANSWER = "media_url"
ROLES = ("location", "email", "name", "phone", "description")
PART_LABELS = {
    "name": (("first_name", "First name"), ("last_name", "Last name")),
    "address": (
        ("line1", "Address line 1"),
        ("line2", "Address line 2"),
        ("town", "Town or city"),
        ("postcode", "Postcode"),
    ),
}
REQUIRED_PARTS = {"first_name", "last_name", "line1", "town", "postcode"}
DATATYPES = {
    "short_text": "string",
    "email": "string",
    "phone": "string",
    "long_text": "text",
    "location": "text",
    "number": "number",
    "date": "datetime",
    "radios": "singlevaluelist",
    "select": "singlevaluelist",
    "yes_no": "singlevaluelist",
    "declaration": "singlevaluelist",
    "checkboxes": "multivaluelist",
    "name": "string",
    "address": "string",
}
DECLARATION_KEY = "true"
# Where each part of a role question's answer comes from, for naming it in an error.
ROLE_FIELDS = {
    "email": {"": "email"},
    "phone": {"": "phone"},
    "description": {"": "description"},
    "name": {"": "first_name", "first_name": "first_name", "last_name": "last_name"},
    "location": {
        "": "lat",
        "latitude": "lat",
        "longitude": "long",
        "description": "address_string",
        "postcode": "address_string",
    },
}


@dataclass(frozen=True)
class Attribute:
    """One Open311 attribute: the question (and part) it answers and how a client should fill it."""

    code: str
    question: Question
    step: Step
    part: str
    datatype: str
    required: bool
    description: str
    datatype_description: str
    values: tuple[tuple[str, str], ...] = ()

    def document(self, order: int) -> dict[str, Any]:
        """The attribute as the service definition lists it."""
        item: dict[str, Any] = {
            "variable": True,
            "code": self.code,
            "datatype": self.datatype,
            "required": self.required,
            "datatype_description": self.datatype_description,
            "order": order,
            "description": self.description,
        }
        if self.values:
            item["values"] = [{"key": key, "name": name} for key, name in self.values]
        return item


@dataclass(frozen=True)
class ServiceMapping:
    """How one form definition is offered through Open311 (or why it cannot be)."""

    definition: FormDefinition
    roles: dict[str, tuple[Step, Question]] = field(default_factory=dict)
    attributes: tuple[Attribute, ...] = ()
    excluded_because: str = ""

    @property
    def offered(self) -> bool:
        return not self.excluded_because

    def role_question(self, role: str) -> Question | None:
        found = self.roles.get(role)
        return found[1] if found else None

    def role_of(self, question_id: str) -> str:
        """The Open311 field a question is answered by ("email", "location", …), or ""."""
        return next((role for role, (_step, question) in self.roles.items() if question.id == question_id), "")

    @property
    def location_required(self) -> bool:
        """True when every request needs a location: the form always asks its required location question."""
        found = self.roles.get("location")
        return bool(found and found[1].required and always_asked(*found))

    def field_for(self, question_id: str, part: str = "") -> str:
        """The Open311 field or `attribute[code]` a client sets to answer this question (or part)."""
        if not question_id:
            return "attribute"
        role = self.role_of(question_id)
        if role:
            fields = ROLE_FIELDS[role]
            return fields.get(part, fields[""])
        codes = [attribute.code for attribute in self.attributes if attribute.question.id == question_id]
        exact = [attribute.code for attribute in self.attributes if attribute.code == f"{question_id}_{part}"]
        code = (exact or codes or [question_id])[0]
        return f"attribute[{code}]"


def always_asked(step: Step, question: Question) -> bool:
    """True when every journey shows the question: neither it nor its step has a condition."""
    return not step.condition.rules and not question.condition.rules and not step.repeat


def is_shown(step: Step, question: Question, answers: dict[str, Any]) -> bool:
    """True when the step's and the question's conditions hold for these answers."""
    return step.condition.holds(answers) and question.condition.holds(answers)


def version_mapping(version) -> ServiceMapping:
    """The mapping of a FormVersion's frozen definition."""
    return snapshot_mapping(version.snapshot)


def request_mapping(service_request) -> ServiceMapping:
    """The mapping of the definition a request was made against (its frozen snapshot)."""
    return snapshot_mapping(service_request.form_snapshot)


def snapshot_mapping(snapshot: dict[str, Any]) -> ServiceMapping:
    """The mapping of a frozen definition, computed once per process for each distinct snapshot."""
    return _mapping_of(json.dumps(snapshot, sort_keys=True, cls=DjangoJSONEncoder))


@lru_cache(maxsize=512)
def _mapping_of(snapshot_json: str) -> ServiceMapping:
    return service_mapping(FormDefinition.from_json(json.loads(snapshot_json)))


def service_mapping(definition: FormDefinition) -> ServiceMapping:
    """Map a definition's questions to Open311 fields and attributes, or say why it cannot be offered."""
    reason = exclusion_reason(definition)
    if reason:
        return ServiceMapping(definition=definition, excluded_because=reason)
    roles = role_questions(definition)
    role_ids = {question.id for _step, question in roles.values()}
    attributes: list[Attribute] = []
    for step, question in definition.questions():
        if question.id in role_ids or question.type == "file":
            continue
        attributes += question_attributes(definition, step, question)
    codes = [attribute.code for attribute in attributes]
    clash = next((code for code in codes if codes.count(code) > 1), None)
    if clash:
        reason = gettext("Two of its questions would have the attribute code “%(code)s”.") % {"code": clash}
        return ServiceMapping(definition=definition, excluded_because=reason)
    return ServiceMapping(definition=definition, roles=roles, attributes=tuple(attributes))


def exclusion_reason(definition: FormDefinition) -> str:
    """Why the form cannot be answered through Open311, or "" when it can."""
    for step in definition.steps:
        if step.repeat:
            return gettext(
                "Its step “%(step)s” repeats (“add another”), and Open311 attributes hold single values, not lists."
            ) % {"step": step.title}
    for _step, question in definition.questions():
        if question.type == "file" and question.required:
            return gettext(
                "Its question “%(question)s” needs a file, and Open311 sends media only as links, "
                "which the portal does not fetch."
            ) % {"question": question.label}
        if question.id == MEDIA_URL_ANSWER:
            return gettext("A question has the id “%(id)s”, which holds the links of Open311 media.") % {
                "id": MEDIA_URL_ANSWER
            }
    return ""


def role_questions(definition: FormDefinition) -> dict[str, tuple[Step, Question]]:
    """The questions Open311's own fields answer (see the module's docstring for the rules)."""
    questions = definition.questions()

    def first(kind: str, among=questions):
        return next(((step, question) for step, question in among if question.type == kind), None)

    roles: dict[str, tuple[Step, Question] | None] = {"location": first("location"), "email": first("email")}
    contact_step = roles["email"][0] if roles["email"] else None
    on_contact_step = [(step, question) for step, question in questions if step is contact_step]
    for kind in ("name", "phone"):
        roles[kind] = first(kind, on_contact_step) or first(kind)
    long_texts = [(step, question) for step, question in questions if question.type == "long_text"]
    always = [(step, question) for step, question in long_texts if always_asked(step, question)]
    roles["description"] = next(((step, question) for step, question in always if question.required), None) or next(
        iter(always), None
    )
    return {role: found for role, found in roles.items() if found}


def question_attributes(definition: FormDefinition, step: Step, question: Question) -> list[Attribute]:
    """The attribute(s) of one question: one per part for a name or an address."""
    always = always_asked(step, question)
    when = applies_when(definition, step, question)
    common = {"question": question, "step": step, "datatype": DATATYPES[question.type]}
    if question.type in PART_LABELS:
        return [
            Attribute(
                code=f"{question.id}_{part}",
                part=part,
                required=question.required and always and part in REQUIRED_PARTS,
                description=f"{question.label} – {gettext(label)}",
                datatype_description=_join(question.hint, when),
                **common,
            )
            for part, label in PART_LABELS[question.type]
        ]
    return [
        Attribute(
            code=question.id,
            part="",
            required=question.required and always,
            description=question.label,
            datatype_description=_join(question.hint, format_description(question), when),
            values=attribute_values(question),
            **common,
        )
    ]


def attribute_values(question: Question) -> tuple[tuple[str, str], ...]:
    """The key/name pairs of a list attribute (empty for other datatypes)."""
    if question.type in CHOICE_TYPES:
        return tuple((option.value, option.label) for option in question.options)
    if question.type == "yes_no":
        return (("yes", gettext("Yes")), ("no", gettext("No")))
    if question.type == "declaration":
        return ((DECLARATION_KEY, question.rules.get("statement") or question.label),)
    return ()


def format_description(question: Question) -> str:
    """What a valid value looks like, in words, for the question's type and rules."""
    rules = question.rules
    if question.type == "date":
        return _join(gettext("A date as YYYY-MM-DD (of a W3C datetime, the date is used)."), date_rules_text(rules))
    if question.type == "number":
        kind = gettext("A whole number") if rules.get("whole_number", True) else gettext("A number")
        low, high = json_number(rules.get("min_value")), json_number(rules.get("max_value"))
        limits = []
        if low is not None:
            limits.append(gettext("from %(number)s") % {"number": low})
        if high is not None:
            limits.append(gettext("to %(number)s") % {"number": high})
        unit = gettext(" (in %(unit)s)") % {"unit": rules["suffix"]} if rules.get("suffix") else ""
        return " ".join([kind, *limits]) + unit + "."
    if question.type == "checkboxes":
        text = gettext("Send each chosen key as attribute[%(code)s][].") % {"code": question.id}
        if rules.get("min_selections"):
            text += " " + gettext("Choose at least %(count)s.") % {"count": rules["min_selections"]}
        if rules.get("max_selections"):
            text += " " + gettext("Choose at most %(count)s.") % {"count": rules["max_selections"]}
        return text
    if question.type == "declaration":
        return gettext("Send “%(key)s” to confirm.") % {"key": DECLARATION_KEY}
    if question.type == "email":
        return gettext("An email address.")
    if question.type == "phone":
        return gettext("A UK phone number.")
    if question.type == "location":
        return gettext("A description of the place.")
    if rules.get("max_length"):
        return gettext("At most %(count)s characters.") % {"count": rules["max_length"]}
    return ""


def applies_when(definition: FormDefinition, step: Step, question: Question) -> str:
    """'Asked only when …' for a conditional question (its step's condition and its own), else ""."""
    parts = [
        condition_text(condition, definition) for condition in (step.condition, question.condition) if condition.rules
    ]
    parts = [part for part in parts if part]
    if not parts:
        return ""
    text = gettext("Asked only when %(condition)s.") % {"condition": gettext(", and ").join(parts)}
    if question.required:
        text += " " + gettext("Required when asked.")
    return text


def _join(*texts: str) -> str:
    return " ".join(text.strip() for text in texts if text and text.strip())
