"""Every public page type passes axe-core's checks at desktop width and at 320 CSS px, and is titled after its heading.

Page types: home, category, a service page of each online status, the e-form start page and
its first step (with its back link), the information pages, search results, a search with no
results, the empty search page, the 404 page, the tracking page, the A to Z of services and
"Our online services". Each is checked at desktop width and at 320 CSS px (WCAG 1.4.10 Reflow: 400% zoom of
1280 px), where nothing may scroll sideways either. The service of each status is found in
the server's own database, so the test follows the demo data.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import expect

from .accessibility import VIEWPORTS, add_styles, assert_accessible, axe_violations, horizontal_overflow

STATUSES = ["online_form", "online_elsewhere", "information_only", "offline"]


@pytest.fixture(scope="session")
def public_urls(portal_server) -> dict[str, str]:
    """One URL of each public page type, from the server's database."""
    offline = portal_server.new_offline_service(
        "Apply to hire a bandstand",
        "hire-a-bandstand",
        "Book a park bandstand for a concert.",
        "parks-trees-and-open-spaces",
    )
    urls = portal_server.shell_json(
        "import json\n"
        "from home.models import CategoryPage, InformationPage, ServicePage\n"
        "from forms_catalogue.models import EFormPage\n"
        "urls = {'category': CategoryPage.objects.live().first().url,\n"
        "        'information': InformationPage.objects.live().first().url,\n"
        "        'eform_start': EFormPage.objects.live().first().url}\n"
        f"for status in {STATUSES[:-1]!r}:  # online ones; the offline one is made above\n"
        "    urls['service_' + status] = ServicePage.objects.live().filter(online_status=status).first().url\n"
        "print(json.dumps(urls))"
    )
    urls["service_offline"] = offline["url"]  # the demo council has every transactional service online
    return {
        "home": "/",
        **urls,
        "eform_step": urls["eform_start"] + "start/",  # the first step, whose back link goes to the start page
        "search_results": "/search/?q=bins",
        "search_no_results": "/search/?q=xylophone+zeppelin",
        "search_empty": "/search/",
        "not_found": "/this-page-does-not-exist/",
        "tracking": "/track/",
        "a_to_z": "/services/a-z/",
        "online_services": "/online-services/",
    }


PAGE_TYPES = [
    "home",
    "category",
    *(f"service_{status}" for status in STATUSES),
    "eform_start",
    "eform_step",
    "information",
    "search_results",
    "search_no_results",
    "search_empty",
    "not_found",
    "tracking",
    "a_to_z",
    "online_services",
]


def expected_title(page, page_type: str) -> str:
    council = settings.COUNCIL_NAME
    if page_type == "home":
        return council
    if page_type.startswith("search"):
        query = page.get_by_role("searchbox").input_value()
        return f'Search results for "{query}" - {council}' if query else f"Search - {council}"
    return f"{page.locator('h1').inner_text().strip()} - {council}"


def check_title(page, page_type: str) -> None:
    """The title names the page: its heading (an e-form step adds the form's title), then the council."""
    if page_type == "eform_step":
        heading = " ".join(page.locator("h1").inner_text().split())
        assert page.title().startswith(heading) and page.title().endswith(f" - {settings.COUNCIL_NAME}"), page.title()
    else:
        assert page.title() == expected_title(page, page_type)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_public_page_is_accessible(page, public_urls, page_type, viewport, screenshot):
    page.set_viewport_size(VIEWPORTS[viewport])
    response = page.goto(public_urls[page_type])
    assert response.status == (404 if page_type == "not_found" else 200)
    expect(page.locator("h1")).to_have_count(1)
    check_title(page, page_type)
    assert_accessible(page, f"{page_type} at {viewport}")
    overflow = horizontal_overflow(page)
    assert overflow <= 0, f"{page_type} scrolls sideways by {overflow} px at {viewport}"
    screenshot(page, f"public-{page_type}-{viewport}")


def test_each_online_status_shows_its_own_call_to_action(page, public_urls):
    page.goto(public_urls["service_online_form"])
    start = page.get_by_role("button", name="Start now")
    assert start.get_attribute("href").endswith("/form/start/")
    page.goto(public_urls["service_online_elsewhere"])
    expect(page.locator("main")).to_contain_text("This service is on another website.")
    assert page.locator("main a.govuk-button--start").get_attribute("href").startswith("http")
    page.goto(public_urls["service_information_only"])
    expect(page.locator("main .govuk-button--start")).to_have_count(0)
    expect(page.get_by_role("heading", name="Contact us")).to_be_visible()
    page.goto(public_urls["service_offline"])
    expect(page.locator("main .govuk-inset-text").first).to_contain_text("You cannot do this online yet")


def test_footer_leads_to_the_a_to_z_whose_links_work(page):
    """Footer → A to Z of services → a letter → a service under it → that service's page."""
    page.goto("/")
    page.locator("footer").get_by_role("link", name="A to Z of services").click()
    expect(page.locator("h1")).to_have_text("A to Z of services")
    letters = page.get_by_role("navigation", name="Services by first letter")
    letters.get_by_role("link", name="R", exact=True).click()
    assert page.url.endswith("#letter-r")
    heading = page.locator("#letter-r")
    expect(heading).to_be_in_viewport()
    service = page.locator("#letter-r + .council-card-list a").first
    title = service.inner_text().strip()
    assert title.startswith("R")
    service.click()
    expect(page.locator("h1")).to_have_text(title)


def test_content_outside_landmarks_fails_the_check(page):
    """The `region` rule is on: a paragraph put between the header and <main> is reported."""
    page.goto("/")
    assert axe_violations(page) == []
    page.evaluate("() => { document.querySelector('main').insertAdjacentHTML('beforebegin', '<p>Loose text</p>'); }")
    assert [violation["id"] for violation in axe_violations(page)] == ["region"]


def test_a_squeezed_search_box_fails_the_check_at_320_px(page):
    """The old search layout (box and full-width button side by side) is caught at 320 px: `target-size`."""
    page.set_viewport_size(VIEWPORTS["320px"])
    page.goto("/")
    old_layout = ".council-search { display: flex; } .council-search .govuk-button { flex: 0 0 auto; }"
    add_styles(page, old_layout + " .council-search .govuk-input { flex: 1 1 auto; }")
    assert [violation["id"] for violation in axe_violations(page)] == ["target-size"]
