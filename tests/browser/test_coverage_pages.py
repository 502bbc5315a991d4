"""The service coverage dashboard (admin) and "Our online services" (public) in the browser.

The dashboard passes axe-core's WCAG 2.2 AA checks at desktop width and at 320 CSS px, its
charts are images named by their titles, and the public page leads to the services it lists.
(The public page's axe check at both widths is in test_public_pages.py.)
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .accessibility import VIEWPORTS, assert_accessible

DASHBOARD = "/admin/coverage/"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_coverage_dashboard_is_accessible(staff_context, viewport, screenshot):
    page = staff_context.new_page()
    page.set_viewport_size(VIEWPORTS[viewport])
    response = page.goto(DASHBOARD)
    assert response.status == 200
    expect(page.locator("h1")).to_have_text("Service coverage")
    expect(page.get_by_role("img", name="Services online by category")).to_be_visible()
    expect(page.get_by_role("img", name="Services online by department")).to_be_visible()
    assert_accessible(page, f"coverage dashboard at {viewport}")
    screenshot(page, f"admin-coverage-{viewport}")


def test_dashboard_is_in_the_admin_menu_and_offers_the_csv(staff_context):
    page = staff_context.new_page()
    page.goto("/admin/")
    page.get_by_role("link", name="Service coverage").click()
    expect(page).to_have_url(f"{page.url.split('/admin/')[0]}{DASHBOARD}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download every service as CSV").click()
    assert download.value.suggested_filename == "service-coverage.csv"


def test_footer_leads_to_our_online_services_and_on_to_a_service(page):
    page.goto("/")
    page.locator("footer").get_by_role("link", name="Our online services").click()
    expect(page.locator("h1")).to_have_text("Our online services")
    expect(page.get_by_role("img", name="Services online by category")).to_be_visible()
    service = page.locator("main ul.govuk-list a").first
    title = service.inner_text().strip()
    service.click()
    expect(page.locator("h1")).to_have_text(title)
