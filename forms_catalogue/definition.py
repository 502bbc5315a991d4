"""A form definition as plain data, independent of Wagtail.

The EFormPage's StreamField is turned into a `FormDefinition` once per published revision
and frozen as JSON (`FormVersion.snapshot`). Everything that runs a form — the web wizard,
JSON Schema export, the API — works from that snapshot, so a journey started on version N
finishes on version N, and answers are keyed by stable question ids.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

QUESTION_TYPES = (
    "short_text",
    "long_text",
    "email",
    "phone",
    "number",
    "date",
    "radios",
    "checkboxes",
    "select",
    "yes_no",
    "name",
    "address",
    "location",
    "file",
    "declaration",
)
CHOICE_TYPES = {"radios", "checkboxes", "select"}
STEP_KINDS = ("questions", "exit")
EXIT = "exit"
OPERATORS = ("equals", "not_equals", "any_of", "is_answered", "greater_than", "less_than")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
IRREGULAR_PLURALS = {"person": "people", "child": "children", "man": "men", "woman": "women"}


@dataclass(frozen=True)
class Option:
    """One choice of a radios, checkboxes or select question."""

    value: str
    label: str


@dataclass(frozen=True)
class ConditionRule:
    """One test on an earlier answer, e.g. `bin_type equals garden`."""

    question_id: str
    operator: str
    value: str = ""


@dataclass(frozen=True)
class Condition:
    """Rules combined with `all` or `any`; an empty condition always holds."""

    match: str = "all"
    rules: tuple[ConditionRule, ...] = ()

    def holds(self, answers: dict[str, Any]) -> bool:
        """True when the earlier answers satisfy the rules (a question not answered fails every test but not_equals)."""
        if not self.rules:
            return True
        results = (rule_holds(rule, answers.get(rule.question_id)) for rule in self.rules)
        return all(results) if self.match == "all" else any(results)


@dataclass(frozen=True)
class Question:
    """One question: its stable id, type, wording, whether required, options, rules and condition."""

    id: str
    type: str
    label: str
    hint: str = ""
    required: bool = True
    options: tuple[Option, ...] = ()
    rules: dict[str, Any] = field(default_factory=dict)
    condition: Condition = field(default_factory=Condition)

    def option_label(self, value: str) -> str:
        return next((option.label for option in self.options if option.value == value), value)


@dataclass(frozen=True)
class Repeat:
    """ "Add another" settings of a repeating step: limits, and what one item (and several) are called."""

    min_items: int = 1
    max_items: int = 10
    item_label: str = "item"
    item_label_plural: str = ""

    def label_for(self, count: int) -> str:
        """The item label for `count` items: 'person' for 1; otherwise the plural ('people'), or one made from it."""
        if count == 1:
            return self.item_label
        return self.item_label_plural or plural_of(self.item_label)


def plural_of(label: str) -> str:
    """The English plural of an item label: 'person' -> 'people', 'box' -> 'boxes', 'other party' -> 'other parties'."""
    head, space, word = label.rpartition(" ")
    if word in IRREGULAR_PLURALS:
        return f"{head}{space}{IRREGULAR_PLURALS[word]}"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return f"{label}es"
    if len(word) > 1 and word.endswith("y") and word[-2] not in "aeiou":
        return f"{label[:-1]}ies"
    return f"{label}s" if label else label


@dataclass(frozen=True)
class Step:
    """One page of the journey: a group of questions, or an exit page, shown when its condition holds.

    An exit page ("kind": "exit") has a title, an intro (why, and what to do instead) and a
    condition, and no questions: a journey whose answers make its condition hold ends there.
    """

    id: str
    title: str
    questions: tuple[Question, ...]
    intro: str = ""
    condition: Condition = field(default_factory=Condition)
    repeat: Repeat | None = None
    kind: str = "questions"

    @property
    def is_exit(self) -> bool:
        return self.kind == EXIT

    def paragraphs(self) -> list[str]:
        """The intro as paragraphs (separated by a blank line)."""
        return [part.strip() for part in re.split(r"\n\s*\n", self.intro) if part.strip()]


@dataclass(frozen=True)
class FormDefinition:
    """The whole form: its steps and the declaration the citizen accepts before submitting."""

    title: str
    steps: tuple[Step, ...]
    declaration: str = ""

    def step(self, step_id: str) -> Step:
        return next(step for step in self.steps if step.id == step_id)

    def questions(self) -> list[tuple[Step, Question]]:
        """Every question with its step, in order."""
        return [(step, question) for step in self.steps for question in step.questions]

    def question(self, question_id: str) -> Question | None:
        return next((question for _, question in self.questions() if question.id == question_id), None)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FormDefinition:
        return cls(
            title=data["title"],
            declaration=data.get("declaration", ""),
            steps=tuple(_step_from_json(step) for step in data["steps"]),
        )

    def problems(self) -> list[str]:
        """Plain-English problems an editor must fix before the form can be saved."""
        problems: list[str] = []
        seen: dict[str, Question] = {}
        step_ids: set[str] = set()
        repeating: set[str] = set()
        if not self.steps:
            problems.append("Add at least one step.")
        for step in self.steps:
            if step.id in seen:
                problems.append(f"The step id '{step.id}' is already a question id. Ids must be unique.")
            if step.id in step_ids:
                problems.append(f"Two steps have the id '{step.id}'. Step ids must be unique.")
            step_ids.add(step.id)
            problems += _step_kind_problems(step)
            problems += _condition_problems(step.condition, f"step '{step.title}'", seen, repeating)
            if step.repeat and step.repeat.min_items > step.repeat.max_items:
                problems.append(f"Step '{step.title}': the minimum number of items is more than the maximum.")
            earlier = dict(seen)
            for question in step.questions:
                if not ID_PATTERN.match(question.id):
                    problems.append(
                        f"Question '{question.label}': the id '{question.id}' must start with a letter and use only "
                        "lower-case letters, digits and underscores (50 at most)."
                    )
                if question.id in seen or question.id in step_ids:
                    problems.append(f"The question id '{question.id}' is used twice. Question ids must be unique.")
                if question.type in CHOICE_TYPES and not question.options:
                    problems.append(f"Question '{question.label}' needs at least one option.")
                problems += _condition_problems(question.condition, f"question '{question.label}'", earlier, repeating)
                seen[question.id] = question
                if step.repeat:
                    repeating.add(question.id)
        return problems


@dataclass(frozen=True)
class ShownStep:
    """A step as a journey shows it: the step, and those of its questions whose conditions hold."""

    step: Step
    questions: tuple[Question, ...]


def shown_steps(definition: FormDefinition, answers_of: Callable[[Step], Mapping[str, Any]]) -> Iterator[ShownStep]:
    """The steps a journey shows, in order, for its answers; the last is an exit page when one's condition holds.

    Conditions read the answers of the steps shown before: once a step without a repeat has
    been yielded, `answers_of(step)` is asked for its answers (by question id), so a caller may
    check each step as it comes. Answers inside repeated items never count (conditions cannot
    name them). The web wizard and `answers.check_answers` both walk a form with this.
    """
    earlier: dict[str, Any] = {}
    for step in definition.steps:
        if not step.condition.holds(earlier):
            continue
        if step.is_exit:  # the journey ends here
            yield ShownStep(step, ())
            return
        yield ShownStep(step, tuple(question for question in step.questions if question.condition.holds(earlier)))
        if not step.repeat:
            earlier.update(answers_of(step))


def _step_kind_problems(step: Step) -> list[str]:
    """What is wrong with a step for its kind: a questions step needs questions; an exit page needs a condition only."""
    if step.kind not in STEP_KINDS:
        return [f"Step '{step.title}' is of an unknown kind '{step.kind}'."]
    if not step.is_exit:
        return [] if step.questions else [f"Step '{step.title}' has no questions."]
    problems = []
    if not step.condition.rules:
        problems.append(
            f"Exit page '{step.title}' has no condition, so every journey would end there. "
            "Add a condition on an answer to an earlier question."
        )
    if step.questions:
        problems.append(f"Exit page '{step.title}' cannot have questions.")
    if step.repeat:
        problems.append(f"Exit page '{step.title}' cannot repeat.")
    return problems


def _condition_problems(
    condition: Condition, owner: str, earlier: dict[str, Question], repeating: set[str]
) -> list[str]:
    problems = []
    for rule in condition.rules:
        if rule.operator not in OPERATORS:
            problems.append(f"The condition on {owner} uses an unknown test '{rule.operator}'.")
        if rule.question_id not in earlier:
            problems.append(
                f"The condition on {owner} refers to '{rule.question_id}', which is not a question on an earlier step."
            )
        elif rule.question_id in repeating:
            problems.append(f"The condition on {owner} refers to '{rule.question_id}', which is in a repeating step.")
        elif rule.operator in ("greater_than", "less_than") and _as_number(rule.value) is None:
            problems.append(f"The condition on {owner} compares with '{rule.value}', which is not a number.")
    return problems


def _as_number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def is_answered(answer: Any) -> bool:
    """True for any non-empty answer (False for None, '', [], {} and a dict of empty parts)."""
    if isinstance(answer, dict):
        return any(is_answered(part) for part in answer.values())
    return answer is not False and answer not in (None, "", [])


def rule_holds(rule: ConditionRule, answer: Any) -> bool:
    """Evaluate one condition rule against the answer it names."""
    values = answer if isinstance(answer, list) else [answer]
    texts = {str(value) for value in values if value is not None}
    if rule.operator == "is_answered":
        return is_answered(answer)
    if rule.operator == "equals":
        return rule.value in texts
    if rule.operator == "not_equals":
        return rule.value not in texts
    if rule.operator == "any_of":
        wanted = {item.strip() for item in rule.value.split(",")}
        return bool(wanted & texts)
    if rule.operator in ("greater_than", "less_than"):
        number, limit = _as_number(answer), _as_number(rule.value)
        if number is None or limit is None or isinstance(answer, (list, dict, bool)):
            return False
        return number > limit if rule.operator == "greater_than" else number < limit
    return False


def _condition_from_json(data: dict[str, Any] | None) -> Condition:
    data = data or {}
    return Condition(
        match=data.get("match", "all"), rules=tuple(ConditionRule(**rule) for rule in data.get("rules", ()))
    )


def _step_from_json(data: dict[str, Any]) -> Step:
    return Step(
        id=data["id"],
        title=data["title"],
        kind=data.get("kind", "questions"),
        intro=data.get("intro", ""),
        condition=_condition_from_json(data.get("condition")),
        repeat=Repeat(**data["repeat"]) if data.get("repeat") else None,
        questions=tuple(
            Question(
                id=question["id"],
                type=question["type"],
                label=question["label"],
                hint=question.get("hint", ""),
                required=question.get("required", True),
                options=tuple(Option(**option) for option in question.get("options", ())),
                rules=dict(question.get("rules", {})),
                condition=_condition_from_json(question.get("condition")),
            )
            for question in data.get("questions", ())
        ),
    )
