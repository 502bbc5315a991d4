"""The form exchange format: one versioned JSON file holding an e-form, to export and to import.

    {"format": "council-portal/e-form", "format_version": 1,
     "pattern": {"id", "name", "description"} or null,
     "source": {"council", "service", "exported_at"} (optional),
     "form": {"title", "intro", "confirmation_text", "declaration", "allow_save" (optional), "steps": [...]}}

`export_document` writes one; `parse_document` reads one without trusting it: anything wrong
raises a single `ImportProblem` (a ValueError) whose message names the problem and where it is,
and nothing is built from a file with a problem. `import_document` turns a parsed document into
a draft EFormPage under a service page, in one transaction, or raises ImportProblem and creates
nothing. Form patterns (`patterns.py`) are files of the same format.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from wagtail.admin.rich_text.converters.editor_html import EditorHTMLConverter

from .definition import ID_PATTERN, OPERATORS, QUESTION_TYPES, FormDefinition
from .stream import question_data, stream_data_from_definition, stream_problems

FORMAT = "council-portal/e-form"
FORMAT_VERSION = 1
MAX_BYTES = 1_000_000
MAX_DEPTH = 20
STEP_KINDS = ("questions", "exit")
CONFIRMATION_FEATURES = ["bold", "link", "ul", "ol"]
FORM_KEYS = {"title", "intro", "confirmation_text", "declaration", "allow_save", "steps"}
STEP_KEYS = {"id", "kind", "title", "intro", "condition", "repeat", "questions"}
QUESTION_KEYS = {"id", "type", "label", "hint", "required", "options", "rules", "condition"}
REPEAT_KEYS = {"min_items": int, "max_items": int, "item_label": str, "item_label_plural": str}
HTML_TAG = re.compile(r"<[a-zA-Z/][^>]*>")
JSON_TYPE_NAMES = {
    dict: "an object",
    list: "a list",
    str: "text",
    bool: "true or false",
    int: "a number",
    float: "a number",
    type(None): "null",
}


class ImportProblem(ValueError):
    """Why a form file cannot be imported: the first problem as the message, every problem in `problems`."""

    def __init__(self, problems: str | list[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        message = self.problems[0]
        if len(self.problems) > 1:
            message += f" (and {len(self.problems) - 1} more problem{'s' if len(self.problems) > 2 else ''})"
        super().__init__(message)


@dataclass(frozen=True)
class ParsedDocument:
    """A form file that passed every check: its form as FormDefinition JSON plus the page texts."""

    form: dict[str, Any]
    pattern: dict[str, str] | None = None
    source: dict[str, str] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION

    @property
    def title(self) -> str:
        return self.form["title"]

    @property
    def pattern_id(self) -> str:
        return self.pattern["id"] if self.pattern else ""

    def document(self) -> dict[str, Any]:
        """The whole exchange document again."""
        return {
            "format": FORMAT,
            "format_version": self.format_version,
            "pattern": self.pattern,
            "source": self.source,
            "form": self.form,
        }


# --- export -------------------------------------------------------------------------------


def clean_rich_text(html: str) -> str:
    """Confirmation text as the e-form stores it: HTML kept to bold, links and lists; plain text becomes paragraphs.

    Anything else (scripts, styles, other elements, unsafe links) is dropped, so text from a
    file can never put markup on the public site that the editor could not.
    """
    if not HTML_TAG.search(html):
        html = "".join(f"<p>{escape(part.strip())}</p>" for part in re.split(r"\n\s*\n", html) if part.strip())
    return EditorHTMLConverter(features=CONFIRMATION_FEATURES).to_database_format(html)


def form_json(page, definition: FormDefinition | None = None) -> dict[str, Any]:
    """The `form` part of a document for an EFormPage: its definition, intro and confirmation text.

    `definition` (e.g. a frozen version's) stands in for the page's own. A form without "Save and
    come back later" says so with `"allow_save": false`.
    """
    definition = (definition or page.definition()).to_json()
    return {
        "title": definition.pop("title"),
        "intro": page.intro,
        "confirmation_text": clean_rich_text(page.confirmation_text or ""),
        "declaration": definition.pop("declaration"),
        **({} if page.save_and_return else {"allow_save": False}),
        **definition,
    }


def export_document(
    page_or_definition, *, intro: str = "", confirmation_text: str = "", pattern=None, version=None
) -> dict:
    """The exchange document of an EFormPage (its latest revision, published or not) or of a FormDefinition.

    With `version` (a FormVersion of the page) the document holds that frozen, published
    definition with the live page's texts instead: what citizens answer now. `pattern`
    ({"id", "name", "description"}) overrides the one the page records; for a page made from a
    pattern that is no longer available the pattern is named by its id alone.
    """
    from .models import EFormPage

    source = {"council": settings.COUNCIL_NAME, "exported_at": timezone.now().isoformat(timespec="seconds")}
    if isinstance(page_or_definition, EFormPage):
        if version is not None:
            page = page_or_definition
            form = form_json(page, version.definition())
        else:
            page = page_or_definition.get_latest_revision_as_object() if page_or_definition.pk else page_or_definition
            form = form_json(page)
        parent = page_or_definition.get_parent() if page_or_definition.pk else None
        source["service"] = parent.title if parent else ""
        pattern = pattern or _pattern_summary(page.pattern_id)
    else:
        definition = page_or_definition.to_json()
        form = {
            "title": definition.pop("title"),
            "intro": intro,
            "confirmation_text": confirmation_text,
            "declaration": definition.pop("declaration"),
            **definition,
        }
    form = json.loads(json.dumps(form))  # tuples as lists: exactly what a file holds
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "pattern": pattern, "source": source, "form": form}


def _pattern_summary(pattern_id: str) -> dict[str, str] | None:
    """The pattern a page was made from, as {"id", "name", "description"}; None when it records none."""
    if not pattern_id:
        return None
    from .patterns import find_pattern

    pattern = find_pattern(pattern_id)
    if pattern is None:
        return {"id": pattern_id, "name": pattern_id, "description": ""}
    return {"id": pattern.id, "name": pattern.name, "description": pattern.description}


def export_json(document: dict) -> str:
    """A document as the text of a file: indented, UTF-8 characters kept, a final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- parse --------------------------------------------------------------------------------


def parse_document(data: bytes | str) -> ParsedDocument:
    """Check a whole form file and return it parsed; raise ImportProblem naming the first problem.

    Checks, in order: size (MAX_BYTES), UTF-8, JSON, nesting depth (MAX_DEPTH), the envelope
    (format, format_version, pattern, source), the structure and value types of the form, then
    the form's own rules (FormDefinition.problems()) and the editor's block validation
    (stream_problems). Never raises anything but ImportProblem.
    """
    raw = data.encode("utf-8", errors="replace") if isinstance(data, str) else bytes(data)
    check_size(len(raw))
    document = _load_json(raw)
    _check_envelope(document)
    form = document["form"]
    problems = _form_structure_problems(form)
    if problems:
        raise ImportProblem(problems)
    problems = _definition_problems(form)
    if problems:
        raise ImportProblem(problems)
    return ParsedDocument(
        form=form,
        pattern=document.get("pattern"),
        source=document.get("source") or {},
        format_version=document["format_version"],
    )


def check_size(size: int) -> None:
    """Raise ImportProblem when a file of `size` bytes is larger than a form file may be (MAX_BYTES)."""
    if size > MAX_BYTES:
        raise ImportProblem(
            f"The file is too large ({size // 1000:,} KB): a form file can be at most {MAX_BYTES // 1_000_000} MB."
        )


def _load_json(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportProblem(
            f"The file is not UTF-8 text (byte {error.start + 1} cannot be read). Save it as UTF-8 JSON and try again."
        ) from None
    if not text.strip():
        raise ImportProblem("The file is empty.")
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise ImportProblem(
            f"The file is not valid JSON: {error.msg.lower()} at line {error.lineno}, column {error.colno}."
        ) from None
    except RecursionError:
        raise ImportProblem(_too_deep()) from None
    if _depth(document) > MAX_DEPTH:
        raise ImportProblem(_too_deep())
    return document


def _refuse_constant(name: str):
    """NaN and Infinity are not JSON, though Python's reader accepts them."""
    raise ImportProblem(f"The file is not valid JSON: {name} is not a JSON value.")


def _too_deep() -> str:
    return f"The file is nested too deeply: a form file has at most {MAX_DEPTH} levels of lists and objects."


def _depth(value: Any) -> int:
    """How many levels of lists and objects a JSON value has (iteratively: no recursion limit)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def _shown(value: Any) -> str:
    """A value as a message quotes it: text in single quotes, anything else as JSON."""
    return f"'{value}'" if isinstance(value, str) else json.dumps(value)


def _type_name(value: Any) -> str:
    return JSON_TYPE_NAMES.get(type(value), "a value")


def _check_envelope(document: Any) -> None:
    if not isinstance(document, dict):
        raise ImportProblem(f"The file must contain a JSON object ({{...}}), but it contains {_type_name(document)}.")
    if document.get("format") != FORMAT:
        found = document.get("format")
        what = f'its "format" is {json.dumps(found)}' if "format" in document else 'it has no "format"'
        raise ImportProblem(f'This is not a form file: {what}; a form file has "format": "{FORMAT}".')
    version = document.get("format_version")
    if "format_version" not in document:
        raise ImportProblem('The file does not say which version of the format it uses ("format_version").')
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ImportProblem(f'The "format_version" must be a whole number from 1, not {json.dumps(version)}.')
    if version > FORMAT_VERSION:
        raise ImportProblem(
            f"This file was made by a newer version of the portal (format {version}); "
            f"this portal reads format {FORMAT_VERSION}."
        )
    unknown = set(document) - {"format", "format_version", "pattern", "source", "form"}
    if unknown:
        raise ImportProblem(f'The file has an unknown field "{sorted(unknown)[0]}".')
    _check_pattern(document.get("pattern"))
    _check_source(document.get("source"))
    if "form" not in document:
        raise ImportProblem('The file has no form ("form").')
    if not isinstance(document["form"], dict):
        raise ImportProblem(f'The "form" must be an object, not {_type_name(document["form"])}.')


def _check_pattern(pattern: Any) -> None:
    if pattern is None:
        return
    if not isinstance(pattern, dict):
        raise ImportProblem(f'The "pattern" must be an object or null, not {_type_name(pattern)}.')
    for key in pattern:
        if key not in ("id", "name", "description"):
            raise ImportProblem(f'The pattern has an unknown field "{key}".')
        if not isinstance(pattern[key], str):
            raise ImportProblem(f'The pattern\'s "{key}" must be text, not {_type_name(pattern[key])}.')
    if not ID_PATTERN.match(pattern.get("id", "")):
        raise ImportProblem(
            f"The pattern id {json.dumps(pattern.get('id', ''))} must start with a letter and use only lower-case "
            "letters, digits and underscores."
        )


def _check_source(source: Any) -> None:
    if source is None:
        return
    if not isinstance(source, dict):
        raise ImportProblem(f'The "source" must be an object, not {_type_name(source)}.')
    for key, value in source.items():
        if not isinstance(value, str):
            raise ImportProblem(f'The source\'s "{key}" must be text, not {_type_name(value)}.')


class _Checker:
    """Collects structural problems of a form, each prefixed with where it is."""

    def __init__(self):
        self.problems: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}" if where else message)

    def text(self, where: str, data: dict, key: str, *, required: bool = False, limit: int | None = None) -> bool:
        """Check that `data[key]` is text (present and not blank when required); True when it is usable."""
        if key not in data:
            if required:
                self.add(where, f'"{key}" is missing.')
            return not required
        value = data[key]
        if not isinstance(value, str):
            self.add(where, f'"{key}" must be text, not {_type_name(value)}.')
            return False
        if required and not value.strip():
            self.add(where, f'"{key}" is empty.')
            return False
        if limit and len(value) > limit:
            self.add(where, f'"{key}" is too long ({len(value)} characters; {limit} at most).')
            return False
        return True

    def unknown_keys(self, where: str, data: dict, allowed: set[str]) -> None:
        for key in sorted(set(data) - allowed):
            self.add(where, f'unknown field "{key}".')

    def identifier(self, where: str, data: dict) -> bool:
        if not self.text(where, data, "id", required=True):
            return False
        if not ID_PATTERN.match(data["id"]):
            self.add(
                where,
                f"the id '{data['id']}' must start with a letter and use only lower-case letters, digits and "
                "underscores (50 at most).",
            )
            return False
        return True

    def condition(self, where: str, condition: Any) -> None:
        if condition is None:
            return
        if not isinstance(condition, dict):
            self.add(where, f'"condition" must be an object, not {_type_name(condition)}.')
            return
        self.unknown_keys(f"{where}, condition", condition, {"match", "rules"})
        if condition.get("match", "all") not in ("all", "any"):
            self.add(where, f'the condition\'s "match" must be "all" or "any", not {_shown(condition["match"])}.')
        rules = condition.get("rules", [])
        if not isinstance(rules, list):
            self.add(where, f'the condition\'s "rules" must be a list, not {_type_name(rules)}.')
            return
        for number, rule in enumerate(rules, 1):
            rule_where = f"{where}, condition rule {number}"
            if not isinstance(rule, dict):
                self.add(rule_where, f"must be an object, not {_type_name(rule)}.")
                continue
            self.unknown_keys(rule_where, rule, {"question_id", "operator", "value"})
            self.text(rule_where, rule, "question_id", required=True)
            self.text(rule_where, rule, "value")
            if self.text(rule_where, rule, "operator", required=True) and rule["operator"] not in OPERATORS:
                self.add(
                    rule_where,
                    f"unknown operator '{rule['operator']}' (use one of {', '.join(OPERATORS)}).",
                )


def _form_structure_problems(form: dict) -> list[str]:
    """Everything wrong with the shape and value types of the form, so the dataclasses can be built safely."""
    check = _Checker()
    check.unknown_keys("The form", form, FORM_KEYS)
    check.text("The form", form, "title", required=True, limit=255)
    for key in ("intro", "confirmation_text", "declaration"):
        check.text("The form", form, key, limit=20000)
    if not isinstance(form.get("allow_save", True), bool):
        check.add("The form", f'"allow_save" must be true or false, not {_type_name(form["allow_save"])}.')
    steps = form.get("steps")
    if "steps" not in form:
        check.add("The form", '"steps" is missing.')
    elif not isinstance(steps, list):
        check.add("The form", f'"steps" must be a list, not {_type_name(steps)}.')
    elif not steps:
        check.add("The form", "it has no steps.")
    else:
        for number, step in enumerate(steps, 1):
            _check_step(check, number, step)
    return check.problems


def _check_step(check: _Checker, number: int, step: Any) -> None:
    where = f"Step {number}"
    if not isinstance(step, dict):
        check.add(where, f"must be an object, not {_type_name(step)}.")
        return
    if isinstance(step.get("title"), str) and step["title"].strip():
        where = f"Step {number} '{step['title']}'"
    check.unknown_keys(where, step, STEP_KEYS)
    check.text(where, step, "title", required=True)
    check.text(where, step, "intro")
    check.identifier(where, step)
    kind = step.get("kind", "questions")
    if kind not in STEP_KINDS:
        check.add(where, f'unknown step kind {_shown(kind)} (use "questions" or "exit").')
    check.condition(where, step.get("condition"))
    _check_repeat(check, where, step.get("repeat"))
    questions = step.get("questions", [])
    if not isinstance(questions, list):
        check.add(where, f'"questions" must be a list, not {_type_name(questions)}.')
        return
    if kind == "exit" and questions:
        check.add(where, "an exit step has no questions.")
    for index, question in enumerate(questions, 1):
        _check_question(check, where, index, question)


def _check_repeat(check: _Checker, where: str, repeat: Any) -> None:
    if repeat is None:
        return
    if not isinstance(repeat, dict):
        check.add(where, f'"repeat" must be an object or null, not {_type_name(repeat)}.')
        return
    check.unknown_keys(f"{where}, repeat", repeat, set(REPEAT_KEYS))
    for key, wanted in REPEAT_KEYS.items():
        value = repeat.get(key)
        if key in repeat and (not isinstance(value, wanted) or isinstance(value, bool)):
            check.add(where, f'the repeat\'s "{key}" must be {JSON_TYPE_NAMES[wanted]}, not {_type_name(value)}.')


def _check_question(check: _Checker, step_where: str, number: int, question: Any) -> None:
    if not isinstance(question, dict):
        check.add(f"{step_where}, question {number}", f"must be an object, not {_type_name(question)}.")
        return
    named = isinstance(question.get("id"), str) and question["id"]
    where = f"{step_where}, question '{question['id']}'" if named else f"{step_where}, question {number}"
    check.unknown_keys(where, question, QUESTION_KEYS)
    usable = check.identifier(where, question)
    usable &= check.text(where, question, "label", required=True)
    check.text(where, question, "hint")
    if "required" in question and not isinstance(question["required"], bool):
        check.add(where, f'"required" must be true or false, not {_type_name(question["required"])}.')
    question_type = question.get("type")
    if "type" not in question:
        check.add(where, '"type" is missing.')
        usable = False
    elif question_type not in QUESTION_TYPES:
        check.add(where, f"unknown question type {_shown(question_type)}.")
        usable = False
    usable &= _check_options(check, where, question.get("options", []))
    rules = question.get("rules", {})
    if not isinstance(rules, dict):
        check.add(where, f'"rules" must be an object, not {_type_name(rules)}.')
        usable = False
    check.condition(where, question.get("condition"))
    if usable:
        try:
            question_data({**question, "condition": None})
        except (ValueError, TypeError, ArithmeticError) as error:
            check.add(where, _rule_message(error))


def _rule_message(error: Exception) -> str:
    """stream.question_data's message without its own 'Question ...' prefix (the location says it)."""
    if isinstance(error, InvalidOperation):
        return "a rule that must be a number is not one."
    message = str(error)
    match = re.match(r"Question '[^']*'(?: \([^)]*\))? (.*)", message)
    return match.group(1) if match else message


def _check_options(check: _Checker, where: str, options: Any) -> bool:
    if not isinstance(options, list):
        check.add(where, f'"options" must be a list, not {_type_name(options)}.')
        return False
    usable = True
    for number, option in enumerate(options, 1):
        option_where = f"{where}, option {number}"
        if not isinstance(option, dict):
            check.add(option_where, f"must be an object, not {_type_name(option)}.")
            usable = False
            continue
        check.unknown_keys(option_where, option, {"value", "label"})
        if "value" not in option or (isinstance(option["value"], str) and not option["value"].strip()):
            check.add(option_where, "it has no value.")
            usable = False
        else:
            usable &= check.text(option_where, option, "value", required=True)
        usable &= check.text(option_where, option, "label", required=True)
    return usable


def _definition_problems(form: dict) -> list[str]:
    """The form's own rules (ids, conditions, options) and the editor's block validation, as text."""
    try:
        definition = FormDefinition.from_json(form)
        problems = definition.problems()
        if problems:
            return problems
        return [_located(message, form) for message in stream_problems(stream_data_from_definition(form))]
    except (KeyError, ValueError, TypeError, ArithmeticError, ValidationError) as error:
        return [f"The form cannot be read: {error}."]


def _located(message: str, form: dict) -> str:
    """'/1/questions/0/label: Ensure ...' as "Step 2 'Title', question 'id' (label): Ensure ..."."""
    match = re.match(r"/(\d+)(?:/questions/(\d+))?(?:/([^:]+))?: (.*)", message)
    if not match:
        return message
    step_index, question_index, rest, text = match.groups()
    step = form["steps"][int(step_index)]
    where = f"Step {int(step_index) + 1} '{step['title']}'"
    if question_index is not None:
        where += f", question '{step['questions'][int(question_index)]['id']}'"
    if rest:
        where += f" ({rest.replace('/', ' ')})"
    return f"{where}: {text}"


# --- import -------------------------------------------------------------------------------


def page_fields(parsed: ParsedDocument) -> dict[str, Any]:
    """The EFormPage fields a parsed form file sets: title, texts, steps, pattern and "save and come back later"."""
    from .models import DEFAULT_DECLARATION

    form = parsed.form
    return {
        "title": form["title"],
        "intro": form.get("intro", ""),
        "confirmation_text": clean_rich_text(form.get("confirmation_text", "")),
        "declaration": form.get("declaration") or DEFAULT_DECLARATION,
        "steps": stream_data_from_definition(form),
        "pattern_id": parsed.pattern_id,
        "save_and_return": form.get("allow_save", True),
    }


def fill_page(page, parsed: ParsedDocument):
    """Write a parsed form file into an existing EFormPage (e.g. a translation's copy), unsaved; return the page."""
    for name, value in page_fields(parsed).items():
        setattr(page, name, value)
    return page


def import_document(parsed: ParsedDocument, service_page, user=None):
    """Create the parsed form as a draft EFormPage (never published) under a service page; return it.

    Raises ImportProblem, creating nothing, when the page is not a service page, the service
    already has an e-form, or the new page does not validate. Runs in one transaction.
    """
    from home.models import ServicePage

    from .models import EFormPage

    if not isinstance(service_page.specific, ServicePage):
        raise ImportProblem(f"'{service_page.title}' is not a service page: a form can only be added under a service.")
    if EFormPage.objects.child_of(service_page).exists():
        raise ImportProblem(
            f"The service '{service_page.title}' already has an e-form. Delete it first, or choose another service."
        )
    page = EFormPage(slug="form", live=False, has_unpublished_changes=True, owner=user, **page_fields(parsed))
    try:
        with transaction.atomic():
            service_page.add_child(instance=page)
            page.save_revision(user=user, log_action=True)
    except ValidationError as error:
        raise ImportProblem([str(message) for message in error.messages]) from None
    return page
