"""Save and come back later: the emailed link resumes the journey in another browser, once.

Also checks the pages of that path with axe-core: the save page (normal and error state),
its confirmation, the resume problem pages (link not valid, link expired) and the page for
a journey that is no longer in the session.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .accessibility import assert_accessible
from .eforms import past_day, summary_value

EMAIL = "sam.saver@example.com"


def test_save_and_come_back_later_through_the_emailed_link(page, new_context, portal_server, eform_urls, screenshot):
    form_url = eform_urls["report-missed-bin"]
    page.goto(form_url)
    expect(page.locator("main")).to_contain_text("You can save your answers and come back to them")
    page.get_by_role("button", name="Start now").click()
    fieldset = page.get_by_role("group", name="What is the address of the missed collection?")
    fieldset.get_by_label("Address line 1").fill("7 Canal Street")
    fieldset.get_by_label("Town or city").fill("Ashworth")
    fieldset.get_by_label("Postcode").fill("SW1A 2AA")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Brown bin (garden waste)").check()  # the garden subscription step will follow
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("When was your bin due to be collected?")
    step_url = page.url

    page.get_by_role("button", name="Save and come back later").click()
    expect(page.locator("h1")).to_have_text("Save your answers and come back later")
    assert page.title().startswith("Save your answers and come back later - ")
    assert_accessible(page, "save for later")
    page.get_by_role("button", name="Save and send link").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert page.title().startswith("Error: Save your answers and come back later - ")
    assert_accessible(page, "save for later (error state)")
    screenshot(page, "save-for-later-error")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_role("button", name="Save and send link").click()
    expect(page.locator("h1")).to_have_text("Your answers have been saved")
    expect(page.locator("main")).to_contain_text(EMAIL)
    assert_accessible(page, "answers saved")
    screenshot(page, "save-for-later-saved")

    message = portal_server.wait_for_email(EMAIL, "Your saved form")
    body = message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
    link = re.search(r"https?://\S+/resume/\S+/", body)
    assert link, f"no resume link in the email:\n{body}"
    link = link.group(0)
    assert link.startswith(portal_server.url + form_url)

    # Another browser (no cookies) carries on where the citizen stopped, with the earlier answers.
    other = new_context().new_page()
    other.goto(link)
    expect(other.locator("h1")).to_have_text("When was your bin due to be collected?")
    other.get_by_role("link", name="Back").click()
    expect(other.get_by_label("Brown bin (garden waste)")).to_be_checked()
    other.get_by_role("button", name="Continue").click()
    when = other.get_by_role("group", name="When was your bin due to be collected?")
    day = past_day()
    when.get_by_label("Day").fill(str(day.day))
    when.get_by_label("Month").fill(str(day.month))
    when.get_by_label("Year").fill(str(day.year))
    other.get_by_role("group", name="Was your bin at the edge of your property by 7am on that day?").get_by_label(
        "Yes"
    ).check()
    other.get_by_role("button", name="Continue").click()
    subscription = "What is your garden waste subscription number? (optional)"
    expect(other.locator("h1")).to_have_text(subscription)  # the branch, kept from before
    other.get_by_role("button", name="Continue").click()
    other.get_by_role("button", name="Continue").click()  # anything else: optional
    name = other.get_by_role("group", name="What is your name?")
    name.get_by_label("First name").fill("Sam")
    name.get_by_label("Last name").fill("Saver")
    other.get_by_label("What is your email address?").fill(EMAIL)
    other.get_by_role("button", name="Continue").click()
    expect(other.locator("h1")).to_have_text("Check your answers before sending your request")
    assert "7 Canal Street" in summary_value(other, "What is the address of the missed collection?")
    other.get_by_label("I agree with this declaration").check()
    other.get_by_role("button", name="Accept and send").click()
    expect(other.locator("h1")).to_have_text("Request sent")

    # The link is used up once the form is sent.
    third = new_context().new_page()
    response = third.goto(link)
    assert response.status == 410
    expect(third.locator("h1")).to_have_text("This link has expired")
    assert third.title().startswith("This link has expired - ")
    assert_accessible(third, "resume link expired")
    screenshot(third, "resume-link-expired")

    # A damaged link (say, split over two lines in the email) says so.
    response = third.goto(link[:-12] + "/")
    assert response.status == 404
    expect(third.locator("h1")).to_have_text("This link is not valid")
    assert_accessible(third, "resume link not valid")

    # A journey's URL opened in a browser that does not hold that journey says the session has ended.
    response = third.goto(step_url)
    expect(third.locator("h1")).to_have_text("Your session has ended")
    assert_accessible(third, "journey session ended")
    screenshot(third, "journey-session-ended")
