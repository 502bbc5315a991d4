"""JSON Schema (draft 2020-12) of the answers object of a submission to one form definition.

Answers are keyed by question id; a repeating step is one key (the step id) holding a list of
objects keyed by that step's question ids. The shapes are those the web journey and the API
store: text, email, phone, date and single choices are strings; whole numbers are JSON
integers and other numbers JSON numbers (never strings); checkboxes are lists of option
values; name, address, location and file answers are objects; a declaration is `true`.

Conditions become `if`/`then`/`else`: when a question is shown its required answer must be
there, and when it is hidden its answer must be absent. Date rules relative to today cannot
be written in JSON Schema, so they are given in `x-rules` and the description instead.

Exit pages end a journey without a request, so answers that lead to one are invalid: each
exit page adds `{"not": <its condition>}` to `allOf`. So that a client can tell the citizen
why and what to do instead, `x-exit-pages` lists them in order, each with its `id`, `title`,
`description` (the page's text, paragraphs separated by a blank line) and `condition` (a
schema the answers match exactly when the journey ends on that page).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .definition import Condition, ConditionRule, FormDefinition, Question, Step

DIALECT = "https://json-schema.org/draft/2020-12/schema"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
# 0 or +44 / 0044 (optionally with "(0)"), then 9 or 10 digits not starting with 0, spaced or hyphenated.
UK_PHONE_PATTERN = r"^(?:0|(?:\+44|0044) ?(?:\(0\) ?)?)[1-9](?:[ -]?\d){8,9}$"
UK_POSTCODE_PATTERN = r"^(?:[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}|[Gg][Ii][Rr] ?0[Aa]{2})$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
UPRN_PATTERN = r"^\d{1,12}$"
MEGABYTE = 1024 * 1024
MIME_TYPES = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "txt": "text/plain",
}
OBJECT_PARTS = {
    "name": ("first_name", "last_name"),
    "address": ("line1", "line2", "town", "postcode", "uprn"),
    "location": ("description", "postcode", "latitude", "longitude"),
    "file": ("name", "size", "content_type"),
}
NOT_EMPTY: dict[str, Any] = {"not": {"enum": [None, "", [], False, {}]}}

Schema = dict[str, Any]


def json_schema(definition: FormDefinition, *, schema_id: str | None = None, version: Any = None) -> Schema:
    """The JSON Schema a submission's answers to `definition` must satisfy."""
    schema: Schema = {"$schema": DIALECT}
    if schema_id:
        schema["$id"] = schema_id
    schema["title"] = definition.title
    if version is not None:
        schema["x-form-version"] = version
    if definition.declaration:
        schema["x-declaration"] = definition.declaration
    properties: dict[str, Schema] = {}
    required: list[str] = []
    conditional: list[Schema] = []
    exits: list[Schema] = []
    for step in definition.steps:
        step_condition = condition_schema(step.condition, definition)
        if step.is_exit:
            exits.append(_exit_page(step, step_condition))
            conditional.append({"not": step_condition or {}, "description": f"Leads to the exit page '{step.id}'."})
            continue
        if step.repeat:
            properties[step.id] = _repeat_schema(step)
            needed = [step.id] if step.repeat.min_items > 0 else []
            if step_condition is None:
                required += needed
            else:
                conditional.append(_shown_when(step_condition, needed, [step.id]))
            for question in step.questions:
                question_condition = condition_schema(question.condition, definition)
                if question_condition is not None:
                    shown = _shown_when(question_condition, [question.id] if question.required else [], [question.id])
                    conditional.append(_in_items(step.id, shown))
            continue
        always = [question for question in step.questions if not question.condition.rules]
        for question in step.questions:
            properties[question.id] = question_schema(question)
            question_condition = condition_schema(question.condition, definition)
            if question_condition is not None:
                both = _all_of([part for part in (step_condition, question_condition) if part])
                conditional.append(_shown_when(both, [question.id] if question.required else [], [question.id]))
        needed = [question.id for question in always if question.required]
        if step_condition is None:
            required += needed
        elif always:
            conditional.append(_shown_when(step_condition, needed, [question.id for question in always]))
    schema.update(type="object", properties=properties, required=required, additionalProperties=False)
    if conditional:
        schema["allOf"] = conditional
    if exits:
        schema["x-exit-pages"] = exits
    return schema


def _exit_page(step: Step, condition: Schema | None) -> Schema:
    """An exit page as `x-exit-pages` lists it: answers matching `condition` end the journey on it."""
    return {"id": step.id, "title": step.title, "description": step.intro, "condition": condition or {}}


# --- answers ------------------------------------------------------------------------------


def question_schema(question: Question) -> Schema:
    """The schema of one question's answer, titled with its label and described by its hint."""
    schema = VALUE_SCHEMAS[question.type](question)
    extra = schema.pop("description", "")
    description = " ".join(part for part in (question.hint, extra) if part)
    return {"title": question.label, "description": description, **schema}


def _text(question: Question) -> Schema:
    schema: Schema = {"type": "string", "minLength": 1}
    if question.rules.get("max_length"):
        schema["maxLength"] = int(question.rules["max_length"])
    return schema


def _email(question: Question) -> Schema:
    return {"type": "string", "format": "email", "pattern": EMAIL_PATTERN, "maxLength": 254}


def _phone(question: Question) -> Schema:
    return {"type": "string", "pattern": UK_PHONE_PATTERN}


def _number(question: Question) -> Schema:
    rules = question.rules
    schema: Schema = {"type": "integer" if rules.get("whole_number", True) else "number"}
    for rule, keyword in (("min_value", "minimum"), ("max_value", "maximum")):
        limit = json_number(rules.get(rule))
        if limit is not None:
            schema[keyword] = limit
    if rules.get("suffix"):
        schema["x-unit"] = rules["suffix"]
    return schema


def _date(question: Question) -> Schema:
    rules = {key: question.rules[key] for key in ("direction", "earliest", "latest") if question.rules.get(key)}
    schema: Schema = {"type": "string", "format": "date", "pattern": DATE_PATTERN}
    if rules:
        schema["x-rules"] = rules
        schema["description"] = date_rules_text(rules)
    return schema


def date_rules_text(rules: dict[str, str]) -> str:
    """The date rules in words, e.g. 'Today or in the past. On or after 1 January 2024.'"""
    sentences = {"past": "Today or in the past.", "future": "Today or in the future."}
    parts = [sentences[rules["direction"]]] if rules.get("direction") in sentences else []
    for key, words in (("earliest", "On or after"), ("latest", "On or before")):
        if rules.get(key):
            day = date.fromisoformat(rules[key])
            parts.append(f"{words} {day.day} {day:%B %Y}.")
    return " ".join(parts)


def _single_choice(question: Question) -> Schema:
    labels = {option.value: option.label for option in question.options}
    return {"type": "string", "enum": list(labels), "x-option-labels": labels}


def _checkboxes(question: Question) -> Schema:
    item = _single_choice(question)
    schema: Schema = {
        "type": "array",
        "items": {"type": "string", "enum": item["enum"]},
        "uniqueItems": True,
        "minItems": int(question.rules.get("min_selections") or 1),
        "x-option-labels": item["x-option-labels"],
    }
    if question.rules.get("max_selections"):
        schema["maxItems"] = int(question.rules["max_selections"])
    return schema


def _yes_no(question: Question) -> Schema:
    return {"type": "string", "enum": ["yes", "no"]}


def _object(properties: dict[str, Schema], required: list[str], **extra: Any) -> Schema:
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False, **extra}


def _name(question: Question) -> Schema:
    part = {"type": "string", "minLength": 1, "maxLength": 100}
    return _object(
        {"first_name": {"title": "First name", **part}, "last_name": {"title": "Last name", **part}},
        ["first_name", "last_name"],
    )


def _postcode() -> Schema:
    return {"title": "Postcode", "type": "string", "pattern": UK_POSTCODE_PATTERN}


def _address(question: Question) -> Schema:
    line = {"type": "string", "maxLength": 200}
    return _object(
        {
            "line1": {"title": "Address line 1", "minLength": 1, **line},
            "line2": {"title": "Address line 2", **line},
            "town": {"title": "Town or city", "minLength": 1, **line},
            "postcode": _postcode(),
            "uprn": {"title": "Unique property reference number (UPRN)", "type": "string", "pattern": UPRN_PATTERN},
        },
        ["line1", "town", "postcode"],
    )


def _location(question: Question) -> Schema:
    return _object(
        {
            "description": {"title": "Description of the location", "type": "string", "minLength": 1, "maxLength": 500},
            "postcode": _postcode(),
            "latitude": {"title": "Latitude", "type": "number", "minimum": 49, "maximum": 61},
            "longitude": {"title": "Longitude", "type": "number", "minimum": -9, "maximum": 2.5},
        },
        [],
        anyOf=[{"required": ["latitude", "longitude"]}, {"required": ["description"]}],
        dependentRequired={"latitude": ["longitude"], "longitude": ["latitude"]},
    )


def _file(question: Question) -> Schema:
    types = question.rules.get("allowed_types") or list(MIME_TYPES)
    size: Schema = {"title": "Size in bytes", "type": "integer", "minimum": 1}
    if question.rules.get("max_size_mb"):
        size["maximum"] = int(question.rules["max_size_mb"]) * MEGABYTE
    return _object(
        {
            "name": {"title": "File name", "type": "string", "minLength": 1, "maxLength": 255},
            "size": size,
            "content_type": {"title": "Type", "type": "string", "enum": [MIME_TYPES[kind] for kind in types]},
        },
        ["name", "size", "content_type"],
    )


def _declaration(question: Question) -> Schema:
    return {"const": True, "description": question.rules.get("statement", "")}


VALUE_SCHEMAS: dict[str, Callable[[Question], Schema]] = {
    "short_text": _text,
    "long_text": _text,
    "email": _email,
    "phone": _phone,
    "number": _number,
    "date": _date,
    "radios": _single_choice,
    "select": _single_choice,
    "checkboxes": _checkboxes,
    "yes_no": _yes_no,
    "name": _name,
    "address": _address,
    "location": _location,
    "file": _file,
    "declaration": _declaration,
}


def _repeat_schema(step: Step) -> Schema:
    assert step.repeat is not None
    item = _object(
        {question.id: question_schema(question) for question in step.questions},
        [question.id for question in step.questions if question.required and not question.condition.rules],
        title=step.repeat.item_label.capitalize(),
    )
    return {
        "title": step.title,
        "description": step.intro,
        "type": "array",
        "items": item,
        "minItems": step.repeat.min_items,
        "maxItems": step.repeat.max_items,
    }


# --- conditions ---------------------------------------------------------------------------


def json_number(value: Any) -> int | float | None:
    """A rule's number as a JSON number (an int when whole), or None when it is not a number."""
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def condition_schema(condition: Condition, definition: FormDefinition) -> Schema | None:
    """A schema the answers match exactly when the condition holds; None for no condition (always)."""
    if not condition.rules:
        return None
    tests = [rule_schema(rule, definition) for rule in condition.rules]
    if len(tests) == 1:
        return tests[0]
    return {"allOf": tests} if condition.match == "all" else {"anyOf": tests}


def rule_schema(rule: ConditionRule, definition: FormDefinition) -> Schema:
    """One rule as a schema on the answers object, following `definition.rule_holds`."""
    question = definition.question(rule.question_id)
    question_type = question.type if question else "short_text"
    if rule.operator == "not_equals":
        return {"not": rule_schema(ConditionRule(rule.question_id, "equals", rule.value), definition)}
    if rule.operator == "is_answered":
        test = _answered(question_type)
    elif rule.operator in ("equals", "any_of"):
        texts = [rule.value] if rule.operator == "equals" else [item.strip() for item in rule.value.split(",")]
        test = _one_of_values(question_type, texts)
    elif rule.operator in ("greater_than", "less_than"):
        keyword = "exclusiveMinimum" if rule.operator == "greater_than" else "exclusiveMaximum"
        test = {"type": "number", keyword: json_number(rule.value)}
    else:
        return {"not": {}}  # an unknown test never holds
    return {"required": [rule.question_id], "properties": {rule.question_id: test}}


def _one_of_values(question_type: str, texts: list[str]) -> Schema:
    if question_type == "checkboxes":
        return {"contains": {"enum": texts}}
    if question_type == "number":
        numbers = [json_number(text) for text in texts]
        return {"enum": [number for number in numbers if number is not None]}
    return {"enum": texts}


def _answered(question_type: str) -> Schema:
    parts = OBJECT_PARTS.get(question_type)
    if not parts:
        return NOT_EMPTY
    return {"anyOf": [{"required": [part], "properties": {part: NOT_EMPTY}} for part in parts]}


def _all_of(schemas: list[Schema]) -> Schema:
    return schemas[0] if len(schemas) == 1 else {"allOf": schemas}


def _shown_when(condition: Schema, required: list[str], names: list[str]) -> Schema:
    """If the condition holds the required answers must be there; otherwise none of `names` may be."""
    rule: Schema = {"if": condition}
    if required:
        rule["then"] = {"required": required}
    rule["else"] = {"properties": dict.fromkeys(names, False)}
    return rule


def _in_items(step_id: str, schema: Schema) -> Schema:
    """Apply an if/then/else on each item of a repeating step, keeping its `if` on the whole answers."""
    wrap = lambda part: {"properties": {step_id: {"items": part}}}  # noqa: E731
    return {key: (value if key == "if" else wrap(value)) for key, value in schema.items()}
