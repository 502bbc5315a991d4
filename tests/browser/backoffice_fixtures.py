"""Fixtures and helpers for the back-office, tracking and editor journeys in the browser.

Import the fixtures into a test module by their function names (`..._fixture`); pytest
registers each under its `name` (e.g. `waste_officer`), so a test's argument does not
shadow the import. Everything is set up the way the product does it: users in the demo
council's "<Department> staff" groups, requests through `backoffice.intake.submit`, status
changes through `backoffice.casework`, all in the server's own database through
`portal_server.shell(...)`.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from email.message import Message

import pytest
from playwright.sync_api import expect

from .eforms import CHECK_STEP, Answers, FormSpec, answer_step, continue_button, demo_forms, step_name

# The machine running the suite may be busy: generous, bounded waits for the JS-heavy admin.
TIMEOUT_MS = 15_000
NAVIGATION_TIMEOUT_MS = 20_000
STAFF_PASSWORD = "a-long-browser-staff-password-7"  # only in the throwaway database of one test run
REFERENCE = re.compile(r"^[A-Z0-9]{4}(-[A-Z0-9]{1,4})+$")
MAX_STEPS = 25


@dataclass(frozen=True)
class StaffMember:
    """A member of a department's staff: not a superuser, admin access and the department's queue only."""

    username: str
    password: str
    full_name: str
    department: str


def last_json_line(output: str):
    return json.loads(output.strip().splitlines()[-1])


def create_staff(portal_server, username: str, department: str, first_name: str, last_name: str) -> StaffMember:
    """Create (once) a user in the demo council's "<department> staff" group, as an admin would."""
    portal_server.shell(
        "from django.contrib.auth import get_user_model\n"
        "from django.contrib.auth.models import Group\n"
        f"user = get_user_model().objects.filter(username={username!r}).first()\n"
        "if user is None:\n"
        f"    user = get_user_model().objects.create_user({username!r}, {username + '@ashworth.example.gov.uk'!r},"
        f" {STAFF_PASSWORD!r}, first_name={first_name!r}, last_name={last_name!r})\n"
        f"    user.groups.add(Group.objects.get(name={department + ' staff'!r}))\n"
        "assert not user.is_superuser and not user.is_staff\n"
    )
    return StaffMember(username, STAFF_PASSWORD, f"{first_name} {last_name}", department)


@pytest.fixture(scope="session", name="waste_officer")
def waste_officer_fixture(portal_server) -> StaffMember:
    """A Waste and Recycling officer (works that department's queue, nothing else)."""
    return create_staff(portal_server, "robin.waste", "Waste and Recycling", "Robin", "Okoro")


@pytest.fixture(scope="session", name="highways_officer")
def highways_officer_fixture(portal_server) -> StaffMember:
    """A Highways officer: must never see Waste and Recycling requests."""
    return create_staff(portal_server, "kim.highways", "Highways", "Kim", "Ashby")


def log_in(new_context, base_url: str, username: str, password: str):
    """A new browser context logged in to the Wagtail admin through its login form."""
    context = new_context()
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    page = context.new_page()
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}/admin/")
    return page


def submit_request(portal_server, service_slug: str, *, email: str = "", answers: dict | None = None) -> dict:
    """A request made through `backoffice.intake.submit` (the one entry point): its pk and reference."""
    output = portal_server.shell(
        "import json\n"
        "from backoffice.intake import submit\n"
        "from home.models import ServicePage\n"
        f"request, _ = submit(service=ServicePage.objects.get(slug={service_slug!r}), answers={answers or {}!r},"
        f" contact_email={email!r})\n"
        "print(json.dumps({'pk': request.pk, 'reference': request.display_reference,"
        " 'queue': str(request.queue)}))"
    )
    return last_json_line(output)


def resolve_request(portal_server, pk: int, *, public_note: str, internal_note: str) -> None:
    """Resolve a request with notes through `backoffice.casework`, as the staff view does."""
    portal_server.shell(
        "from backoffice.casework import change_status\n"
        "from backoffice.models import ServiceRequest\n"
        f"change_status(ServiceRequest.objects.get(pk={pk}), 'resolved', actor=None,"
        f" public_note={public_note!r}, internal_note={internal_note!r})"
    )


def email_text(message: Message) -> str:
    """The decoded plain-text body of an email (whatever transfer encoding the backend chose)."""
    parts = message.walk() if message.is_multipart() else [message]
    return "\n".join(
        part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        for part in parts
        if part.get_content_type() == "text/plain"
    )


def unfolded(header: str | None) -> str:
    """A header as one line: a long subject is folded over several lines in the email file."""
    return " ".join((header or "").split())


def wait_for_email(portal_server, to: str, subject_contains: str, timeout: float = 15) -> Message:
    """The latest email to `to` whose (unfolded) subject contains `subject_contains`, waiting for it."""
    deadline = time.monotonic() + timeout
    while True:
        found = [
            message
            for message in portal_server.emails()
            if to in unfolded(message["To"]) and subject_contains in unfolded(message["Subject"])
        ]
        if found:
            return found[-1]
        if time.monotonic() > deadline:
            sent = [(unfolded(message["To"]), unfolded(message["Subject"])) for message in portal_server.emails()]
            raise AssertionError(f"no email to {to!r} with {subject_contains!r} in the subject; sent: {sent}")
        time.sleep(0.1)


def service_url_of(eform_url: str) -> str:
    """The service page an e-form sits under: /category/service/form/ -> /category/service/."""
    return eform_url.rstrip("/").rsplit("/", 1)[0] + "/"


def complete_demo_form(page, slug: str, service_url: str, answers: Answers) -> str:
    """Open a service page, start its demo e-form, answer every step, send it; the reference shown."""
    spec = FormSpec(slug, demo_forms()[slug])
    page.goto(service_url)
    page.get_by_role("button", name="Start now").click()
    for _step in range(MAX_STEPS):
        name = step_name(page.url)
        if name == CHECK_STEP:
            break
        answer_step(page, spec, answers)
        continue_button(page).click()
        expect(page).not_to_have_url(re.compile(rf"/{re.escape(name)}/$"))
    else:
        raise AssertionError(f"{slug}: check your answers not reached after {MAX_STEPS} steps")
    expect(page.locator("h1")).to_have_text("Check your answers before sending your request")
    page.get_by_label("I agree with this declaration").check()
    page.get_by_role("button", name="Accept and send").click()
    expect(page.locator("h1")).to_have_text("Request sent")
    reference = page.locator("[data-reference]").inner_text().strip()
    assert REFERENCE.match(reference), f"not a reference: {reference!r}"
    return reference
