"""The bots' honeypot never meets a person: hidden, out of the tab order and the accessibility tree, sent empty."""

from __future__ import annotations

from playwright.sync_api import expect

from .accessibility import assert_accessible
from .eforms import past_day

HONEYPOT = "input[name$='leave_this_box_empty']"


def test_a_real_journey_sends_with_the_honeypot_untouched(page, eform_urls):
    page.goto(eform_urls["report-missed-bin"])
    page.get_by_role("button", name="Start now").click()
    address = page.get_by_role("group", name="What is the address of the missed collection?")
    address.get_by_label("Address line 1").fill("7 Canal Street")
    address.get_by_label("Town or city").fill("Ashworth")
    address.get_by_label("Postcode").fill("SW1A 2AA")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Brown bin (garden waste)").check()
    page.get_by_role("button", name="Continue").click()
    when = page.get_by_role("group", name="When was your bin due to be collected?")
    day = past_day()
    when.get_by_label("Day").fill(str(day.day))
    when.get_by_label("Month").fill(str(day.month))
    when.get_by_label("Year").fill(str(day.year))
    page.get_by_role("group", name="Was your bin at the edge of your property by 7am on that day?").get_by_label(
        "Yes"
    ).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()  # subscription number: optional
    page.get_by_role("button", name="Continue").click()  # anything else: optional
    name = page.get_by_role("group", name="What is your name?")
    name.get_by_label("First name").fill("Sam")
    name.get_by_label("Last name").fill("Person")
    page.get_by_label("What is your email address?").fill("sam.person@example.com")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Check your answers before sending your request")

    expect(page.locator(HONEYPOT)).to_have_count(1)
    expect(page.locator(HONEYPOT)).to_be_hidden()
    expect(page.get_by_role("textbox", name="Leave this box empty")).to_have_count(0)
    declaration = page.get_by_label("I agree with this declaration")
    declaration.check()
    page.keyboard.press("Tab")  # from the declaration, the next stop is the button, never the box
    expect(page.get_by_role("button", name="Accept and send")).to_be_focused()
    assert_accessible(page, "check answers (with the honeypot)")

    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Request sent")
