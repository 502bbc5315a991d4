"""Template tags that render e-form questions in GOV.UK Frontend markup.

`{% render_question form question is_page_heading intro %}` renders
`forms_catalogue/questions/<type>.html` with the context `question_context` builds (the
step's intro follows a question that is the page heading);
`field|error_anchor` is the id of the input an error summary link should focus.
"""

from __future__ import annotations

import os
from typing import Any

from django import forms, template
from django.core.files.uploadedfile import InMemoryUploadedFile, TemporaryUploadedFile
from django.forms import BoundField
from django.template.loader import render_to_string
from django.utils.translation import gettext

from forms_catalogue.address_lookup import find_addresses
from forms_catalogue.builder import answer_for_display
from forms_catalogue.definition import Question
from forms_catalogue.fields import (
    AddressField,
    DateField,
    DeclarationField,
    PartsField,
    QuestionField,
    UploadField,
    normalise_postcode,
)

register = template.Library()


@register.simple_tag
def render_question(form, question: Question, is_page_heading: bool = False, intro: str = "") -> str:
    """One question of the form in GOV.UK markup ("" when the form does not ask it)."""
    if question is None or question.id not in form.fields:
        return ""
    context = question_context(form[question.id], question, bool(is_page_heading), intro)
    return render_to_string(f"forms_catalogue/questions/{question.type}.html", context)


@register.filter
def error_anchor(bound_field: BoundField) -> str:
    """The id of the first input of a field with an error: the day box of a date, the first radio, ..."""
    field = bound_field.field
    if isinstance(field, PartsField):
        flagged = {key for error in _errors(bound_field) for key in getattr(error, "parts", ())}
        keys = [part.key for part in field.display_parts()]
        if "uprn" in flagged:
            keys.insert(0, "uprn")
        return f"{bound_field.auto_id}-{next((key for key in keys if key in flagged), keys[0])}"
    if isinstance(field, QuestionField):
        return bound_field.auto_id
    if isinstance(field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return field.widget.id_for_label(bound_field.auto_id, "0")  # Django's id of the first choice
    return bound_field.id_for_label or bound_field.auto_id


def question_context(
    bound_field: BoundField, question: Question, is_page_heading: bool, intro: str = ""
) -> dict[str, Any]:
    """What a question template needs: ids, label, intro, hint, error, and `input`, `items` or `parts`."""
    field = bound_field.field
    auto_id = bound_field.auto_id or f"id_{bound_field.html_name}"
    errors = _errors(bound_field)
    context: dict[str, Any] = {
        "field": bound_field,
        "question": question,
        "is_page_heading": is_page_heading,
        "id": auto_id,
        "name": bound_field.html_name,
        "label": bound_field.label,
        "intro": intro,
        "intro_id": f"{auto_id}-intro",
        "hint": question.hint,
        "hint_id": f"{auto_id}-hint",
        "error": "",
        "error_id": f"{auto_id}-error",
    }
    if isinstance(field, PartsField):
        _add_parts(context, bound_field, errors)
    else:
        context["error"] = errors[0].messages[0] if errors else ""
        if hasattr(field, "choices") or isinstance(field, DeclarationField):
            context["items"] = _items(bound_field, auto_id)
        else:
            context["input"] = _input(bound_field)
    context["described_by"] = " ".join(
        element_id
        for element_id, shown in (
            (context["intro_id"], intro),
            (context["hint_id"], question.hint),
            (context["error_id"], context["error"]),
        )
        if shown
    )
    context["inline"] = question.type == "yes_no"
    context["suffix"] = question.rules.get("suffix", "") if question.type == "number" else ""
    if isinstance(field, UploadField):
        context["current_file"] = "" if errors else _stored_file(bound_field.data, question)
        context["accept"] = field.widget.attrs.get("accept", "")
    return context


def _errors(bound_field: BoundField) -> list:
    """The field's errors as ValidationError instances (PartErrors keep the boxes they name)."""
    return bound_field.errors.as_data() if bound_field.errors else []


def _input(bound_field: BoundField) -> dict[str, Any]:
    widget = bound_field.field.widget
    attrs = {name: str(value) for name, value in widget.attrs.items() if name != "cols"}
    value = bound_field.value()
    return {
        "type": getattr(widget, "input_type", "text"),
        "classes": attrs.pop("class", ""),
        "attrs": sorted(attrs.items()),
        "value": "" if value is None else str(value),
    }


def _items(bound_field: BoundField, auto_id: str) -> list[dict[str, Any]]:
    """Radios, checkboxes or select options; the first id is the field's own id, as GOV.UK Frontend does."""
    field = bound_field.field
    value = bound_field.value()
    if isinstance(field, DeclarationField):
        return [{"id": auto_id, "value": "yes", "label": field.statement, "checked": bool(value)}]
    chosen = {str(item) for item in (value if isinstance(value, (list, tuple)) else [value]) if item not in (None, "")}
    return [
        {
            "id": auto_id if index == 1 else f"{auto_id}-{index}",
            "value": str(option_value),
            "label": option_label,
            "checked": str(option_value) in chosen,
        }
        for index, (option_value, option_label) in enumerate(field.choices, start=1)
    ]


def _add_parts(context: dict[str, Any], bound_field: BoundField, errors: list) -> None:
    """Context of a field of several boxes: `parts` by key, `parts_list` in display order, errors placed.

    A date shows one message for the whole field and highlights the boxes named; the others show
    each box's message next to it.
    """
    field: PartsField = bound_field.field
    raw = bound_field.value()
    values = raw if isinstance(raw, (list, tuple)) else field.widget.decompress(raw)
    per_part = not isinstance(field, DateField)
    group_errors = [error for error in errors if not (per_part and getattr(error, "parts", ()))]
    context["error"] = group_errors[0].messages[0] if group_errors else ""
    flagged = {key for error in errors for key in (getattr(error, "parts", ()) or [p.key for p in field.parts])}
    parts: dict[str, dict[str, Any]] = {}
    for part, value in zip(field.parts, values, strict=False):
        part_id = f"{context['id']}-{part.key}"
        error = next((e.messages[0] for e in errors if per_part and part.key in getattr(e, "parts", ())), "")
        described_by = [
            element for element, shown in ((f"{part_id}-hint", part.hint), (f"{part_id}-error", error)) if shown
        ]
        parts[part.key] = {
            "key": part.key,
            "id": part_id,
            "name": f"{context['name']}-{part.key}",
            "value": "" if value is None else str(value),
            "label": part.label,
            "hint": part.hint,
            "hint_id": f"{part_id}-hint",
            "error": error,
            "error_id": f"{part_id}-error",
            "has_error": part.key in flagged,
            "described_by": " ".join(described_by),
            "autocomplete": part.autocomplete,
            "classes": part.classes,
            "inputmode": part.inputmode,
            "textarea": part.textarea,
        }
    context["parts"] = parts
    context["parts_list"] = [parts[part.key] for part in field.display_parts()]
    context["fieldset_role"] = "group"
    if isinstance(field, AddressField):
        _add_address_lookup(context, bound_field, field)


def _add_address_lookup(context: dict[str, Any], bound_field: BoundField, field: AddressField) -> None:
    """The "Find address" button, and the addresses found when it was pressed or one was chosen."""
    context["lookup_enabled"] = enabled = field.lookup_enabled()
    context["lookup_name"] = f"{context['name']}-lookup"
    context["found"] = None
    form = bound_field.form
    uprn = context["parts"]["uprn"]
    pressed = form.is_bound and hasattr(form, "lookup_requested") and form.lookup_requested(bound_field.name)
    if not enabled or not (pressed or uprn["value"] or uprn["error"]):
        return
    postcode = normalise_postcode(context["parts"]["postcode"]["value"])
    found = find_addresses(postcode) if postcode else []
    context["found"] = [
        {"uprn": address.uprn, "text": address.one_line(), "selected": address.uprn == uprn["value"]}
        for address in found
    ]
    if pressed and not postcode:
        context["lookup_message"] = gettext("Enter a real postcode to find the address")
    elif pressed and not found:
        context["lookup_message"] = gettext("No addresses were found for %(postcode)s. Enter the address below.") % {
            "postcode": postcode
        }


def _stored_file(value: Any, question: Question) -> str:
    """ "name.pdf (120 KB)" for a file kept from an earlier visit; "" for none or a file posted just now."""
    if not value or not getattr(value, "name", "") or isinstance(value, (InMemoryUploadedFile, TemporaryUploadedFile)):
        return ""
    metadata = {"name": os.path.basename(value.name), "size": getattr(value, "size", 0) or 0}
    return answer_for_display(question, metadata)
