"""Turn a form definition (FormDefinition JSON) into raw StreamField data for `EFormPage.steps`.

Form patterns and the demo loader write forms as plain definitions; this module gives them the
exact block structure editors see in the Wagtail admin. Block settings the definition leaves
out take the block's own default, so `EFormPage(steps=stream_data_from_definition(d)).definition()`
equals `FormDefinition.from_json(d)` whenever `d` states its rules (as `FormDefinition.to_json()`
always does). A question type or rule the blocks do not know raises ValueError.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from functools import cache
from typing import Any

from wagtail import blocks

from .blocks import QuestionBlock, RepeatBlock, StepBlock, StepStreamBlock
from .definition import EXIT

COMMON_QUESTION_FIELDS = frozenset(QuestionBlock.base_blocks)
DECIMAL_RULES = frozenset({"min_value", "max_value"})


@cache
def _step_block() -> StepBlock:
    return StepStreamBlock().child_blocks["step"]


def _new_id() -> str:
    return str(uuid.uuid4())


def _defaults(block: blocks.StructBlock) -> dict[str, Any]:
    """The raw (JSON-ready) default value of every child of a struct block."""
    return {name: child.get_prep_value(child.get_default()) for name, child in block.child_blocks.items()}


def _list_items(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ListBlock raw data in Wagtail's block format: each item has a type, a value and an id."""
    return [{"type": "item", "value": value, "id": _new_id()} for value in values]


def condition_data(condition: dict[str, Any] | None) -> dict[str, Any]:
    """Raw ConditionBlock data; no condition gives an empty rule list (always shown)."""
    condition = condition or {}
    rules = [
        {"question_id": rule["question_id"], "operator": rule.get("operator", "equals"), "value": rule.get("value", "")}
        for rule in condition.get("rules", ())
    ]
    return {"match": condition.get("match", "all"), "rules": _list_items(rules)}


def repeat_data(repeat: dict[str, Any] | None) -> dict[str, Any]:
    """Raw RepeatBlock data; a step without a repeat keeps the block defaults, switched off."""
    data = _defaults(RepeatBlock())
    if repeat:
        data.update({key: value for key, value in repeat.items() if key in data}, enabled=True)
    return data


def _rule_value(name: str, value: Any) -> Any:
    if name in DECIMAL_RULES and value is not None:
        return str(Decimal(str(value)))
    if name == "direction" and value is None:
        return "any"
    return value


def question_data(question: dict[str, Any]) -> dict[str, Any]:
    """One raw QuestionStreamBlock child: {"type", "value", "id"}."""
    question_type = question["type"]
    block = _step_block().child_blocks["questions"].child_blocks.get(question_type)
    if block is None:
        raise ValueError(f"Question '{question.get('id')}' has an unknown type '{question_type}'.")
    value = _defaults(block)
    value.update(
        label=question["label"],
        question_id=question["id"],
        hint=question.get("hint", ""),
        required=question.get("required", True),
        condition=condition_data(question.get("condition")),
    )
    if "options_list" in block.child_blocks:
        value["options_list"] = _list_items(
            [{"label": option["label"], "value": option["value"]} for option in question.get("options", ())]
        )
    for name, rule in question.get("rules", {}).items():
        if name not in block.child_blocks or name in COMMON_QUESTION_FIELDS:
            raise ValueError(f"Question '{question['id']}' ({question_type}) has an unknown rule '{name}'.")
        value[name] = _rule_value(name, rule)
    return {"type": question_type, "value": value, "id": _new_id()}


def exit_page_data(step: dict[str, Any]) -> dict[str, Any]:
    """One raw StepStreamBlock child for an exit page: {"type": "exit_page", "value", "id"}."""
    value = {
        "title": step["title"],
        "step_id": step["id"],
        "body": step.get("intro", ""),
        "condition": condition_data(step.get("condition")),
    }
    return {"type": "exit_page", "value": value, "id": _new_id()}


def step_data(step: dict[str, Any]) -> dict[str, Any]:
    """One raw StepStreamBlock child: {"type": "step", "value", "id"} (or an exit page's)."""
    if step.get("kind", "questions") == EXIT:
        return exit_page_data(step)
    value = {
        "title": step["title"],
        "step_id": step["id"],
        "intro": step.get("intro", ""),
        "questions": [question_data(question) for question in step["questions"]],
        "condition": condition_data(step.get("condition")),
        "repeat": repeat_data(step.get("repeat")),
    }
    return {"type": "step", "value": value, "id": _new_id()}


def stream_data_from_definition(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """Raw `EFormPage.steps` data for a definition in FormDefinition JSON form (defaults may be omitted)."""
    return [step_data(step) for step in definition["steps"]]


def stream_problems(stream_data: list[dict[str, Any]]) -> list[str]:
    """What the StreamField blocks' own validation (lengths, required settings) finds wrong, as text."""
    stream_block = StepStreamBlock()
    try:
        stream_block.clean(stream_block.to_python(stream_data))
    except blocks.StreamBlockValidationError as error:
        return [str(message) for message in _messages(error.as_json_data())]
    return []


def _messages(data: Any, path: str = "") -> list[str]:
    """Flatten Wagtail's nested block error data into 'path: message' lines."""
    if isinstance(data, dict):
        return [
            line
            for key, value in data.items()
            for line in _messages(value, path if key in ("messages", "blockErrors") else f"{path}/{key}")
        ]
    if isinstance(data, list):
        if all(isinstance(item, str) for item in data):
            return [f"{path or '/'}: {item}" for item in data]
        return [line for index, item in enumerate(data) if item for line in _messages(item, f"{path}/{index}")]
    return [f"{path or '/'}: {data}"] if data else []
