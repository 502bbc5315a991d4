"""Questions to Django forms, and answers to JSON and to display text.

`FormBuilder(questions).get_form_class()` makes the `StepForm` of one step, with one field per
question named by its stable id (after wagtail.contrib.forms' FormBuilder: one small, overridable
`create_<type>_field` method per question type). A valid form's `answers()` are JSON, keyed by
question id, in the shapes `schema.py` publishes; unanswered optional questions are left out.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.utils.translation import gettext

from . import fields
from .address_lookup import get_provider
from .definition import QUESTION_TYPES, Question

JSON = Any


class StepForm(forms.Form):
    """Base class of every generated step form; `questions` are the questions it asks, in order."""

    questions: tuple[Question, ...] = ()

    def lookup_requested(self, question_id: str) -> bool:
        """True when this POST came from the "Find address" button of that address question."""
        return self.is_bound and f"{self.add_prefix(question_id)}-lookup" in self.data

    def is_lookup(self) -> bool:
        """True for a "Find address" POST: show the step again with the addresses found, no errors, no advance."""
        wanted = any(
            self.lookup_requested(question.id)
            for question in self.questions
            if question.type == "address" and question.id in self.fields
        )
        return wanted and get_provider() is not None

    def full_clean(self) -> None:
        if self.is_bound and self.is_lookup():
            self._errors = ErrorDict(renderer=self.renderer)
            self.cleaned_data = {}
            return
        super().full_clean()

    def is_valid(self) -> bool:
        return not self.is_lookup() and super().is_valid()

    def answers(self) -> dict[str, JSON]:
        """The valid form's answers as JSON by question id (files as their name, size and content type)."""
        answers = {}
        for question in self.questions:
            if question.id in self.cleaned_data:
                answer = answer_to_json(question, self.cleaned_data[question.id])
                if answer is not None:
                    answers[question.id] = answer
        return answers


class FormBuilder:
    """Builds the form class of a group of questions; subclass and override `create_<type>_field` to change one."""

    def __init__(self, questions: tuple[Question, ...] | list[Question]):
        self.questions = tuple(questions)

    def get_form_class(self) -> type[StepForm]:
        """The form class, built once per distinct set of questions and builder class."""
        return _cached_form_class(type(self), _QuestionsKey(self.questions))

    def build_form_class(self) -> type[StepForm]:
        form_fields = {question.id: self.create_field(question) for question in self.questions}
        form_class = type("StepForm", (StepForm,), {"questions": self.questions, "__module__": __name__})
        form_class.base_fields = form_fields
        form_class.declared_fields = form_fields
        return form_class

    def create_field(self, question: Question) -> forms.Field:
        create = getattr(self, f"create_{question.type}_field", None)
        if question.type not in QUESTION_TYPES or create is None:
            raise ValueError(f"Unknown question type '{question.type}' for question '{question.id}'")
        return create(question)

    def text_input(self, autocomplete: str = "", classes: str = "", **attrs: str) -> forms.TextInput:
        """A text input widget whose attrs the question templates copy onto the GOV.UK input."""
        extra = {"autocomplete": autocomplete, "class": classes, **attrs}
        return forms.TextInput(attrs={name: value for name, value in extra.items() if value})

    def create_short_text_field(self, question: Question) -> forms.Field:
        max_length = int(question.rules.get("max_length") or 200)
        return fields.TextField(question, max_length=max_length, widget=self.text_input())

    def create_long_text_field(self, question: Question) -> forms.Field:
        max_length = int(question.rules.get("max_length") or 5000)
        return fields.TextField(question, max_length=max_length, widget=forms.Textarea(attrs={"rows": "5"}))

    def create_email_field(self, question: Question) -> forms.Field:
        widget = self.text_input("email", type="email", spellcheck="false")
        return fields.EmailField(question, widget=widget)

    def create_phone_field(self, question: Question) -> forms.Field:
        return fields.PhoneField(question, widget=self.text_input("tel", "govuk-input--width-20", type="tel"))

    def create_number_field(self, question: Question) -> forms.Field:
        whole = bool(question.rules.get("whole_number", True))
        widget = self.text_input("", "govuk-input--width-10", inputmode="numeric" if whole else "", spellcheck="false")
        return fields.NumberField(question, widget=widget)

    def create_date_field(self, question: Question) -> forms.Field:
        return fields.DateField(question)

    def choices(self, question: Question) -> list[tuple[str, str]]:
        return [(option.value, option.label) for option in question.options]

    def create_radios_field(self, question: Question) -> forms.Field:
        return fields.SingleChoiceField(question, choices=self.choices(question), widget=forms.RadioSelect)

    def create_select_field(self, question: Question) -> forms.Field:
        return fields.SingleChoiceField(question, choices=self.choices(question), widget=forms.Select)

    def create_checkboxes_field(self, question: Question) -> forms.Field:
        return fields.MultipleChoiceField(question, widget=forms.CheckboxSelectMultiple)

    def create_yes_no_field(self, question: Question) -> forms.Field:
        return fields.YesNoField(question, widget=forms.RadioSelect)

    def create_name_field(self, question: Question) -> forms.Field:
        return fields.NameField(question)

    def create_address_field(self, question: Question) -> forms.Field:
        return fields.AddressField(question)

    def create_location_field(self, question: Question) -> forms.Field:
        return fields.LocationField(question)

    def create_file_field(self, question: Question) -> forms.Field:
        return fields.UploadField(question)

    def create_declaration_field(self, question: Question) -> forms.Field:
        return fields.DeclarationField(question)


class _QuestionsKey:
    """Questions as a cache key: equal when their JSON is equal (a Question holds a dict, so is not hashable)."""

    def __init__(self, questions: tuple[Question, ...]):
        self.questions = questions
        self.text = json.dumps([asdict(question) for question in questions], sort_keys=True, default=str)

    def __hash__(self) -> int:
        return hash(self.text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _QuestionsKey) and other.text == self.text


@lru_cache(maxsize=1024)
def _cached_form_class(builder_class: type[FormBuilder], key: _QuestionsKey) -> type[StepForm]:
    return builder_class(key.questions).build_form_class()


# --- answers as JSON ------------------------------------------------------------------------


def answer_to_json(question: Question, value: Any) -> JSON:
    """A cleaned value as JSON in the shape `schema.py` publishes; None when the question was not answered."""
    if value is None or value is False or value == "" or value == [] or value == {}:
        return None
    return _TO_JSON.get(question.type, str)(value)


def _number_to_json(value: Any) -> int | float:
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number)


def _file_to_json(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {key: value.get(key) for key in ("name", "size", "content_type")}
    return {"name": os.path.basename(value.name), "size": value.size, "content_type": value.content_type}


_TO_JSON: dict[str, Callable[[Any], JSON]] = {
    "number": _number_to_json,
    "date": lambda value: value.isoformat() if isinstance(value, date) else str(value),
    "checkboxes": lambda value: [str(item) for item in value],
    "name": dict,
    "address": dict,
    "location": dict,
    "file": _file_to_json,
    "declaration": lambda value: True,
}


# --- answers as text ------------------------------------------------------------------------


def answer_for_display(question: Question, json_value: JSON) -> str:
    """An answer as plain text for check-your-answers, staff and emails; "" when not answered (never raises)."""
    if question is None or json_value is None or json_value is False or json_value in ("", [], {}):
        return ""
    show = _DISPLAY.get(question.type)
    try:
        return show(question, json_value) if show else str(json_value)
    except (TypeError, ValueError, KeyError, AttributeError, ArithmeticError):
        return json.dumps(json_value) if isinstance(json_value, (dict, list)) else str(json_value)


def _lines(*parts: Any) -> str:
    return "\n".join(str(part) for part in parts if part not in (None, ""))


def _number_text(question: Question, value: Any) -> str:
    return " ".join(part for part in (fields.format_number(value), question.rules.get("suffix") or "") if part)


def _file_text(question: Question, value: dict[str, Any]) -> str:
    size = int(value.get("size") or 0)
    if size >= fields.MEGABYTE:
        amount = f"{size / fields.MEGABYTE:.1f}".removesuffix(".0") + " MB"
    else:
        amount = f"{max(1, round(size / 1024))} KB"
    return f"{value.get('name', '')} ({amount})"


def _location_text(question: Question, value: dict[str, Any]) -> str:
    point = ""
    if value.get("latitude") is not None and value.get("longitude") is not None:
        point = gettext("Lat %(latitude)s, long %(longitude)s") % {
            "latitude": fields.format_number(value["latitude"]),
            "longitude": fields.format_number(value["longitude"]),
        }
    return _lines(value.get("description"), value.get("postcode"), point)


def _choices_text(question: Question, value: Any) -> str:
    values = value if isinstance(value, list) else [value]
    return _lines(*(question.option_label(str(item)) for item in values))


_DISPLAY: dict[str, Callable[[Question, Any], str]] = {
    "number": _number_text,
    "date": lambda question, value: fields.format_day(date.fromisoformat(str(value))),
    "radios": _choices_text,
    "select": _choices_text,
    "checkboxes": _choices_text,
    "yes_no": lambda question, value: {"yes": gettext("Yes"), "no": gettext("No")}.get(value, str(value)),
    "name": lambda question, value: " ".join(
        part for part in (value.get("first_name"), value.get("last_name")) if part
    ),
    "address": lambda question, value: _lines(*(value.get(key) for key in ("line1", "line2", "town", "postcode"))),
    "location": _location_text,
    "file": _file_text,
    "declaration": lambda question, value: question.rules.get("statement") or gettext("Confirmed"),
}
