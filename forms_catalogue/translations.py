"""Welsh and English e-forms: which language a journey is in, and a request's answers in another language's words.

A Welsh e-form is a translation of the English one (`wagtail.contrib.simple_translation`: the
same `translation_key`, locale "cy") with the same step and question ids, so its answers have
the same keys. Requests are counted against the English (default-locale) service whatever the
language. Staff read a Welsh request's answers under the labels of the English form's current
version (`staff_definition`), and a Welsh speaker's email those of the Welsh form
(`definition_in`), question by question, falling back to the labels stored with the request.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from django.db.models import Subquery
from django.utils.translation import get_language
from wagtail.models import Locale, Page

from portal.language import DEFAULT_LANGUAGE, language_code

from .definition import FormDefinition, Step

if TYPE_CHECKING:
    from home.models import ServicePage

    from .models import EFormPage


def default_locale() -> Locale | None:
    """The default (English) locale, or None when there is none yet."""
    try:
        return Locale.get_default()
    except Locale.DoesNotExist:
        return None


def in_default_locale(page):
    """The default-locale (English) translation of `page`, or `page` itself when it has none or is English."""
    locale = default_locale()
    if locale is None or page.locale_id == locale.pk:
        return page
    return page.get_translation_or_none(locale) or page


def journey_language(page: EFormPage) -> str:
    """The language of a web journey: a translated form's own language, else the language active now."""
    own = language_code(page.locale.language_code)
    if own and own != DEFAULT_LANGUAGE:
        return own
    return language_code(get_language()) or DEFAULT_LANGUAGE


def service_of(page: EFormPage) -> ServicePage:
    """The service a request made on `page` is for: its parent's English translation (requests are counted there)."""
    return in_default_locale(page.get_parent().specific)


def english_definition(form_page_id: int | None) -> FormDefinition | None:
    """The current published definition of the English translation of the form page `form_page_id`, or None."""
    return definition_in(form_page_id, DEFAULT_LANGUAGE)


def definition_in(form_page_id: int | None, language: str) -> FormDefinition | None:
    """The current published definition of the form page's translation into `language`, or None (also for itself).

    One query (none without a form page): the newest version of the other page in that locale sharing its key.
    """
    from .models import FormVersion

    if form_page_id is None:
        return None
    version = (
        FormVersion.objects.filter(
            page__translation_key=Subquery(Page.objects.filter(pk=form_page_id).values("translation_key")[:1]),
            page__locale__language_code=language,
        )
        .exclude(page_id=form_page_id)
        .order_by("-created_at", "-pk")
        .first()
    )
    return version.definition() if version is not None else None


def with_labels_of(definition: FormDefinition, labels: FormDefinition | None) -> FormDefinition:
    """`definition` with the step titles, question labels and options of `labels` where their ids match.

    A question whose type differs in `labels` keeps its own wording (its answers may not fit the other's options).
    """
    if labels is None:
        return definition
    steps = {step.id: step for step in labels.steps}
    questions = {question.id: question for _step, question in labels.questions()}

    def relabelled_step(step: Step) -> Step:
        other = steps.get(step.id)
        repeat = step.repeat
        if other is not None and other.repeat is not None and repeat is not None:
            repeat = dataclasses.replace(
                repeat, item_label=other.repeat.item_label, item_label_plural=other.repeat.item_label_plural
            )
        return dataclasses.replace(
            step,
            title=other.title if other is not None else step.title,
            repeat=repeat,
            questions=tuple(
                dataclasses.replace(question, label=match.label, hint=match.hint, options=match.options)
                if (match := questions.get(question.id)) is not None and match.type == question.type
                else question
                for question in step.questions
            ),
        )

    return dataclasses.replace(
        definition, title=labels.title, steps=tuple(relabelled_step(step) for step in definition.steps)
    )


def staff_definition(
    definition: FormDefinition | None, request, english: dict[int, FormDefinition | None] | None = None
) -> FormDefinition | None:
    """The definition staff read `request` under: relabelled in English when the resident did not use English.

    `english` caches the English definitions by form page id across several requests (a page of them).
    """
    if definition is None or request.language == DEFAULT_LANGUAGE or request.form_page_id is None:
        return definition
    english = {} if english is None else english
    if request.form_page_id not in english:
        english[request.form_page_id] = english_definition(request.form_page_id)
    return with_labels_of(definition, english[request.form_page_id])


def translated(page, language: str):
    """`page` in `language` (its live translation into that locale), else `page` itself."""
    if language_code(page.locale.language_code) == language:
        return page
    translation = page.get_translations().live().filter(locale__language_code=language).first()
    return translation or page
