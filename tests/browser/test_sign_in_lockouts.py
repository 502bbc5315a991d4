"""Settings → Sign-in lock-outs in the browser: a locked account and address are listed and unlocked.

A person locks themself out with wrong passwords (which locks their account and, as every
attempt comes from 127.0.0.1, that address too); the service desk (a superuser here; the
permission gives the same page) unlocks the account from the list, which clears the address
as well (counted in the database, its failures are the account's), looks the address up, with
no CSP violation and passing axe at each step, and the person then signs in. Whatever
happens, the address is unlocked at the end, so the other browser tests can still sign in.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.staff_signin import create_device_code, pass_second_factor

from .accessibility import assert_accessible
from .backoffice_fixtures import TIMEOUT_MS
from .test_content_security_policy import Violations

URL = "/admin/sign-in-lockouts/"
USERNAME, PASSWORD = "locked.out.person", "kettle-orbit-violet-mango"
ADDRESS = "127.0.0.1"


def sign_in(page, password: str) -> None:
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def test_the_service_desk_unlocks_a_locked_account_and_address(
    new_context, staff_context, portal_server, base_url, screenshot
):
    portal_server.shell(
        "from django.contrib.auth import get_user_model\n"
        f"get_user_model().objects.filter(username={USERNAME!r}).exists() or "
        f"get_user_model().objects.create_superuser({USERNAME!r}, 'locked.out@example.invalid', {PASSWORD!r})\n"
        + create_device_code(USERNAME)
    )
    person = new_context().new_page()
    person.set_default_timeout(TIMEOUT_MS)
    violations = Violations(staff_context)
    desk = staff_context.new_page()
    desk.set_default_timeout(TIMEOUT_MS)
    try:
        for _ in range(10):
            sign_in(person, "not-the-password-at-all")
        sign_in(person, PASSWORD)
        expect(person.locator("h1")).to_have_text("Sign-in locked")

        desk.goto(URL)
        rows = desk.locator("#lockouts tbody tr")
        expect(rows.filter(has_text=f"Account {USERNAME}")).to_have_count(1)
        expect(rows.filter(has_text=f"Address {ADDRESS}")).to_have_count(1)
        assert_accessible(desk, "sign-in lock-outs, listed")
        screenshot(desk, "admin-sign-in-lockouts")

        desk.get_by_role("link", name=f"Unlock {USERNAME}").click()
        expect(desk.locator("h1")).to_have_text("Unlock sign-in")
        expect(desk.locator("#to-unlock")).to_contain_text(f"The account {USERNAME}: 11 failed sign-ins are counted.")
        assert_accessible(desk, "sign-in lock-outs, confirm")
        desk.get_by_role("button", name="Yes, unlock").click()
        expect(desk.locator(".messages")).to_contain_text(f"The account {USERNAME} is unlocked (11 failed sign-ins")
        expect(desk.locator("#locked-content")).to_contain_text("No username or address is locked.")
        assert_accessible(desk, "sign-in lock-outs, unlocked")

        desk.get_by_role("textbox", name="Address", exact=True).fill(ADDRESS)
        desk.get_by_role("button", name="Look up", exact=True).click()
        expect(desk.locator("#found tbody tr")).to_contain_text(f"Address {ADDRESS}")
        expect(desk.locator("#found tbody tr")).to_contain_text("Not locked")
        assert_accessible(desk, "sign-in lock-outs, looked up")
        violations.assert_none(desk, "the sign-in lock-outs")

        sign_in(person, PASSWORD)
        pass_second_factor(person, USERNAME)
        expect(person).to_have_url(f"{base_url}/admin/")
    finally:
        portal_server.manage("unlock_account", USERNAME, "--address", ADDRESS)
