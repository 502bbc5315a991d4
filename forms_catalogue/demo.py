"""The demo council's e-forms, one file per service in `demo_forms/`, published under their service pages;
and their Welsh versions (`demo_forms/cy/`), published as translations of the English forms.

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
from wagtail.models import Locale

from home.demo import paragraphs_html
from home.models import ServicePage
from home.translation import translate_and_publish, translation_in, welsh_locale

from .exchange import FORMAT, FORMAT_VERSION, ImportProblem, ParsedDocument, fill_page, parse_document
from .models import EFormPage
from .stream import stream_data_from_definition, stream_problems

DEMO_FORMS_DIR = Path(__file__).resolve().parent / "demo_forms"
WELSH_FORMS_DIR = DEMO_FORMS_DIR / "cy"
FORM_SLUG = "form"


@cache
def demo_forms(directory: Path = DEMO_FORMS_DIR) -> dict[str, dict[str, Any]]:
    """The demo forms by service slug: `<directory>/<service slug>.json`, each naming the pattern it was made from."""
    forms = {}
    for path in sorted(directory.glob("*.json")):
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
    services = ServicePage.objects.filter(slug__in=forms, locale=Locale.get_default())
    created = 0
    for service in services:
        if EFormPage.objects.child_of(service).exists():
            continue
        page = eform_page(forms[service.slug])
        service.add_child(instance=page)  # saving a live page runs full_clean(), so EFormPage.clean() checks it
        page.save_revision(log_action=True).publish()
        created += 1
    return created


def parsed_document(form: dict[str, Any]) -> ParsedDocument:
    """A demo form read as a form file is imported: checked as a whole; raises ImportProblem naming the problem."""
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "form": {
            **definition_json(form),
            "intro": form.get("intro", ""),
            "confirmation_text": form.get("confirmation_text", ""),
        },
    }
    return parse_document(json.dumps(document))


@transaction.atomic
def load_welsh_demo_forms() -> int:
    """Translate each English demo form that has a Welsh file into Welsh and publish it; return how many.

    Run after `home.demo_welsh.load_welsh_pages`: a form whose service has no Welsh page yet is
    skipped, and one that already has a Welsh version is left alone. Each Welsh file is checked
    like an imported form file, then written into the Translate action's copy, whose publishing
    checks that it keeps the English form's structure; either problem raises ImportProblem.
    """
    welsh = welsh_locale()
    forms = demo_forms(WELSH_FORMS_DIR)
    created = 0
    services = ServicePage.objects.filter(slug__in=forms, locale=Locale.get_default())
    for service in services:
        english = EFormPage.objects.child_of(service).first()
        if english is None or translation_in(service, welsh) is None:
            continue
        parsed = parsed_document(forms[service.slug])
        try:
            created += translate_and_publish(english, welsh, lambda copy, parsed=parsed: fill_page(copy, parsed))
        except ValidationError as error:
            raise ImportProblem([f"{service.slug}: {message}" for message in error.messages]) from None
    return created
