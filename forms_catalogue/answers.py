"""Answers sent as JSON (the API, Open311), checked exactly as the web journey checks them.

`check_answers(definition, answers, files)` walks the form with the wizard's own step logic
(`definition.shown_steps`): conditions on earlier answers, repeating steps (one object per
item, between their minimum and maximum) and exit pages. Each answer is turned back into what
its step's page would post (a date "2026-05-01" becomes its day, month and year boxes, a number
its text, a declaration `true` a ticked box), and the step form the wizard uses, built by the
same `FormBuilder`, is bound and validated: every check and every message is the web form's,
and what is stored is what that form returns (`StepForm.answers()`). Files are sent apart,
keyed by the JSON pointer of their question ("/photo", "/children/0/certificate"), and go
through the same upload checks (size, type by content).

Each field error becomes an `AnswerProblem` with a JSON pointer into the answers. Answers of a
JSON type their question cannot take, answers to questions the other answers do not ask (the
published JSON Schema says they must be absent), keys that are not questions of the form, and
file answers sent without their file get problems of their own. `null` counts as no answer.

`check_answers` raises `AnswersInvalid` (every problem, in the order of the form's questions)
or `JourneyEnded` (the answers lead to an exit page, and nothing before it is wrong), and
nothing else, whatever JSON value it is given. `submit_answers` checks, then stores the request
through `backoffice.intake.submit`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext

from backoffice.intake import SubmittedFile, submit
from portal.language import DEFAULT_LANGUAGE

from .builder import FormBuilder, StepForm
from .definition import Condition, ConditionRule, FormDefinition, Question, ShownStep, Step, shown_steps
from .fields import PartsField
from .forms import repeat_limit_message
from .translations import service_of

if TYPE_CHECKING:
    from backoffice.models import ServiceRequest

    from .models import EFormPage, FormVersion

ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
NUMBER_PARTS = {"location": ("latitude", "longitude")}
Posted = str | list[str] | dict[str, str] | None


@dataclass(frozen=True)
class AnswerProblem:
    """One thing wrong with answers sent as JSON: where it is, which question, the message and a code.

    `pointer` is an RFC 6901 JSON pointer into the answers ("/email", "/children/1/date_of_birth",
    "/children", or "" for the whole object); `question_id` is the question's (or repeating
    step's) id, "" for the whole object; `message` is the web form's message for the same error;
    `code` is stable for programs ("required", "invalid", "max_length", "not_asked", ...); `part`
    names the part at fault of an answer made of parts ("first_name", "postcode", "latitude").
    """

    pointer: str
    question_id: str
    message: str
    code: str
    part: str = ""


class AnswersInvalid(ValueError):
    """The answers cannot be accepted; `problems` lists why, in the order of the form's questions."""

    def __init__(self, problems: list[AnswerProblem]):
        self.problems = list(problems)
        first = self.problems[0] if self.problems else None
        super().__init__(f"{first.pointer or '/'}: {first.message} ({len(self.problems)} in all)" if first else "")


class JourneyEnded(ValueError):
    """The answers lead to an exit page: the form is not for this person; `step` says why and what to do instead."""

    def __init__(self, step: Step):
        self.step = step
        super().__init__(step.title)


@dataclass(frozen=True)
class CheckedAnswers:
    """Answers that passed every check: what the web journey stores for them, their files and the contact email."""

    answers: dict[str, Any]
    files: list[SubmittedFile]
    contact_email: str


@dataclass
class RequestAnswers:
    """A request's answers and files, gathered step form by step form in the order of the journey."""

    answers: dict[str, Any] = field(default_factory=dict)
    files: list[SubmittedFile] = field(default_factory=list)

    def add(self, form: StepForm, item: tuple[str, int] | None = None) -> None:
        """Add a valid step form's answers and uploads; an item's (step id, number from 1) go in its step's list."""
        step_answers = form.answers()
        if item:
            self.answers.setdefault(item[0], []).append(step_answers)
        else:
            self.answers.update(step_answers)
        for question in form.questions:
            upload = form.cleaned_data.get(question.id) if question.type == "file" else None
            if upload:
                self.files.append(SubmittedFile(question.id, upload, item[1] - 1 if item else None))


def contact_email(answers: Mapping[str, Any]) -> str:
    """The email address confirmations go to: the answer to the question with the id `email`, if there is one."""
    email = answers.get("email")
    return email if isinstance(email, str) else ""


def check_answers(
    definition: FormDefinition, answers: Any, files: Mapping[str, UploadedFile] | None = None
) -> CheckedAnswers:
    """Check answers sent as JSON (and their files, by JSON pointer) as the web journey checks the same answers.

    Raises AnswersInvalid or JourneyEnded; never anything else for any JSON value of `answers`.
    """
    if not isinstance(answers, Mapping):
        message = gettext("Send the answers as a JSON object, with each answer under its question’s id")
        raise AnswersInvalid([AnswerProblem("", "", message, "invalid")])
    return _AnswersCheck(definition, answers, files or {}).run()


def submit_answers(
    page: EFormPage,
    version: FormVersion,
    answers: Any,
    files: Mapping[str, UploadedFile] | None = None,
    *,
    channel: str,
    idempotency_key: str | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> tuple[ServiceRequest, bool]:
    """Check the answers against the version's definition, then store the request for the page's service.

    `language` is the resident's (a code of settings.LANGUAGES, checked by the caller).

    Returns the request and True, or the request an earlier call with the same idempotency key
    made and False. Raises AnswersInvalid or JourneyEnded (nothing is stored then),
    `backoffice.intake.IntakeError`, or ValueError when the version is not one of the page's.
    """
    if version.page_id != page.pk:
        raise ValueError(f"Form version {version.pk} is not a version of the e-form page {page.pk}.")
    checked = check_answers(version.definition(), answers, files)
    return submit(
        service=service_of(page),
        language=language,
        answers=checked.answers,
        form_version=version,
        files=checked.files,
        channel=channel,
        contact_email=checked.contact_email,
        idempotency_key=idempotency_key,
    )


def json_pointer(*tokens: Any) -> str:
    """An RFC 6901 pointer from its reference tokens: ("children", 1, "name") -> "/children/1/name"."""
    return "".join("/" + str(token).replace("~", "~0").replace("/", "~1") for token in tokens)


# --- one run of the check -----------------------------------------------------------------

SortKey = tuple[int, int, int]


class _AnswersCheck:
    """Walks the steps the answers show, checks each with its step form, and gathers answers and problems."""

    def __init__(self, definition: FormDefinition, answers: Mapping[str, Any], files: Mapping[str, UploadedFile]):
        self.definition = definition
        self.answers = answers
        self.files = files
        self.used_files: set[str] = set()
        self.problems: list[tuple[SortKey, AnswerProblem]] = []
        self.collected = RequestAnswers()
        self.seen: dict[str, dict[str, Any]] = {}  # answers of each step shown, as conditions read them
        self.faulty: set[str] = set()  # questions with a problem: what depends on them is uncertain
        self.shown: dict[str, ShownStep] = {}
        ids = [name for step in definition.steps for name in (step.id, *(q.id for q in step.questions))]
        self.position = {name: index for index, name in enumerate(ids)}

    def run(self) -> CheckedAnswers:
        exit_step = None
        for shown in shown_steps(self.definition, lambda step: self.seen.get(step.id, {})):
            self.shown[shown.step.id] = shown
            if shown.step.is_exit:
                exit_step = shown.step
            elif shown.step.repeat:
                self.check_repeating_step(shown)
            else:
                self.seen[shown.step.id] = self.check_questions(shown.questions, self.answers, ())
        steps = self.definition.steps
        self.check_not_asked(steps[: steps.index(exit_step)] if exit_step else steps)
        self.check_unknown_keys()
        if exit_step is None:
            self.check_unused_files()
        if self.problems:
            raise AnswersInvalid([problem for _key, problem in sorted(self.problems, key=lambda pair: pair[0])])
        if exit_step is not None:
            raise JourneyEnded(exit_step)
        answers = self.collected.answers
        return CheckedAnswers(answers, self.collected.files, contact_email(answers))

    def add(self, problem: AnswerProblem, key: SortKey) -> None:
        self.problems.append((key, problem))

    def sort_key(self, question_id: str, tokens: tuple[str, ...] = ()) -> SortKey:
        """Where a problem goes: by question, or by repeating step, then item, then question within the item."""
        end = len(self.position)
        if tokens:
            return (self.position.get(tokens[0], end), int(tokens[1]), self.position.get(question_id, end))
        return (self.position.get(question_id, end), -1, 0)

    # --- steps and items ------------------------------------------------------------------

    def check_questions(
        self, questions: tuple[Question, ...], values: Mapping[str, Any], tokens: tuple[str, ...]
    ) -> dict[str, Any]:
        """Validate one page's questions (a step, or an item at `tokens`) with its step form; return their answers.

        The answers returned are those conditions read: what the form made of each valid
        answer, and an answer with a problem as it was sent.
        """
        form_class = FormBuilder(questions).get_form_class()
        data: dict[str, Any] = {}
        uploads: dict[str, UploadedFile] = {}
        wrong: dict[str, list[AnswerProblem]] = {}
        for question in questions:
            pointer = json_pointer(*tokens, question.id)
            value = values.get(question.id)
            try:
                if question.type == "file":
                    upload = self.upload_for(value, pointer)
                    if upload is not None:
                        uploads[question.id] = upload
                elif value is not None:
                    convert = _FORM_DATA.get(question.type, _text)
                    _post(data, question.id, convert(value, form_class.base_fields[question.id]))
            except _WrongType as error:
                wrong[question.id] = error.problems(pointer, question.id)
        form = form_class(data=data, files=uploads)
        form.is_valid()
        errors = form.errors.as_data()
        answers = form.answers()
        for question in questions:
            pointer = json_pointer(*tokens, question.id)
            problems = wrong.get(question.id) or [
                _field_problem(error, pointer, question.id) for error in errors.get(question.id, ())
            ]
            for problem in problems:
                self.add(problem, self.sort_key(question.id, tokens[:2]))
                self.faulty.add(question.id)
            if problems and _is_shallow(values.get(question.id)):
                answers[question.id] = values[question.id]
        self.collected.add(form, (tokens[0], int(tokens[1]) + 1) if tokens else None)
        return answers

    def check_repeating_step(self, shown: ShownStep) -> None:
        """A repeating step: a list of objects, as many as the step allows, each checked like one item page."""
        step, repeat = shown.step, shown.step.repeat
        assert repeat is not None
        items = self.answers.get(step.id)
        items = [] if items is None else items
        pointer, key = json_pointer(step.id), self.sort_key(step.id)
        if not isinstance(items, list):
            message = gettext("Give the answers as a list, with one object for each %(item)s")
            self.add(AnswerProblem(pointer, step.id, message % {"item": repeat.item_label}, "invalid"), key)
            return
        if len(items) < repeat.min_items:
            message = repeat_limit_message(repeat, repeat.min_items, minimum=True)
            self.add(AnswerProblem(pointer, step.id, message, "too_few_items"), key)
        elif len(items) > repeat.max_items:
            message = repeat_limit_message(repeat, repeat.max_items, minimum=False)
            self.add(AnswerProblem(pointer, step.id, message, "too_many_items"), key)
        for index, item in enumerate(items[: repeat.max_items]):
            tokens = (step.id, str(index))
            if not isinstance(item, Mapping):
                message = gettext("Give the answers for each %(item)s as an object, with each answer under its id") % {
                    "item": repeat.item_label
                }
                problem = AnswerProblem(json_pointer(*tokens), step.id, message, "invalid")
                self.add(problem, self.sort_key(step.id, tokens))
                continue
            self.check_questions(shown.questions, item, tokens)
            for question in step.questions:
                if question not in shown.questions:
                    self.check_not_answered(question, question.condition, item, tokens)
            asked = {question.id for question in step.questions}
            for name in item:
                if name not in asked:
                    self.add(self.unknown(name, tokens), self.sort_key("", tokens))

    def upload_for(self, value: Any, pointer: str) -> UploadedFile | None:
        """The file sent for a file question (None when there is none), checking what the answers say of it."""
        upload = self.files.get(pointer)
        if upload is not None:
            self.used_files.add(pointer)
            if value is not None and not isinstance(value, Mapping):
                raise _WrongType(gettext("Leave this answer out, or give the file’s name, size and content_type"))
            return upload
        if value is None:
            return None
        if isinstance(value, Mapping):
            raise _WrongType(gettext("Send the file itself, not only its name, size and type"), code="missing")
        raise _WrongType(gettext("Send the file itself: the answer to a file question is only its name, size and type"))

    # --- answers the journey does not ask for ----------------------------------------------

    def check_not_asked(self, steps: tuple[Step, ...]) -> None:
        """A problem for each answer (or file) to a question the other answers do not show."""
        for step in steps:
            shown = self.shown.get(step.id)
            if step.is_exit:
                continue
            if shown is None and step.repeat:
                answered = self.answers.get(step.id) is not None or self.files_under(json_pointer(step.id))
                if answered and not self.depends_on_faulty(step.condition):
                    problem = _not_asked(json_pointer(step.id), step.id, step.condition, self.definition)
                    self.add(problem, self.sort_key(step.id))
                continue
            for question in step.questions:
                if shown is None:
                    self.check_not_answered(question, step.condition, self.answers, ())
                elif not step.repeat and question not in shown.questions:
                    self.check_not_answered(question, question.condition, self.answers, ())

    def check_not_answered(
        self, question: Question, condition: Condition, values: Mapping[str, Any], tokens: tuple[str, ...]
    ) -> None:
        """A "not asked" problem when a question hidden by `condition` is answered (or sent a file) all the same.

        Not when the condition reads an answer with a problem: once that is put right, it may be asked.
        """
        pointer = json_pointer(*tokens, question.id)
        if values.get(question.id) is not None or pointer in self.files:
            self.used_files.add(pointer)
            if self.depends_on_faulty(condition):
                return
            self.add(_not_asked(pointer, question.id, condition, self.definition), self.sort_key(question.id, tokens))

    def depends_on_faulty(self, condition: Condition) -> bool:
        return any(rule.question_id in self.faulty for rule in condition.rules)

    def files_under(self, pointer: str) -> list[str]:
        found = [name for name in self.files if isinstance(name, str) and name.startswith(pointer + "/")]
        self.used_files.update(found)
        return found

    def check_unknown_keys(self) -> None:
        """A problem for each key that is not a question of the form (or is one asked inside repeated items)."""
        known = {step.id for step in self.definition.steps if step.repeat} | {
            question.id for step in self.definition.steps if not step.repeat for question in step.questions
        }
        for name in self.answers:
            if name not in known:
                self.add(self.unknown(name, ()), self.sort_key(""))

    def unknown(self, name: Any, tokens: tuple[str, ...]) -> AnswerProblem:
        """The problem of a key that is not a question there: "This form has no question “xyz”"."""
        if tokens:
            item = self.definition.step(tokens[0]).repeat
            message = gettext("There is no question “%(id)s” for each %(item)s") % {"id": name, "item": item.item_label}
        else:
            repeating = next(
                (step for step in self.definition.steps if step.repeat and any(q.id == name for q in step.questions)),
                None,
            )
            message = gettext("This form has no question “%(id)s”") % {"id": name}
            if repeating is not None:
                message = gettext("“%(id)s” is asked for each %(item)s: give it in each object of “%(step)s”") % {
                    "id": name,
                    "item": repeating.repeat.item_label,
                    "step": repeating.id,
                }
        return AnswerProblem(json_pointer(*tokens, name), str(name), message, "unknown_question")

    def check_unused_files(self) -> None:
        """A problem for each file sent at a pointer that is not a file question the answers ask."""
        for name in self.files:
            if name in self.used_files:
                continue
            question = self.question_at(name)
            question_id = question.id if question else ""
            if question is not None and question.type != "file":
                message, code = gettext("This question is not answered with a file"), "invalid"
            else:
                message = gettext("This form has no file question at “%(pointer)s”") % {"pointer": name}
                code = "unknown_question"
            self.add(AnswerProblem(str(name), question_id, message, code), self.sort_key(question_id))

    def question_at(self, pointer: Any) -> Question | None:
        """The question a pointer names ("/photo", "/children/0/certificate"), or None."""
        tokens = str(pointer).split("/")[1:]
        question = self.definition.question(tokens[-1]) if tokens else None
        return question if question is not None and len(tokens) in (1, 3) else None


def _is_shallow(value: Any) -> bool:
    """True for an answer conditions can read as sent: a value, or a list or object of values (never deep junk)."""
    if value is None:
        return False
    inner = value.values() if isinstance(value, Mapping) else value if isinstance(value, list) else ()
    return not any(isinstance(item, (Mapping, list)) for item in inner)


# --- JSON answers to form data --------------------------------------------------------------


class _WrongType(Exception):
    """An answer of a JSON type (or shape) its question cannot take: one or more (message, part, code)."""

    def __init__(self, message: str = "", part: str = "", code: str = "invalid"):
        super().__init__(message)
        self.issues: list[tuple[str, str, str]] = [(message, part, code)] if message else []

    def problems(self, pointer: str, question_id: str) -> list[AnswerProblem]:
        return [AnswerProblem(pointer, question_id, message, code, part) for message, part, code in self.issues]


def _post(data: dict[str, Any], name: str, posted: Posted) -> None:
    """Put a field's form data where its widget reads it: a part as `<name>-<part>`."""
    if isinstance(posted, dict):
        data.update({f"{name}-{part}": text for part, text in posted.items()})
    elif posted is not None:
        data[name] = posted


def _text(value: Any, form_field: forms.Field) -> str:
    if isinstance(value, str):
        return value
    raise _WrongType(gettext("Enter the answer as text"))


def _number_text(value: Any, message: str, part: str = "") -> str:
    """A JSON number as a person would type it (no exponent); `message` when it is not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _WrongType(message, part)
    number = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    return format(number, "f")


def _number(value: Any, form_field: forms.Field) -> str:
    return _number_text(value, gettext("Enter the answer as a number"))


def _date(value: Any, form_field: forms.Field) -> dict[str, str]:
    match = ISO_DATE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise _WrongType(gettext("Enter the date in the format YYYY-MM-DD, like 2007-03-27"))
    year, month, day = match.groups()
    return {"day": day, "month": month, "year": year}


def _choice(value: Any, form_field: forms.Field) -> str:
    if isinstance(value, str):
        return value
    raise _WrongType(gettext("Give the value of one of the options, as text"))


def _choices(value: Any, form_field: forms.Field) -> list[str]:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise _WrongType(gettext("Give the answer as a list of the values of the options chosen"))


def _declaration(value: Any, form_field: forms.Field) -> str | None:
    if isinstance(value, bool):
        return "on" if value else None
    raise _WrongType(gettext("Give the answer as true to confirm the declaration"))


def _parts(value: Any, form_field: forms.Field) -> dict[str, str]:
    """An answer of several parts (name, address, location) as the text of each of its boxes."""
    assert isinstance(form_field, PartsField)
    keys = [part.key for part in form_field.parts]
    numbers = NUMBER_PARTS.get(form_field.question.type, ())
    if not isinstance(value, Mapping):
        message = gettext("Give the answer as an object with the parts %(parts)s") % {"parts": ", ".join(keys)}
        raise _WrongType(message)
    error, posted = _WrongType(), {}
    for key, text in value.items():
        if key not in keys:
            message = gettext("This answer has no part “%(part)s”") % {"part": key}
            error.issues.append((message, str(key), "unknown_part"))
        elif text is None:
            continue
        elif key in numbers:
            try:
                posted[key] = _number_text(text, gettext("Enter the answer as a number"), key)
            except _WrongType as wrong:
                error.issues += wrong.issues
        elif isinstance(text, str):
            posted[key] = text
        else:
            error.issues.append((gettext("Enter the answer as text"), key, "invalid"))
    if error.issues:
        raise error
    return posted


_FORM_DATA: dict[str, Callable[[Any, forms.Field], Posted]] = {
    "short_text": _text,
    "long_text": _text,
    "email": _text,
    "phone": _text,
    "number": _number,
    "date": _date,
    "radios": _choice,
    "select": _choice,
    "yes_no": _choice,
    "checkboxes": _choices,
    "name": _parts,
    "address": _parts,
    "location": _parts,
    "declaration": _declaration,
}


def _field_problem(error: ValidationError, pointer: str, question_id: str) -> AnswerProblem:
    """A step form's field error as a problem: its message and code, and the one part it names, if one."""
    message = error.message % error.params if error.params else error.message
    parts = getattr(error, "parts", ())
    part = parts[0] if len(parts) == 1 else ""
    return AnswerProblem(pointer, question_id, str(message), error.code or "invalid", part)


# --- conditions in words ------------------------------------------------------------------


def _not_asked(pointer: str, question_id: str, condition: Condition, definition: FormDefinition) -> AnswerProblem:
    message = gettext("This question is only asked when %(condition)s") % {
        "condition": condition_text(condition, definition)
    }
    return AnswerProblem(pointer, question_id, message, "not_asked")


def condition_text(condition: Condition, definition: FormDefinition) -> str:
    """A condition in words: 'the answer to “Which bin was missed?” is “garden”'."""
    texts = [_rule_text(rule, definition) for rule in condition.rules]
    joiner = gettext(" and ") if condition.match == "all" else gettext(" or ")
    return joiner.join(texts)


def _rule_text(rule: ConditionRule, definition: FormDefinition) -> str:
    question = definition.question(rule.question_id)
    name = f"“{question.label.strip()}”" if question else f"“{rule.question_id}”"
    wording = {
        "equals": gettext("the answer to %(question)s is “%(value)s”"),
        "not_equals": gettext("the answer to %(question)s is not “%(value)s”"),
        "any_of": gettext("the answer to %(question)s is one of “%(value)s”"),
        "is_answered": gettext("%(question)s is answered"),
        "greater_than": gettext("the answer to %(question)s is more than %(value)s"),
        "less_than": gettext("the answer to %(question)s is less than %(value)s"),
    }.get(rule.operator, gettext("the answer to %(question)s passes a test"))
    return wording % {"question": name, "value": rule.value}
