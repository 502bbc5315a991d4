"""Answers as rows of label and display text, for check-your-answers, confirmation and staff views."""

from typing import Any

from .builder import answer_for_display
from .definition import FormDefinition, Question


def summary_rows(questions: tuple[Question, ...], answers: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per question shown: its label and the answer as display text ('' when not answered)."""
    return [
        {"question": question, "label": question.label, "value": answer_for_display(question, answers.get(question.id))}
        for question in questions
    ]


def request_sections(definition: FormDefinition, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """A submitted request's answers grouped by step, repeating steps one section per item."""
    sections = []
    for step in definition.steps:
        if step.repeat:
            for number, item in enumerate(answers.get(step.id) or [], start=1):
                title = f"{step.repeat.item_label.capitalize()} {number}"
                sections.append({"title": title, "rows": summary_rows(step.questions, item)})
            continue
        shown = [question for question in step.questions if question.id in answers]
        if shown:
            sections.append({"title": step.title, "rows": summary_rows(tuple(shown), answers)})
    return sections
