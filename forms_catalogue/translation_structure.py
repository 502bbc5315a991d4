"""A translated e-form keeps its source form's structure, so a request in Welsh has the same answers as one in English.

A translation may change every text (titles, labels, hints, option labels, messages) but not
what answers are stored under or when steps are shown: step ids and kinds, question ids and
types, whether each is required, option values, validation rules (other than their texts),
conditions and repeats. `structure_differences` names each difference in plain English; the
EFormPage refuses to publish a translation while there is one.
"""

from __future__ import annotations

from typing import Any

from .definition import Condition, FormDefinition, Question, Step

TEXT_RULES = {"suffix", "statement"}  # rules whose values are words a translator writes


def _quoted(values) -> str:
    return ", ".join(f"'{value}'" for value in values) or "none"


def _condition(condition: Condition) -> tuple:
    return (condition.match, tuple((rule.question_id, rule.operator, rule.value) for rule in condition.rules))


def _rules(question: Question) -> dict[str, Any]:
    return {name: value for name, value in question.rules.items() if name not in TEXT_RULES}


def _question_differences(source: Question, translation: Question, source_language: str) -> list[str]:
    where = f"Question '{translation.id}'"
    problems = []
    if translation.type != source.type:
        problems.append(f"{where} must be of type '{source.type}', as in the {source_language} form.")
    if translation.required != source.required:
        state = "required" if source.required else "optional"
        problems.append(f"{where} must be {state}, as in the {source_language} form.")
    source_values = [option.value for option in source.options]
    values = [option.value for option in translation.options]
    if values != source_values:
        problems.append(
            f"{where}: the option values must be {_quoted(source_values)}, as in the {source_language} form, "
            f"not {_quoted(values)}. Translate the option labels only."
        )
    if _rules(translation) != _rules(source):
        problems.append(f"{where}: its validation rules must be the same as in the {source_language} form.")
    if _condition(translation.condition) != _condition(source.condition):
        problems.append(f"{where}: its condition must be the same as in the {source_language} form.")
    return problems


def _step_differences(source: Step, translation: Step, source_language: str) -> list[str]:
    where = f"Step '{translation.id}'"
    problems = []
    if translation.kind != source.kind:
        problems.append(f"{where} must be of kind '{source.kind}', as in the {source_language} form.")
    if _condition(translation.condition) != _condition(source.condition):
        problems.append(f"{where}: its condition must be the same as in the {source_language} form.")
    limits = (translation.repeat.min_items, translation.repeat.max_items) if translation.repeat else None
    source_limits = (source.repeat.min_items, source.repeat.max_items) if source.repeat else None
    if limits != source_limits:
        problems.append(f"{where}: its 'add another' settings must be the same as in the {source_language} form.")
    source_ids = [question.id for question in source.questions]
    ids = [question.id for question in translation.questions]
    if ids != source_ids:
        problems.append(
            f"{where}: the question ids must be {_quoted(source_ids)}, as in the {source_language} form, "
            f"not {_quoted(ids)}."
        )
        return problems
    for source_question, question in zip(source.questions, translation.questions, strict=True):
        problems += _question_differences(source_question, question, source_language)
    return problems


def structure_differences(
    source: FormDefinition, translation: FormDefinition, source_language: str = "English"
) -> list[str]:
    """How a translation's structure differs from its source form's, one plain-English problem each; [] if none."""
    source_ids = [step.id for step in source.steps]
    ids = [step.id for step in translation.steps]
    if ids != source_ids:
        return [
            f"The step ids must be {_quoted(source_ids)}, as in the {source_language} form, not {_quoted(ids)}. "
            "A translation changes the texts only."
        ]
    problems = []
    for source_step, step in zip(source.steps, translation.steps, strict=True):
        problems += _step_differences(source_step, step, source_language)
    return problems
