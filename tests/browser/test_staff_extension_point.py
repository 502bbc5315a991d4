"""The extension point for the back-office and tracking journeys works: a logged-in staff browser.

Those journeys (phase two) build on `staff_context` and `portal_server.manage(...)` from the
conftest; this test keeps both working until they arrive.
"""

from __future__ import annotations

from playwright.sync_api import expect


def test_staff_context_is_logged_in_to_the_admin(staff_context, staff_user):
    page = staff_context.new_page()
    response = page.goto("/admin/")
    assert response.status == 200
    assert "/login/" not in page.url
    expect(page.locator("body")).to_contain_text(staff_user[0])
