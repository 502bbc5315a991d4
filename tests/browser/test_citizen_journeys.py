"""A citizen's whole journey in the browser, with JavaScript on and with it off.

From the home page search box to the reference number: find the service, read its page,
start its e-form, answer every step (a branch, an "add another" repeat, uploads, an answer
changed from check your answers) and send it. No demo form has a repeat and an upload
together, so two forms are walked: the housing register (branch + repeat + change) and the
Blue Badge (an exit page and back, two branches + three uploads, a rejected upload, a file
replaced from check your answers).
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from .accessibility import assert_accessible
from .eforms import PDF, summary_value, upload

REFERENCE = re.compile(r"^[A-Z0-9]+(-[A-Z0-9]+)+$")


@pytest.fixture(params=["js", "no-js"])
def citizen_page(request):
    """A fresh browser (no cookies) with JavaScript on, or off."""
    if request.param == "no-js":
        return request.getfixturevalue("no_js_page")
    page = request.getfixturevalue("page")
    page.javascript = True
    return page


def continue_to(page, heading: str) -> None:
    """Press Continue and land on the page with this heading."""
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_contain_text(heading)


def find_and_start(page, search: str, service: str) -> None:
    """Search from the home page, open the service from the results, read it and start its form."""
    page.goto("/")
    expect(page).to_have_title(settings.COUNCIL_NAME)
    if page.javascript:
        expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    else:
        expect(page.locator("body")).not_to_have_class(re.compile(r"\bjs-enabled\b"))
    page.get_by_role("searchbox", name="Search council services").fill(search)
    page.get_by_role("search").get_by_role("button", name="Search").click()
    expect(page).to_have_title(f'Search results for "{search}" - {settings.COUNCIL_NAME}')
    page.get_by_role("link", name=service, exact=True).click()
    expect(page.locator("h1")).to_have_text(service)
    expect(page).to_have_title(f"{service} - {settings.COUNCIL_NAME}")
    page.get_by_role("button", name="Start now").click()


def fill_name(page, group: str, first: str, last: str) -> None:
    fieldset = page.get_by_role("group", name=group)
    fieldset.get_by_label("First name").fill(first)
    fieldset.get_by_label("Last name").fill(last)


def fill_date(page, group: str, day: int, month: int, year: int) -> None:
    fieldset = page.get_by_role("group", name=group)
    fieldset.get_by_label("Day").fill(str(day))
    fieldset.get_by_label("Month").fill(str(month))
    fieldset.get_by_label("Year").fill(str(year))


def fill_address(page, group: str, line1: str, town: str, postcode: str) -> None:
    fieldset = page.get_by_role("group", name=group)
    fieldset.get_by_label("Address line 1").fill(line1)
    fieldset.get_by_label("Town or city").fill(town)
    fieldset.get_by_label("Postcode").fill(postcode)


def send_and_get_reference(page, screenshot, name: str) -> str:
    page.get_by_label("I agree with this declaration").check()
    page.get_by_role("button", name="Accept and send").click()
    expect(page.locator("h1")).to_have_text("Request sent")
    reference = page.locator("[data-reference]").inner_text().strip()
    assert REFERENCE.match(reference), f"not a reference: {reference!r}"
    screenshot(page, name)
    return reference


def start_housing_register(page) -> None:
    """Find and start the housing register, and answer the steps before "Will anyone else live with you?"."""
    find_and_start(page, "council house", "Apply to join the housing register")
    expect(page.locator("h1")).to_have_text("About you")
    fill_name(page, "What is your name?", "Alex", "Morgan")
    fill_date(page, "What is your date of birth?", 3, 9, 1985)
    continue_to(page, "Where you live now")

    fill_address(page, "What is your current address?", "14 Mill Lane", "Ashworth", "sw1a 2aa")
    page.get_by_label("I rent from a private landlord").check()
    fill_date(page, "When did you move to this address?", 1, 4, 2019)
    continue_to(page, "Will anyone else live with you?")


def test_housing_register_with_a_branch_a_repeat_and_a_change(citizen_page, screenshot):
    page = citizen_page
    start_housing_register(page)

    page.get_by_label("Yes").check()  # the branch: the household step is asked only after a yes
    continue_to(page, "Who else will live with you? (person 1)")
    fill_name(page, "What is their name?", "Jo", "Morgan")
    fill_date(page, "What is their date of birth?", 12, 1, 2012)
    page.get_by_label("What is their relationship to you?").select_option(label="Son or daughter")
    continue_to(page, "You have added 1 person")

    page.get_by_role("group", name="Do you need to add another person?").get_by_label("Yes").check()
    continue_to(page, "Who else will live with you? (person 2)")
    fill_name(page, "What is their name?", "Sam", "Morgan")
    fill_date(page, "What is their date of birth?", 30, 6, 1987)
    page.get_by_label("What is their relationship to you?").select_option(label="Partner, husband or wife")
    continue_to(page, "You have added 2 people")
    expect(page.locator(".govuk-summary-list__row")).to_have_count(2)
    page.get_by_role("group", name="Do you need to add another person?").get_by_label("No").check()
    continue_to(page, "Your household's needs")

    page.get_by_label("A ground-floor home or a lift").check()
    continue_to(page, "How can we contact you?")
    page.get_by_label("What is your email address?").fill("alex.morgan@example.com")
    page.get_by_label("What is your phone number?").fill("07700 900982")
    continue_to(page, "Check your answers before sending your request")

    expect(page.get_by_role("heading", name="Person 1", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Person 2", exact=True)).to_be_visible()
    assert summary_value(page, "Which of these describes your home?") == "I rent from a private landlord"
    assert "SW1A 2AA" in summary_value(page, "What is your current address?")

    # Change an answer from check your answers: back to that step, then straight back here.
    page.get_by_role("link", name="Change which of these describes your home?").click()
    expect(page.locator("h1")).to_have_text("Where you live now")
    expect(page.get_by_label("I rent from a private landlord")).to_be_checked()
    page.get_by_label("I rent from the council or a housing association").check()
    continue_to(page, "Check your answers before sending your request")
    assert summary_value(page, "Which of these describes your home?") == (
        "I rent from the council or a housing association"
    )
    assert summary_value(page, "What is their name?") == "Jo Morgan"
    assert_accessible(page, "check your answers with two people")

    send_and_get_reference(page, screenshot, f"journey-housing-register-confirmation-{page_mode(page)}")
    confirmation = page.locator("main").inner_text()
    assert "I rent from the council or a housing association" in confirmation
    assert "Sam Morgan" in confirmation


def test_housing_register_up_to_the_most_people_without_an_error(page, screenshot):
    """Adding the sixth person (the most) lists everyone and says plainly that no more can be added."""
    page.javascript = True
    start_housing_register(page)
    page.get_by_label("Yes").check()
    for number in range(1, 7):
        continue_to(page, f"Who else will live with you? (person {number})")
        fill_name(page, "What is their name?", f"Child{number}", "Morgan")
        fill_date(page, "What is their date of birth?", 1, number, 2010 + number)
        page.get_by_label("What is their relationship to you?").select_option(label="Son or daughter")
        continue_to(page, f"You have added {number} {'person' if number == 1 else 'people'}")
        if number < 6:
            page.get_by_role("group", name="Do you need to add another person?").get_by_label("Yes").check()

    expect(page).to_have_title(re.compile(r"^You have added 6 people - "))
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.locator(".govuk-inset-text")).to_have_text(
        "You have added the maximum of 6 people. You cannot add any more."
    )
    expect(page.locator(".govuk-summary-list__row")).to_have_count(6)
    expect(page.get_by_role("radio")).to_have_count(0)
    assert_accessible(page, "housing register list at the most people")
    screenshot(page, "housing-register-most-people")
    continue_to(page, "Your household's needs")


def test_blue_badge_with_branches_uploads_and_a_replaced_file(citizen_page, screenshot):
    page = citizen_page
    find_and_start(page, "disabled parking", "Apply for a Blue Badge")

    page.get_by_label("Someone else").check()  # branch: asks about the applicant too
    continue_to(page, "Does the person the badge is for live in Ashworth?")
    page.get_by_label("No", exact=True).check()  # exit page: apply to their own council
    continue_to(page, "You cannot apply for a Blue Badge online")
    expect(page.locator("main")).to_contain_text("parking@ashworth.example.gov.uk")
    expect(page.get_by_role("button")).to_have_count(0)
    page.get_by_role("link", name="Back", exact=True).click()
    page.get_by_label("Yes", exact=True).check()
    continue_to(page, "About you")
    fill_name(page, "What is your name?", "Chris", "Patel")
    page.get_by_label("Carer", exact=True).check()
    continue_to(page, "About the person the badge is for")

    fill_name(page, "What is the full name of the person the badge is for?", "Pat", "Jones")
    fill_date(page, "What is their date of birth?", 21, 11, 1948)
    fill_address(page, "What is their home address?", "2 Station Road", "Ashworth", "SW1A 1AA")
    continue_to(page, "Which of these best describes the person the badge is for?")

    page.get_by_label("They have a condition that makes walking very difficult").check()  # branch
    continue_to(page, "How their condition affects their walking")
    page.get_by_label("About how far can they walk without stopping?").fill("50")
    page.get_by_label("Walking stick").check()
    page.get_by_label("Describe how their condition affects their walking").fill("Short distances only, with rests.")
    continue_to(page, "Upload a photo and documents")

    # A file that is not what it says is rejected, next to the field and in the error summary.
    page.get_by_label("Upload a photo of the person the badge is for").set_input_files(
        upload("photo.png", b"this is text pretending to be a picture")
    )
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("must be a JPEG or PNG")
    if page.javascript:
        expect(page.locator(".govuk-error-summary")).to_be_focused()
    screenshot(page, f"journey-blue-badge-upload-error-{page_mode(page)}")

    page.get_by_label("Upload a photo of the person the badge is for").set_input_files(upload("photo.png"))
    page.get_by_label("Upload proof of identity").set_input_files(upload("passport.pdf", PDF, "application/pdf"))
    page.get_by_label("Upload proof of address").set_input_files(upload("council-tax-bill.png"))
    continue_to(page, "How can we contact you?")
    page.get_by_label("What is your email address?").fill("chris.patel@example.com")
    continue_to(page, "Confirm that you understand how a Blue Badge may be used")
    page.get_by_label("I understand that the badge may only be used").check()
    continue_to(page, "Check your answers before sending your request")

    assert summary_value(page, "Upload a photo of the person the badge is for").startswith("photo.png (")
    assert summary_value(page, "Upload proof of identity").startswith("passport.pdf (")
    assert summary_value(page, "What is your relationship to the person you are applying for?") == "Carer"

    # Replace one upload from check your answers; the other two are kept.
    page.get_by_role("link", name="Change upload a photo of the person the badge is for").click()
    expect(page.locator("main")).to_contain_text("You have uploaded photo.png")
    page.get_by_label("Upload a photo of the person the badge is for").set_input_files(upload("new-photo.png"))
    continue_to(page, "Check your answers before sending your request")
    assert summary_value(page, "Upload a photo of the person the badge is for").startswith("new-photo.png (")
    assert summary_value(page, "Upload proof of identity").startswith("passport.pdf (")
    assert summary_value(page, "Upload proof of address").startswith("council-tax-bill.png (")

    send_and_get_reference(page, screenshot, f"journey-blue-badge-confirmation-{page_mode(page)}")
    confirmation = page.locator("main").inner_text()
    assert "new-photo.png" in confirmation and "passport.pdf" in confirmation
    assert "They have a condition that makes walking very difficult" in confirmation


def page_mode(page) -> str:
    return "js" if page.javascript else "no-js"
