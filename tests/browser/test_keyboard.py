"""Keyboard only: the skip link comes first, fields follow in reading order, errors take the focus,
and whatever has the focus shows it (WCAG 2.1.1, 2.4.1, 2.4.3, 2.4.7, 2.4.11, 3.3.1)."""

from __future__ import annotations

from playwright.sync_api import expect

from .accessibility import focused, has_visible_focus


def tab(page) -> dict:
    """Press Tab; the newly focused element, which must show that it has the focus."""
    page.keyboard.press("Tab")
    element = focused(page)
    assert element is not None, "Tab moved the focus to nothing"
    assert has_visible_focus(element), f"no visible focus indicator on {element}"
    return element


def tab_to(page, wanted, limit: int = 20) -> dict:
    """Press Tab until the focused element is the one wanted (each one reached must show its focus)."""
    for _ in range(limit):
        element = tab(page)
        if wanted(element):
            return element
    raise AssertionError(f"Tab did not reach the element wanted within {limit} presses")


def skip_to_main(page) -> None:
    """Tab to the skip link and follow it."""
    assert tab(page)["text"] == "Skip to main content"
    page.keyboard.press("Enter")


def test_skip_link_first_then_fields_in_order_then_errors_take_the_focus(page, eform_urls, screenshot):
    page.goto(eform_urls["housing-register"] + "start/")  # "About you": a name and a date of birth
    expect(page.locator("h1")).to_have_text("About you")

    first = tab(page)
    assert "govuk-skip-link" in first["classes"] and first["text"] == "Skip to main content", first
    expect(page.locator(".govuk-skip-link")).to_be_visible()  # shown when focused
    screenshot(page, "keyboard-skip-link-focused")

    reached = [tab(page) for _ in range(11)]
    order = [element["id"] or element["text"] for element in reached]
    fields = [
        "id_applicant-name-first_name",
        "id_applicant-name-last_name",
        "id_applicant-date_of_birth-day",
        "id_applicant-date_of_birth-month",
        "id_applicant-date_of_birth-year",
    ]
    assert order[0].endswith("Ashworth Borough Council"), order  # the header's home link
    assert order[1:4] == ["web@ashworth.example.gov.uk", "Newid yr iaith i'r Gymraeg Cymraeg", "Back"], (
        order
    )  # phase banner, language switcher, back link
    assert order[4:11] == [*fields, "Continue", "Save and come back later"], order

    # The skip link takes the focus past the header, the banner and the back link.
    page.reload()
    skip_to_main(page)
    assert tab(page)["id"] == fields[0]

    # Submitting with the keyboard: the error summary takes the focus, its links go to the field.
    # (The URL now ends in #main-content from the skip link: the form must not post to it, or the
    # browser scrolls to that fragment after loading and takes the focus off the error summary.)
    page.keyboard.type("Alex")
    tab_to(page, lambda element: element["text"] == "Continue")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert page.title().startswith("Error: About you - ")
    expect(page.locator(".govuk-error-summary__list a")).to_have_count(2)  # last name, date of birth
    link = tab(page)
    assert link["text"] == "Enter your last name", link
    page.keyboard.press("Enter")
    target = focused(page)
    assert target["id"] == "id_applicant-name-last_name" and has_visible_focus(target), target
    screenshot(page, "keyboard-error-field-focused")


def test_an_address_and_radios_with_the_keyboard_alone(page, eform_urls):
    page.goto(eform_urls["report-missed-bin"] + "start/")
    # Step 1: an address, typed with the keyboard alone.
    skip_to_main(page)
    for text in ["14 Mill Lane", "", "Ashworth", "SW1A 2AA"]:
        tab(page)
        page.keyboard.type(text)
    tab_to(page, lambda element: element["text"] == "Continue")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Which bin was missed?")

    # Step 2: the next page starts from the top again; Tab reaches the radios once, and the
    # arrow keys move between the options.
    skip_to_main(page)
    radio = tab(page)
    assert radio["id"] == "id_which_bin-bin_type" and "govuk-radios__input" in radio["classes"], radio
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    chosen = focused(page)
    assert has_visible_focus(chosen), chosen
    expect(page.get_by_label("Green caddy (food waste)")).to_be_checked()
    assert tab(page)["text"] == "Continue"
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("When was your bin due to be collected?")
