"""The citizen's tracking page passes axe-core's WCAG 2.2 AA rules in every state, and reflows at 320 px.

States: the empty form, the error state (nothing entered), not found (a reference and email
that do not match), and the result of a resolved request with a note from the council. The
request is made through `backoffice.intake.submit` and resolved through `backoffice.casework`,
as the web form and the staff view do.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .accessibility import assert_accessible, horizontal_overflow
from .backoffice_fixtures import RequestSpec, submit_requests

EMAIL = "jo.tracker@example.com"
PUBLIC_NOTE = "We filled the pothole on 3 March.\nThank you for reporting it."
INTERNAL_NOTE = "Crew B, cold-lay repair; recheck in six weeks."


@pytest.fixture(scope="module")
def resolved_request(portal_server) -> dict:
    (made,) = submit_requests(
        portal_server,
        RequestSpec("report-pothole", email=EMAIL, answers={"email": EMAIL}, resolve_with=(PUBLIC_NOTE, INTERNAL_NOTE)),
    )
    return made


def find(page, reference: str, email: str) -> None:
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Find my request").click()


def check_state(page, name: str, screenshot) -> None:
    """Zero axe violations, one h1 the title follows, nothing scrolls sideways at 320 CSS px."""
    expect(page.locator("h1")).to_have_count(1)
    heading = page.locator("h1").inner_text().strip()
    assert heading in page.title(), f"{name}: title {page.title()!r} does not name the page ({heading!r})"
    assert_accessible(page, name)
    screenshot(page, f"track-{name}")
    viewport = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        assert horizontal_overflow(page) == 0, f"{name}: the page scrolls sideways at 320 CSS px"
    finally:
        page.set_viewport_size(viewport)


def test_tracking_page_is_accessible_in_every_state(page, resolved_request, screenshot):
    page.set_default_timeout(15_000)
    response = page.goto("/track/")
    assert response.status == 200
    expect(page).to_have_title(re.compile(r"^Track a request - "))
    check_state(page, "empty", screenshot)

    page.get_by_role("button", name="Find my request").click()  # nothing entered
    expect(page).to_have_title(re.compile(r"^Error: Track a request - "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves the focus to the summary
    expect(summary.get_by_role("link")).to_have_text(["Enter your reference", "Enter your email address"])
    expect(page.get_by_label("Reference")).to_have_attribute("aria-describedby", re.compile(r"\bid_reference-error\b"))
    expect(page.get_by_label("Email address")).to_have_attribute("aria-describedby", re.compile(r"\bid_email-error\b"))
    summary.get_by_role("link", name="Enter your email address").click()
    expect(page.get_by_label("Email address")).to_be_focused()
    check_state(page, "error", screenshot)

    find(page, "K7MQ-X3PT-RA", EMAIL)  # a well-formed reference that does not exist
    expect(page).to_have_title(re.compile(r"^Error: Track a request - "))
    expect(summary).to_contain_text("We cannot find a request with that reference and email address")
    expect(summary).to_be_focused()
    check_state(page, "not-found", screenshot)

    find(page, resolved_request["reference"], EMAIL)
    expect(page.locator("h1")).to_have_text(f"Your request {resolved_request['reference']}")
    main = page.locator("main")
    expect(main).to_contain_text("Resolved")
    expect(main).to_contain_text("We filled the pothole on 3 March.")
    expect(main).not_to_contain_text(INTERNAL_NOTE)
    check_state(page, "result", screenshot)
