"""Service levels in the browser: a Waste and Recycling officer sees an overdue request flagged in the
request list, filters the list to overdue requests, and opens the team leaders' Service levels view;
both pages pass axe-core's WCAG 2.2 AA checks at desktop width and at 320 CSS px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .accessibility import VIEWPORTS, assert_accessible
from .backoffice_fixtures import (
    RequestSpec,
    log_in,
    submit_requests,
    waste_officer_fixture,  # noqa: F401  (the `waste_officer` fixture)
)

MAKE_OVERDUE = """
from django.utils import timezone
from backoffice.models import ServiceRequest
ServiceRequest.objects.filter(pk={pk}).update(due_at=timezone.now() - timezone.timedelta(days=6))
"""


@pytest.fixture(scope="module")
def overdue_and_on_time(portal_server):
    """Two fly-tipping reports (3 working days): one made overdue, one just submitted."""
    fly_tipping = RequestSpec("report-fly-tipping")
    overdue, on_time = submit_requests(portal_server, fly_tipping, fly_tipping)
    portal_server.shell(MAKE_OVERDUE.format(pk=overdue["pk"]))
    return overdue, on_time


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_overdue_requests_are_flagged_and_filtered_in_the_request_list(
    new_context, base_url, waste_officer, overdue_and_on_time, viewport
):
    overdue, on_time = overdue_and_on_time
    page = log_in(new_context, base_url, waste_officer.username, waste_officer.password)
    page.set_viewport_size(VIEWPORTS[viewport])

    page.goto("/admin/requests/")

    overdue_row = page.locator("tr", has=page.get_by_role("link", name=overdue["reference"], exact=True))
    expect(overdue_row.locator(".w-status--primary", has_text="Overdue by")).to_be_visible()
    on_time_row = page.locator("tr", has=page.get_by_role("link", name=on_time["reference"], exact=True))
    expect(on_time_row).to_contain_text("Due in")
    assert_accessible(page, f"request list with due dates at {viewport}")

    page.goto("/admin/requests/?due=overdue")
    expect(page.get_by_role("link", name=overdue["reference"], exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=on_time["reference"], exact=True)).to_have_count(0)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_service_levels_view_is_accessible_and_in_the_menu(
    new_context, base_url, waste_officer, overdue_and_on_time, viewport
):
    page = log_in(new_context, base_url, waste_officer.username, waste_officer.password)
    page.set_viewport_size(VIEWPORTS[viewport])

    page.goto("/admin/service-levels/")

    expect(page.locator("h1")).to_have_text("Service levels")
    queues = page.get_by_role("table", name="Open requests in each of your queues")
    expect(queues.get_by_role("row", name="Waste and Recycling")).to_contain_text("Overdue")
    expect(page.get_by_role("table", name="Requests by week")).to_be_visible()
    assert_accessible(page, f"service levels view at {viewport}")


def test_the_service_levels_view_is_reached_from_the_menu(new_context, base_url, waste_officer):
    page = log_in(new_context, base_url, waste_officer.username, waste_officer.password)
    page.get_by_role("link", name="Service levels").click()
    expect(page).to_have_url(f"{base_url}/admin/service-levels/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your queues as CSV").click()
    assert download.value.suggested_filename == "service-levels-queues.csv"
