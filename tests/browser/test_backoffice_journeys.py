"""A request from the citizen's e-form to its resolution and back, in the browser.

The citizen completes a demo e-form; a Waste and Recycling officer (a member of the
department's staff group, not a superuser) finds it in their queue with the filters and
the search, claims it and resolves it with a note for the citizen and an internal note;
the relay worker sends the citizen's emails; the citizen tracks the request by reference
and email. Staff of another department never see it.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .accessibility import assert_accessible
from .backoffice_fixtures import (
    RequestSpec,
    complete_demo_form,
    email_text,
    highways_officer_fixture,  # noqa: F401  (the `highways_officer` fixture)
    log_in,
    service_url_of,
    submit_requests,
    wait_for_email,
    waste_officer_fixture,  # noqa: F401  (the `waste_officer` fixture)
)
from .eforms import Answers

CITIZEN_EMAIL = "pat.okafor@example.com"
BIN_NOTE = "Behind the side gate, next to the blue shed"  # an answer: staff see it, tracking never does
PUBLIC_NOTE = "Your subscription is active. Your brown bin will be delivered within 10 working days."
INTERNAL_NOTE = "Paid by card on the phone; crew told about the side gate."
NOT_FOUND = "We cannot find a request with that reference and email address. Check both and try again."


def find_my_request(page, reference: str, email: str) -> None:
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Find my request").click()


def test_staff_resolve_a_request_with_a_note_and_the_citizen_tracks_it(
    page, new_context, base_url, portal_server, eform_urls, waste_officer, screenshot
):
    page.set_default_timeout(15_000)
    page.set_default_navigation_timeout(20_000)
    # Other work in the queues: one more request for the officer's queue, one for Highways.
    same_queue, other_queue = submit_requests(
        portal_server, RequestSpec("report-missed-bin"), RequestSpec("report-pothole")
    )
    assert same_queue["queue"] == "Waste and Recycling" and other_queue["queue"] == "Highways"

    # 1. The citizen completes the garden waste e-form with an email address.
    reference = complete_demo_form(
        page,
        "garden-waste",
        service_url_of(eform_urls["garden-waste"]),
        Answers(text={"email": CITIZEN_EMAIL, "delivery_notes": BIN_NOTE}),
    )
    # The confirmation email is in the outbox, not sent: only the relay worker sends it.
    assert not [message for message in portal_server.emails() if CITIZEN_EMAIL in (message["To"] or "")]

    # 2. The officer finds it in the queue: filters for open, unassigned requests, then the search.
    staff = log_in(new_context, base_url, waste_officer.username, waste_officer.password)
    staff.get_by_role("navigation", name="Main menu").get_by_role("link", name="Requests").click()
    expect(staff.locator("h1")).to_have_text("Requests")
    listing = staff.get_by_role("table")
    expect(listing.get_by_role("link", name=reference, exact=True)).to_be_visible()
    expect(listing.get_by_role("link", name=same_queue["reference"])).to_be_visible()
    expect(listing.get_by_role("link", name=other_queue["reference"])).to_have_count(0)  # not their queue

    staff.get_by_role("button", name="Show filters").click()
    staff.get_by_role("button", name="Status").click()
    staff.get_by_role("radio", name="Any open status").check()
    expect(staff).to_have_url(re.compile(r"[?&]status=open\b"))
    staff.get_by_role("button", name="Back").click()
    staff.get_by_role("button", name="Assigned to").click()
    staff.get_by_role("radio", name="Nobody (unassigned)").check()
    expect(staff).to_have_url(re.compile(r"[?&]assignee=unassigned\b"))
    staff.keyboard.press("Escape")
    expect(staff.get_by_role("button", name="Status: Any open status")).to_be_visible()
    expect(listing.get_by_role("link", name=reference, exact=True)).to_be_visible()
    expect(listing.get_by_role("link", name=same_queue["reference"])).to_be_visible()

    staff.get_by_role("textbox", name="Search term").fill(reference.lower().replace("-", " "))  # typed any way
    expect(staff).to_have_url(re.compile(r"[?&]q="))
    expect(listing.locator("tbody tr")).to_have_count(1)
    row = listing.locator("tbody tr").first
    expect(row).to_contain_text("Subscribe to garden waste collection")
    expect(row).to_contain_text("Received")
    expect(row).to_contain_text("Unassigned")
    screenshot(staff, "backoffice-queue-filtered")
    row.get_by_role("link", name=reference).click()

    # 3. The request's page: the answers, then claim it.
    expect(staff.locator("h1")).to_contain_text(reference)
    expect(staff.get_by_role("region", name="Answers")).to_contain_text(BIN_NOTE)
    summary = staff.locator("dl.backoffice-request-summary")
    expect(summary).to_contain_text(CITIZEN_EMAIL)
    expect(summary.locator("dt:has-text('Assigned to') + dd")).to_have_text("Nobody")
    staff.get_by_role("button", name="Assign to me").click()
    expect(staff.get_by_text("You have claimed this request.")).to_be_visible()
    expect(summary.locator("dt:has-text('Assigned to') + dd")).to_have_text(waste_officer.full_name)
    expect(staff.get_by_role("button", name="Assign to me")).to_have_count(0)

    # 4. Resolve it with a note for the citizen and an internal note.
    work = staff.get_by_role("region", name="Work this request")
    work.get_by_role("radio", name="Resolved").check()
    work.get_by_label("Note for the citizen (optional)").fill(PUBLIC_NOTE)
    work.get_by_label("Internal note (optional)").fill(INTERNAL_NOTE)
    work.get_by_role("button", name="Save status and notes").click()
    expect(staff.get_by_text("Status changed to 'Resolved'. The citizen will be emailed.")).to_be_visible()
    expect(summary.locator("dt:has-text('Status') + dd")).to_have_text("Resolved")
    history = staff.get_by_role("region", name="History")
    expect(history).to_contain_text("Received → Resolved")
    expect(history).to_contain_text(PUBLIC_NOTE)
    expect(history).to_contain_text(INTERNAL_NOTE)
    expect(history).to_contain_text(waste_officer.full_name)
    screenshot(staff, "backoffice-request-resolved")

    # 5. The relay worker sends the citizen's emails: the confirmation with the answers, the update with the note.
    output = portal_server.manage("deliver", "--once")
    assert re.search(r"Attempted [1-9]\d* deliveries", output), output
    confirmation = wait_for_email(portal_server, CITIZEN_EMAIL, f"we have your request {reference}")
    confirmation_text = email_text(confirmation)
    assert "A copy of your answers" in confirmation_text
    assert BIN_NOTE in confirmation_text and CITIZEN_EMAIL in confirmation_text
    update = wait_for_email(portal_server, CITIZEN_EMAIL, f"update on your request {reference}")
    update_text = email_text(update)
    assert "Status: Resolved" in update_text
    assert PUBLIC_NOTE in update_text
    assert INTERNAL_NOTE not in update_text and BIN_NOTE not in update_text
    track_url = re.search(r"(https?://\S+/track/)", update_text).group(1)
    assert track_url == f"{base_url}/track/"

    # 6. The citizen tracks it from the link in the email. A wrong reference and a wrong email
    #    give the same page, so neither tells a stranger which one was right.
    page.goto(track_url)
    expect(page.locator("h1")).to_have_text("Track a request")
    find_my_request(page, same_queue["reference"], CITIZEN_EMAIL)  # someone else's reference
    expect(page.locator(".govuk-error-summary")).to_contain_text(NOT_FOUND)
    wrong_reference_page = page.locator("main").inner_text()
    find_my_request(page, reference, "someone.else@example.com")
    expect(page.locator(".govuk-error-summary")).to_contain_text(NOT_FOUND)
    assert page.locator("main").inner_text() == wrong_reference_page
    expect(page).to_have_title(re.compile(r"^Error: Track a request"))

    find_my_request(page, reference.lower(), CITIZEN_EMAIL.upper())  # typed any way
    expect(page.locator("h1")).to_have_text(f"Your request {reference}")
    status_row = page.locator(".govuk-summary-list__row", has=page.locator("dt", has_text="Status"))
    expect(status_row.locator("dd")).to_have_text("Resolved")
    main = page.locator("main")
    expect(main).to_contain_text(PUBLIC_NOTE)
    expect(main).to_contain_text("Subscribe to garden waste collection")
    result_text = main.inner_text()
    for private in (INTERNAL_NOTE, BIN_NOTE, "Sam Example", "14 Mill Lane", CITIZEN_EMAIL, waste_officer.full_name):
        assert private not in result_text, f"the tracking page shows {private!r}"
    assert_accessible(page, "tracking result after the journey")
    screenshot(page, "track-result-resolved")


def test_staff_of_another_department_never_see_the_request(new_context, base_url, portal_server, highways_officer):
    waste_request, highways_request = submit_requests(
        portal_server, RequestSpec("report-missed-bin", email="lee.citizen@example.com"), RequestSpec("report-pothole")
    )

    staff = log_in(new_context, base_url, highways_officer.username, highways_officer.password)
    staff.goto("/admin/requests/")
    listing = staff.get_by_role("table")
    expect(listing.get_by_role("link", name=highways_request["reference"])).to_be_visible()
    expect(listing.get_by_role("link", name=waste_request["reference"])).to_have_count(0)

    staff.get_by_role("textbox", name="Search term").fill(waste_request["reference"])
    expect(staff.get_by_text("No requests match these filters.")).to_be_visible()

    response = staff.goto(f"/admin/requests/{waste_request['pk']}/")
    assert response.status == 404
    expect(staff.locator("body")).not_to_contain_text("lee.citizen@example.com")
