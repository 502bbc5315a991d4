"""The Content-Security-Policy in Chromium: the public site and the admin's main screens work with no violation.

Every `securitypolicyviolation` event (in any page or frame of the context) and every console
message Chromium writes when it refuses something ("Refused to ...", "Content Security
Policy") is collected; each screen is used as staff use it and must leave none. The check is
shown to catch a violation by adding an inline script without the nonce to a real page.
Also the second-factor steps in the admin's look: a new account sets up its authenticator
app from the page (scanning is replaced by reading the key the page shows), passing axe.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.staff_signin import code_for_secret

from .accessibility import assert_accessible
from .backoffice_fixtures import NAVIGATION_TIMEOUT_MS, TIMEOUT_MS, RequestSpec, submit_requests

MISSED_BIN = "report-missed-bin"
WATCH_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', (event) => {
  window.__portalCspViolation({
    directive: event.violatedDirective, blocked: event.blockedURI,
    source: event.sourceFile, line: event.lineNumber, sample: event.sample,
  });
});
"""
REFUSED = re.compile(r"Content Security Policy", re.IGNORECASE)


class Violations:
    """The CSP violations seen in a browser context, from its pages' events and console."""

    def __init__(self, context):
        self.seen: list[str] = []
        context.expose_binding("__portalCspViolation", self._reported)
        context.add_init_script(WATCH_VIOLATIONS)
        context.on("console", self._console)

    def _reported(self, source, violation) -> None:
        self.seen.append(f"{source['frame'].url}: {violation}")

    def _console(self, message) -> None:
        if REFUSED.search(message.text):
            self.seen.append(f"console: {message.text}")

    def assert_none(self, page, where: str) -> None:
        page.wait_for_timeout(300)  # events are dispatched after the work that caused them
        assert not self.seen, f"CSP violations on {where}: {self.seen}"


@pytest.fixture
def watched(new_context):
    """A page of a new (signed-out) browser context, and the CSP violations seen in it."""
    context = new_context()
    violations = Violations(context)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page, violations


@pytest.fixture
def admin_page(staff_context):
    violations = Violations(staff_context)
    page = staff_context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    return page, violations


def page_id(portal_server, model: str, **lookup: str) -> int:
    module, name = model.rsplit(".", 1)
    return portal_server.shell_json(
        f"import json\nfrom {module} import {name}\nprint(json.dumps({name}.objects.get(**{lookup!r}).pk))"
    )


def test_public_pages_and_an_e_form_step_run_with_no_violation(watched, eform_urls):
    page, violations = watched
    page.goto("/")
    expect(page.locator("body")).to_have_class(re.compile("govuk-frontend-supported"))  # the hashed snippet ran
    violations.assert_none(page, "the home page")
    page.goto("/search/?q=bins")
    page.goto("/track/")
    violations.assert_none(page, "search and tracking")
    page.goto(eform_urls[MISSED_BIN])
    page.get_by_role("button", name=re.compile("Start now|Continue")).first.click()
    page.get_by_role("button", name="Continue").click()  # nothing answered: the error summary
    expect(page.locator(".govuk-error-summary")).to_be_focused()  # GOV.UK Frontend's script moved the focus
    violations.assert_none(page, "an e-form step and its errors")


def test_the_check_catches_a_script_without_the_nonce(watched):
    page, violations = watched
    page.goto("/")
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = '1'; document.body.append(s); }")
    page.wait_for_timeout(300)
    assert any("script-src" in seen for seen in violations.seen), violations.seen


def test_admin_dashboard_requests_and_coverage_with_no_violation(admin_page, portal_server):
    page, violations = admin_page
    (made,) = submit_requests(portal_server, RequestSpec(service=MISSED_BIN, email="csp.check@example.com"))
    page.goto("/admin/")
    expect(page.get_by_role("link", name="Requests")).to_be_visible()
    violations.assert_none(page, "the dashboard")
    page.goto("/admin/requests/")
    page.get_by_role("link", name=made["reference"]).click()
    expect(page.locator("h1")).to_contain_text(made["reference"])
    violations.assert_none(page, "the request list and a request")
    page.goto("/admin/coverage/")
    expect(page.get_by_role("img", name="Services online by category")).to_be_visible()
    violations.assert_none(page, "the coverage dashboard")


def test_page_editor_with_its_preview_and_date_picker_with_no_violation(admin_page, portal_server):
    page, violations = admin_page
    service = page_id(portal_server, "home.models.ServicePage", slug=MISSED_BIN)
    page.goto(f"/admin/pages/{service}/edit/")
    page.get_by_role("button", name="Toggle preview").click()
    preview = page.frame_locator('iframe[title="Preview"]').last
    expect(preview.locator("h1")).to_be_visible(timeout=NAVIGATION_TIMEOUT_MS)  # framed: frame-ancestors 'self'
    violations.assert_none(page, "the page editor and its preview")
    page.get_by_role("button", name="Toggle status").click()
    page.get_by_role("button", name="Set schedule").click()
    page.get_by_label(re.compile("go.live", re.IGNORECASE)).click()  # a date picker, set up by an inline script
    expect(page.locator(".xdsoft_datetimepicker:visible")).to_have_count(1)
    violations.assert_none(page, "the publishing schedule's date picker")


def test_form_builder_with_no_violation(admin_page, portal_server):
    page, violations = admin_page
    form = portal_server.shell_json(
        "import json\nfrom forms_catalogue.models import EFormPage\nfrom home.models import ServicePage\n"
        f"print(json.dumps(EFormPage.objects.child_of(ServicePage.objects.get(slug={MISSED_BIN!r})).get().pk))"
    )
    page.goto(f"/admin/pages/{form}/edit/")
    expect(page.locator("[data-streamfield-stream-container]").first).to_be_visible()
    page.get_by_role("button", name="Toggle preview").click()
    expect(page.frame_locator('iframe[title="Preview"]').last.locator("h1")).to_be_visible(
        timeout=NAVIGATION_TIMEOUT_MS
    )
    violations.assert_none(page, "the form builder")


def test_a_new_account_sets_up_its_second_factor_in_the_admin(watched, portal_server, base_url, screenshot):
    username, password = "new.starter", "kettle-orbit-violet-mango"
    portal_server.shell(
        "from django.contrib.auth import get_user_model\n"
        f"get_user_model().objects.filter(username={username!r}).exists() or "
        f"get_user_model().objects.create_superuser({username!r}, 'new.starter@example.invalid', {password!r})"
    )
    page, violations = watched
    page.goto("/admin/requests/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Set up your second factor")
    expect(page.get_by_role("img", name="QR code to scan with your authenticator app")).to_be_visible()
    assert_accessible(page, "second factor set-up")
    screenshot(page, "admin-second-factor-set-up")
    page.get_by_label("Code from the app").fill("12")
    page.get_by_role("button", name="Set up").click()
    expect(page.locator(".messages").get_by_text("Enter the code as 6 digits")).to_be_visible()
    assert_accessible(page, "second factor set-up, error")
    page.get_by_label("Code from the app").fill(code_for_secret(page.locator("#totp-secret").inner_text()))
    page.get_by_role("button", name="Set up").click()
    expect(page.locator("h1")).to_have_text("Your recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert_accessible(page, "recovery codes")
    page.get_by_role("link", name="Continue: I have kept my codes").click()
    expect(page).to_have_url(f"{base_url}/admin/requests/")
    violations.assert_none(page, "the second-factor set-up")


def test_the_api_docs_work_with_no_violation(watched):
    page, violations = watched
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title").first).to_be_visible(timeout=NAVIGATION_TIMEOUT_MS)
    violations.assert_none(page, "the API docs (Swagger UI)")
