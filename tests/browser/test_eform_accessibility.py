"""Every step of every demo e-form, in its normal and its error state, passes axe-core's WCAG 2.2 AA rules.

Each form is walked as a citizen would, once per set of choices needed to show every
conditional step and question (see `FormSpec.conditional_choices`), adding a second item to
each repeating step. On each step not seen before:
- normal state: zero axe violations, and the title names the step (it starts with the heading);
- error state (required questions empty, optional ones given a wrong answer): zero axe
  violations, the title starts with "Error: ", the error summary has the focus, and each of
  its links points at an element on the page.
Then check your answers (normal and error state) and, on the first walk, the confirmation.
Finally every step (but exit pages) and every question of the definition must have been shown at
least once. Each exit page is reached by its own walk and checked in its normal state (it has no
error state: nothing to send).
"""

from __future__ import annotations

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


def check_step(page, spec: FormSpec, name: str) -> None:
    """Normal state, then error state, of the step on the page (which stays on the same step)."""
    assert_accessible(page, f"{spec.slug} {name}")
    check_title_names_step(page, spec, error=False)
    make_step_invalid(page, spec)
    submit(page)
    assert step_name(page.url) == name, f"{spec.slug} {name}: a wrong or empty answer was accepted"
    check_error_summary(page)
    check_title_names_step(page, spec, error=True)
    assert_accessible(page, f"{spec.slug} {name} (error state)")


def check_remove_item_page(page, spec: FormSpec) -> None:
    """The "are you sure?" page behind a Remove link of a repeated item, then back to check your answers."""
    remove = page.locator("main a", has_text="Remove")
    if not remove.count():
        return
    remove.first.click()
    expect(page.locator("h1")).to_have_text("Are you sure you want to remove this?")
    assert page.title() == f"Are you sure you want to remove this? - {spec.title} - {settings.COUNCIL_NAME}"
    assert_accessible(page, f"{spec.slug} remove an item")
    page.get_by_role("link", name="No, go back to check your answers").click()
    assert step_name(page.url) == CHECK_STEP


@pytest.mark.parametrize("spec", SPECS, ids=[spec.slug for spec in SPECS])
def test_every_step_of_the_form_is_accessible(page, spec, eform_urls, screenshot):
    checked: set[tuple[str, tuple[str, ...]]] = set()
    steps_shown: set[str] = set()
    questions_shown: set[str] = set()
    for walk, choices in enumerate(spec.conditional_choices()):
        page.goto(eform_urls[spec.slug] + "start/")
        added_another: set[str] = set()
        for _ in range(40):  # no demo form is this long: a loop here is a bug
            name = step_name(page.url)
            questions = tuple(question["id"] for question in visible_questions(page, name, spec))
            if (name, questions) not in checked:
                checked.add((name, questions))
                check_step(page, spec, name)
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
            pytest.fail(f"{spec.slug}: the journey did not reach check your answers")
        if walk == 0:
            screenshot(page, f"eform-{spec.slug}-check-answers")
            check_remove_item_page(page, spec)
            page.check(f'[name="{CHECK_STEP}-confirm"]')
            submit(page)
            assert page.url.endswith("/confirmation/"), f"{spec.slug}: submitting did not confirm ({page.url})"
            assert page.locator("[data-reference]").inner_text().strip()
            assert_accessible(page, f"{spec.slug} confirmation")
            assert page.title().startswith("Request sent - ")
    all_steps = {step["id"] for step in spec.steps if step not in spec.exit_steps()}
    all_questions = set(spec.questions())
    assert steps_shown == all_steps, f"steps never shown: {sorted(all_steps - steps_shown)}"
    assert questions_shown == all_questions, f"questions never shown: {sorted(all_questions - questions_shown)}"


EXITS = [(spec, step) for spec in SPECS for step in spec.exit_steps()]


@pytest.mark.parametrize(("spec", "exit_step"), EXITS, ids=[f"{spec.slug}-{step['id']}" for spec, step in EXITS])
def test_every_exit_page_is_accessible(page, spec, exit_step, eform_urls, screenshot):
    """An exit page, reached by the answers that lead there: no axe violations, titled by its heading, no form."""
    page.goto(eform_urls[spec.slug] + "start/")
    choices = spec.choices_leading_to(exit_step)
    for _ in range(40):
        name = step_name(page.url)
        if name == exit_step["id"]:
            break
        assert name != CHECK_STEP, f"{spec.slug}: the journey passed the exit page {exit_step['id']}"
        answer_step(page, spec, Answers(choices=choices))
        submit(page)
    else:
        pytest.fail(f"{spec.slug}: the journey did not reach the exit page {exit_step['id']}")
    assert_accessible(page, f"{spec.slug} exit page {name}")
    check_title_names_step(page, spec, error=False)
    expect(page.locator("h1")).to_have_text(exit_step["title"])
    expect(page.locator("main form, main button")).to_have_count(0)
    screenshot(page, f"eform-{spec.slug}-exit-{name}")


@pytest.mark.parametrize("slug", ["blue-badge", "housing-register", "report-pothole"])
def test_every_step_reflows_at_320_css_pixels(page, slug, eform_urls, screenshot):
    """WCAG 1.4.10 Reflow on the form pages: date, address, location, number with suffix, uploads, lists."""
    spec = next(spec for spec in SPECS if spec.slug == slug)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(eform_urls[slug] + "start/")
    choices = spec.conditional_choices()[0]
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
