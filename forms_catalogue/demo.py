"""The demo council's e-forms, one file per service in `demo_forms/`, published under their service pages.

Run after the demo council's services are loaded (`home.demo.load_demo_council`): a form
whose service page does not exist yet is skipped, and one whose service already has an
e-form is left alone, so loading again creates nothing and never overwrites an editor's work.
A form that fails the blocks' or the page's validation raises ValidationError and nothing
is created.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from home.demo import paragraphs_html
from home.models import ServicePage

from .models import EFormPage
from .stream import stream_data_from_definition, stream_problems

DEMO_FORMS_DIR = Path(__file__).resolve().parent / "demo_forms"
FORM_SLUG = "form"


@cache
def demo_forms() -> dict[str, dict[str, Any]]:
    """The demo forms by service slug: `demo_forms/<service slug>.json`, each naming the pattern it was made from."""
    forms = {}
    for path in sorted(DEMO_FORMS_DIR.glob("*.json")):
        form = json.loads(path.read_text(encoding="utf-8"))
        forms[form["service_slug"]] = form
    return forms


def definition_json(form: dict[str, Any]) -> dict[str, Any]:
    """The FormDefinition JSON of one demo form."""
    return {"title": form["title"], "declaration": form.get("declaration", ""), "steps": form["steps"]}


def eform_page(form: dict[str, Any]) -> EFormPage:
    """An unsaved EFormPage built from one demo form; raises ValidationError if its blocks are invalid."""
    steps = stream_data_from_definition(form)
    problems = stream_problems(steps)
    if problems:
        raise ValidationError({"steps": problems})
    page = EFormPage(
        title=form["title"],
        slug=FORM_SLUG,
        intro=form.get("intro", ""),
        confirmation_text=paragraphs_html(form.get("confirmation_text", "")),
        steps=steps,
    )
    if form.get("declaration"):
        page.declaration = form["declaration"]
    return page


@transaction.atomic
def load_demo_forms() -> int:
    """Publish each demo form under its service page when that service has no e-form yet; return how many."""
    forms = demo_forms()
    services = ServicePage.objects.filter(slug__in=forms)
    created = 0
    for service in services:
        if EFormPage.objects.child_of(service).exists():
            continue
        page = eform_page(forms[service.slug])
        service.add_child(instance=page)  # saving a live page runs full_clean(), so EFormPage.clean() checks it
        page.save_revision(log_action=True).publish()
        created += 1
    return created
