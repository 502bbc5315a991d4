"""The accessibility checks catch a real regression: proof that a zero-violation result means something.

Each test breaks a real rendered page the way a template change could, and expects the
check the suite relies on to fail.
"""

from __future__ import annotations

import pytest

from .accessibility import (
    add_styles,
    assert_accessible,
    axe_violations,
    focused,
    has_visible_focus,
    horizontal_overflow,
)


@pytest.fixture
def step_page(page, eform_urls):
    """The first step of a real journey, which passes the checks as it is."""
    page.goto(eform_urls["report-missed-bin"] + "start/")
    assert axe_violations(page) == []
    return page


def test_a_question_without_a_label_fails_the_axe_check(step_page):
    step_page.evaluate(
        """() => {
        const group = document.createElement('div');
        group.className = 'govuk-form-group';
        group.innerHTML = '<input class="govuk-input" id="where-unlabelled" name="where-unlabelled" type="text">';
        document.querySelector('form .govuk-button-group').before(group);
    }"""
    )
    with pytest.raises(AssertionError) as failure:
        assert_accessible(step_page, "step with an unlabelled question")
    report = str(failure.value)
    assert "- label (critical): Form elements must have labels" in report
    assert "#where-unlabelled" in report


def test_text_with_too_little_contrast_fails_the_axe_check(step_page):
    step_page.evaluate("() => { document.querySelector('.govuk-hint').style.color = '#b1b4b6'; }")
    violations = axe_violations(step_page)
    assert [violation["id"] for violation in violations] == ["color-contrast"]


def test_a_removed_focus_style_fails_the_focus_check(step_page):
    add_styles(step_page, ".govuk-input:focus { outline: none !important; box-shadow: none !important; }")
    step_page.locator("input.govuk-input").first.focus()
    assert not has_visible_focus(focused(step_page))


def test_a_fixed_width_element_fails_the_reflow_check(step_page):
    step_page.set_viewport_size({"width": 320, "height": 640})
    assert horizontal_overflow(step_page) <= 0
    step_page.evaluate("() => { document.querySelector('.govuk-hint').style.width = '600px'; }")
    assert horizontal_overflow(step_page) > 0
