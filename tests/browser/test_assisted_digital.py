"""Assisted digital and channel shift, in the browser.

A contact-centre agent (the demo council's "Contact centre" group, not a superuser, no queue)
logs in to the admin, opens "Submit on behalf of a resident", finds the missed-bin form,
records a phone call and the caller's details, completes the citizen's own journey in the
admin and sends it. The request shows channel Phone and the agent; the channel-shift
dashboard counts one more phone request for the service this month. axe finds no violation
on any of the new admin pages (normal and error states).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.staff_signin import create_device_code

from .accessibility import assert_accessible
from .backoffice_fixtures import MAX_STEPS, REFERENCE, STAFF_PASSWORD, log_in, wait_for_email
from .eforms import CHECK_STEP, Answers, FormSpec, answer_step, demo_forms, step_name

SLUG = "report-missed-bin"
CALLER = {"name": "Pat Caller", "email": "pat.caller@example.com", "phone": "01632 960555"}


@pytest.fixture(scope="session", name="agent")
def agent_fixture(portal_server) -> str:
    """A contact-centre agent, as an admin would add one in Settings → Users."""
    portal_server.shell(
        "from django.contrib.auth import get_user_model\n"
        "from django.contrib.auth.models import Group\n"
        "user = get_user_model().objects.filter(username='casey.agent').first()\n"
        "if user is None:\n"
        f"    user = get_user_model().objects.create_user('casey.agent', 'casey@ashworth.example.gov.uk',"
        f" {STAFF_PASSWORD!r}, first_name='Casey', last_name='Agent')\n"
        "    user.groups.add(Group.objects.get(name='Contact centre'))\n"
        "assert not user.is_superuser\n" + create_device_code("casey.agent")  # an enrolled authenticator app
    )
    return "casey.agent"


def phone_requests_this_month(page, service_title: str) -> int:
    """The Phone cell of the service's row in the channel-shift table by service (0 when it has no row)."""
    page.goto("/admin/channel-shift/?months=3")
    row = page.locator("#by-service ~ div table tbody tr").filter(has=page.get_by_role("link", name=service_title))
    if row.count() == 0:
        return 0
    return int(row.first.locator("td").nth(1).inner_text())


def test_an_agent_submits_by_phone_and_the_channel_shift_counts_it(
    new_context, base_url, portal_server, agent, staff_context, screenshot
):
    service_title = portal_server.shell_json(
        "import json\nfrom home.models import ServicePage\n"
        f"print(json.dumps(ServicePage.objects.get(slug={SLUG!r}).title))"
    )
    web_team = staff_context.new_page()
    before = phone_requests_this_month(web_team, service_title)
    assert_accessible(web_team, "channel-shift dashboard")

    page = log_in(new_context, base_url, agent, STAFF_PASSWORD)
    page.get_by_role("link", name="Submit on behalf of a resident").click()
    expect(page).to_have_url(re.compile(r"/admin/assisted/$"))
    assert_accessible(page, "assisted: list of forms")
    page.get_by_label("Search forms").fill("missed bin")
    page.get_by_role("button", name="Search").click()
    spec = FormSpec(SLUG, demo_forms()[SLUG])
    page.get_by_role("link", name=spec.title).click()

    # The resident: an empty form first (errors), then a phone call with the caller's details.
    page.get_by_role("button", name="Continue to the questions").click()
    expect(page.locator(".help-critical")).to_contain_text("Select how the resident contacted the council")
    assert page.title().startswith("Error:")
    assert_accessible(page, "assisted: about the resident, with errors")
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("Resident's full name").fill(CALLER["name"])
    page.get_by_label("Email address (optional)").fill(CALLER["email"])
    page.get_by_label("Phone number (optional)").fill(CALLER["phone"])
    page.get_by_role("button", name="Continue to the questions").click()

    # The form's own steps, in the admin: one with its errors, then every step answered.
    first = step_name(page.url)
    page.get_by_role("button", name="Continue", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, f"assisted: step {first} with errors")
    for _ in range(MAX_STEPS):
        name = step_name(page.url)
        if name == CHECK_STEP:
            break
        answer_step(page, spec, Answers(text={"email": CALLER["email"]}))
        assert_accessible(page, f"assisted: step {name}")
        page.get_by_role("button", name="Continue", exact=True).click()
        expect(page).not_to_have_url(re.compile(rf"/{re.escape(name)}/$"))
    else:
        raise AssertionError(f"check your answers not reached after {MAX_STEPS} steps")
    expect(page.get_by_role("heading", name="About the resident")).to_be_visible()
    assert_accessible(page, "assisted: check your answers")
    screenshot(page, "admin-assisted-check-answers")
    page.get_by_label("The resident agrees with this declaration").check()
    page.get_by_role("button", name="Accept and send").click()

    reference = page.locator("[data-reference]").inner_text().strip()
    assert REFERENCE.match(reference), reference
    expect(page.get_by_text(f"is on its way to {CALLER['email']}")).to_be_visible()
    assert_accessible(page, "assisted: request sent")
    screenshot(page, "admin-assisted-sent")

    # Staff see the channel and the agent; the resident gets the same confirmation email as online.
    stored = portal_server.shell_json(
        "import json\nfrom backoffice.models import ServiceRequest\n"
        f"r = ServiceRequest.objects.get(reference={reference.replace('-', '')!r})\n"
        "print(json.dumps([r.pk, r.channel, r.entered_by.username, r.contact_name, r.contact_phone]))"
    )
    pk, channel, entered_by, name, phone = stored
    assert (channel, entered_by, name, phone) == ("phone", agent, CALLER["name"], CALLER["phone"])
    web_team.goto(f"/admin/requests/{pk}/")
    summary = web_team.locator(".backoffice-request-summary")
    expect(summary).to_contain_text("Phone")
    expect(summary).to_contain_text("Casey Agent, on the resident's behalf")
    web_team.goto(f"/admin/requests/?channel=phone&q={reference}")
    expect(web_team.get_by_text("Phone (Casey Agent)")).to_be_visible()
    portal_server.manage("deliver", "--once")
    wait_for_email(portal_server, CALLER["email"], f"we have your request {reference}")

    # The channel-shift figures count it.
    assert phone_requests_this_month(web_team, service_title) == before + 1
