"""Every step of every demo e-form passes axe-core's WCAG 2.2 AA rules, in its normal and its error state.

Each form is walked as a citizen would, once per set of choices needed to show every
conditional step and question, then once to each exit page (see `FormSpec.walks`), adding a
second item to each repeating step. On each step not seen before:
- normal state: zero axe violations, and the title names the step (it starts with the heading);
- error state (required questions empty, optional ones given a wrong answer): zero axe
  violations, the title starts with "Error: ", the error summary has the focus, and each of
  its links points at an element on the page.
Then check your answers (normal and error state) and, on the first walk that reaches it, the
confirmation; an exit page is checked in its normal state and ends its walk. Finally every step
and every question of the definition must have been shown at least once.

`make test` checks six representative forms, which between them have every question type,
branch, repeat, exit page and upload rule of the demo forms. Every other demo form (the other
six original ones included) gets the same check in the `exhaustive` tier (`make exhaustive`, run by CI).
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from .accessibility import assert_accessible, horizontal_overflow
from .eforms import (
    CHECK_STEP,
    LIST_SUFFIX,
    Answers,
    FormSpec,
    answer_step,
    continue_button,
    form_specs,
    make_step_invalid,
    step_name,
    visible_questions,
)

SPECS = form_specs()
REMOVE_LINK = re.compile(r"^\s*Remove\b")
# Between them every question type, branch, repeat, exit page and upload rule of the demo forms.
REPRESENTATIVE = {
    "report-missed-bin",
    "report-fly-tipping",
    "bulky-waste",
    "blue-badge",
    "housing-register",
    "make-a-complaint",
}
SPEC_PARAMS = [
    pytest.param(spec, id=spec.slug, marks=() if spec.slug in REPRESENTATIVE else pytest.mark.exhaustive)
    for spec in SPECS
]


def heading_from_title(page, spec: FormSpec) -> str:
    """The step part of "<step heading> - <form title> - <council>"."""
    title = page.title()
    suffix = f" - {spec.title} - {settings.COUNCIL_NAME}"
    assert title.endswith(suffix), f"title {title!r} does not end with {suffix!r}"
    return title.removesuffix(suffix)


def check_title_names_step(page, spec: FormSpec, error: bool) -> None:
    heading = heading_from_title(page, spec)
    if error:
        assert heading.startswith("Error: "), f"error page title {page.title()!r} does not start with 'Error: '"
        heading = heading.removeprefix("Error: ")
    else:
        assert not heading.startswith("Error"), page.title()
    h1 = " ".join(page.locator("h1").first.inner_text().split())
    assert heading and h1.startswith(heading), f"title {page.title()!r} does not name the step {h1!r}"


def check_error_summary(page) -> None:
    summary = page.locator(".govuk-error-summary")
    assert summary.count() == 1, "no error summary after submitting a step with errors"
    assert page.evaluate("() => document.activeElement.classList.contains('govuk-error-summary')"), (
        "the error summary does not have the focus"
    )
    for link in summary.locator("a").all():
        target = link.get_attribute("href")
        assert target.startswith("#") and page.locator(target).count() == 1, f"error link {target} points nowhere"


def submit(page) -> None:
    with page.expect_navigation():
        continue_button(page).click()


def check_step(page, spec: FormSpec, name: str, error_state: bool = True) -> None:
    """Normal state, then (unless told not to) error state, of the step on the page (which stays on the same step)."""
    assert_accessible(page, f"{spec.slug} {name}")
    check_title_names_step(page, spec, error=False)
    if not error_state:
        return
    make_step_invalid(page, spec)
    submit(page)
    assert step_name(page.url) == name, f"{spec.slug} {name}: a wrong or empty answer was accepted"
    check_error_summary(page)
    check_title_names_step(page, spec, error=True)
    assert_accessible(page, f"{spec.slug} {name} (error state)")


def check_remove_item_page(page, spec: FormSpec) -> None:
    """The "are you sure?" page behind a Remove link of a repeated item, then back to check your answers."""
    remove = page.locator("main a", has_text=REMOVE_LINK)  # not a Change link whose question says "remove"
    if not remove.count():
        return
    remove.first.click()
    expect(page.locator("h1")).to_have_text("Are you sure you want to remove this?")
    assert page.title() == f"Are you sure you want to remove this? - {spec.title} - {settings.COUNCIL_NAME}"
    assert_accessible(page, f"{spec.slug} remove an item")
    page.get_by_role("link", name="No, go back to check your answers").click()
    assert step_name(page.url) == CHECK_STEP


def on_exit_page(page, spec: FormSpec, name: str, steps_shown: set[str]) -> bool:
    """True on a page without a Continue button: it must be one of the form's exit pages, and accessible."""
    if continue_button(page).count():
        return False
    heading = " ".join(page.locator("h1").first.inner_text().split())
    step = spec.exit_step_shown(name, heading)
    assert step is not None, f"{spec.slug}: {page.url} has no Continue button and is not an exit page ({heading!r})"
    assert_accessible(page, f"{spec.slug} {name} (exit page)")
    check_title_names_step(page, spec, error=False)
    steps_shown.add(step["id"])
    return True


def confirm(page, spec: FormSpec, screenshot) -> None:
    """From check your answers: the remove-item page, then send, and check the confirmation."""
    screenshot(page, f"eform-{spec.slug}-check-answers")
    check_remove_item_page(page, spec)
    page.check(f'[name="{CHECK_STEP}-confirm"]')
    submit(page)
    assert page.url.endswith("/confirmation/"), f"{spec.slug}: submitting did not confirm ({page.url})"
    assert page.locator("[data-reference]").inner_text().strip()
    assert_accessible(page, f"{spec.slug} confirmation")
    assert page.title().startswith("Request sent - ")


@pytest.mark.parametrize("spec", SPEC_PARAMS)
def test_every_step_of_the_form_is_accessible(page, spec, eform_urls, screenshot):
    checked: set[tuple[str, tuple[str, ...]]] = set()
    steps_shown: set[str] = set()
    questions_shown: set[str] = set()
    confirmed = False
    for choices in spec.walks():
        page.goto(eform_urls[spec.slug] + "start/")
        added_another: set[str] = set()
        for _ in range(60):  # no demo form is this long: a loop here is a bug
            name = step_name(page.url)
            if on_exit_page(page, spec, name, steps_shown):
                break
            questions = tuple(question["id"] for question in visible_questions(page, name, spec))
            if (name, questions) not in checked:
                check_step(page, spec, name)
                checked.add((name, questions))
            if name == CHECK_STEP:
                break
            step = spec.step(name)
            assert step is not None, f"{spec.slug}: the journey went to an unknown step {name!r}"
            steps_shown.add(step["id"])
            questions_shown.update(questions)
            repeat = name.endswith(LIST_SUFFIX) and step["id"] not in added_another
            added_another.update([step["id"]] if repeat else [])
            answer_step(page, spec, Answers(choices=choices), add_another=repeat)
            submit(page)
            assert step_name(page.url) != name, f"{spec.slug} {name}: valid answers were rejected"
        else:
            pytest.fail(f"{spec.slug}: the journey reached neither check your answers nor an exit page")
        if name == CHECK_STEP and not confirmed:
            confirm(page, spec, screenshot)
            confirmed = True
    assert confirmed, f"{spec.slug}: no walk reached check your answers"
    all_steps = {step["id"] for step in spec.steps}
    all_questions = set(spec.questions())
    assert steps_shown == all_steps, f"steps never shown: {sorted(all_steps - steps_shown)}"
    assert questions_shown == all_questions, f"questions never shown: {sorted(all_questions - questions_shown)}"


@pytest.mark.parametrize("slug", ["blue-badge", "housing-register", "report-pothole"])
def test_every_step_reflows_at_320_css_pixels(page, slug, eform_urls, screenshot):
    """WCAG 1.4.10 Reflow on the form pages: date, address, location, number with suffix, uploads, lists."""
    spec = next(spec for spec in SPECS if spec.slug == slug)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(eform_urls[slug] + "start/")
    choices = spec.walks()[0]
    added_another: set[str] = set()
    for _ in range(40):
        name = step_name(page.url)
        overflow = horizontal_overflow(page)
        assert overflow <= 0, f"{slug} {name} scrolls sideways by {overflow} px at 320 px"
        if name == CHECK_STEP:
            break
        repeat = name.endswith(LIST_SUFFIX) and name not in added_another
        added_another.update([name] if repeat else [])
        answer_step(page, spec, Answers(choices=choices), add_another=repeat)
        submit(page)
    screenshot(page, f"eform-{slug}-check-answers-320px")
    page.check(f'[name="{CHECK_STEP}-confirm"]')
    submit(page)
    assert page.url.endswith("/confirmation/")
    assert horizontal_overflow(page) <= 0, f"{slug} confirmation scrolls sideways at 320 px"
    screenshot(page, f"eform-{slug}-confirmation-320px")
