"""Form performance and feedback in the browser: a citizen sends a form and says how it was; the web team sees it.

The feedback page (normal, error and thank-you states) and the two admin pages (every form, one
form with its funnel chart) pass axe-core's WCAG 2.2 AA checks; the admin pages at desktop width
and at 320 CSS px too.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .accessibility import VIEWPORTS, assert_accessible
from .eforms import CHECK_STEP, Answers, answer_step, continue_button, form_specs, step_name

SLUG = "report-missed-bin"
LIST = "/admin/form-performance/"
COMMENT = "Finding my collection day was <hard>"


def send_form(page, eform_urls) -> None:
    """Walk the form to its confirmation page, avoiding exit pages."""
    spec = next(spec for spec in form_specs() if spec.slug == SLUG)
    choices = spec.walks()[0]
    page.goto(eform_urls[SLUG] + "start/")
    for _ in range(30):
        if step_name(page.url) == CHECK_STEP:
            break
        answer_step(page, spec, Answers(choices=choices))
        with page.expect_navigation():
            continue_button(page).click()
    page.check(f'[name="{CHECK_STEP}-confirm"]')
    with page.expect_navigation():
        continue_button(page).click()
    expect(page.locator("[data-reference]")).to_be_visible()


@pytest.fixture(scope="module")
def feedback_given(browser, base_url, eform_urls, portal_server):
    """A citizen sends the missed-bin form and leaves feedback (checked on the way); the form's page id."""
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    try:
        send_form(page, eform_urls)
        page.get_by_role("link", name="What did you think of this service?").click()
        expect(page.locator("h1")).to_have_text("How was this service?")
        assert_accessible(page, "feedback page")

        page.get_by_role("button", name="Send feedback").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Select how you feel about this service")
        assert page.title().startswith("Error: How was this service?")
        assert_accessible(page, "feedback page (error state)")

        page.get_by_label("Dissatisfied", exact=True).check()
        page.get_by_label("How could we improve this service? (optional)").fill(COMMENT)
        page.get_by_role("button", name="Send feedback").click()
        expect(page.locator("h1")).to_have_text("Thank you for your feedback")
        assert_accessible(page, "feedback thank you")
        page.reload()  # sending again counts nothing: the page only thanks
        expect(page.locator("h1")).to_have_text("Thank you for your feedback")
    finally:
        context.close()
    return portal_server.shell_json(
        "import json\n"
        "from home.models import ServicePage\n"
        f"print(json.dumps(ServicePage.objects.get(slug={SLUG!r}).live_eform().pk))"
    )


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_form_performance_pages_are_accessible(staff_context, feedback_given, viewport, screenshot):
    page = staff_context.new_page()
    page.set_viewport_size(VIEWPORTS[viewport])
    assert page.goto(LIST).status == 200
    expect(page.locator("h1")).to_have_text("Form performance")
    assert_accessible(page, f"form performance list at {viewport}")
    screenshot(page, f"admin-form-performance-{viewport}")

    assert page.goto(f"{LIST}{feedback_given}/").status == 200
    expect(page.get_by_role("img", name="Journeys that reached each step")).to_be_visible()
    expect(page.locator("main")).to_contain_text(COMMENT)  # shown as text, not markup
    assert_accessible(page, f"form performance of one form at {viewport}")
    screenshot(page, f"admin-form-report-{viewport}")


def test_the_web_team_finds_the_form_in_the_menu_and_downloads_its_funnel(staff_context, feedback_given):
    page = staff_context.new_page()
    page.goto("/admin/")
    page.get_by_role("link", name="Form performance").click()
    expect(page.locator("h1")).to_have_text("Form performance")
    page.locator(f'a[href^="{LIST}{feedback_given}/"]').first.click()
    expect(page.locator("main")).to_contain_text("Dissatisfied")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Journeys that reached each step” as CSV").click()
    assert download.value.suggested_filename.endswith(".csv") and "funnel" in download.value.suggested_filename
