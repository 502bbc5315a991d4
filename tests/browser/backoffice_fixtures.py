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
from dataclasses import asdict, dataclass
from email.message import Message

import pytest
from playwright.sync_api import expect

from tests.staff_signin import create_device_code, pass_second_factor

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
        "assert not user.is_superuser and not user.is_staff\n" + create_device_code(username)
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
    """A new browser context signed in to the Wagtail admin through its login form and second-factor step."""
    context = new_context()
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    page = context.new_page()
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    pass_second_factor(page, username)
    expect(page).to_have_url(f"{base_url}/admin/")
    return page


@dataclass(frozen=True)
class RequestSpec:
    """A request to set up: for which service, with what contact email and answers, resolved or not."""

    service: str
    email: str = ""
    answers: dict | None = None
    resolve_with: tuple[str, str] | None = None  # (note for the citizen, internal note)


SUBMIT_REQUESTS = """
import json
from backoffice.casework import change_status
from backoffice.intake import submit
from home.models import ServicePage
made = []
for spec in json.loads({specs!r}):
    service = ServicePage.objects.get(slug=spec["service"])
    request, _ = submit(service=service, answers=spec["answers"] or {{}}, contact_email=spec["email"])
    if spec["resolve_with"]:
        public_note, internal_note = spec["resolve_with"]
        change_status(request, "resolved", actor=None, public_note=public_note, internal_note=internal_note)
    made.append({{"pk": request.pk, "reference": request.display_reference, "queue": str(request.queue)}})
print(json.dumps(made))
"""


def submit_requests(portal_server, *specs: RequestSpec) -> list[dict]:
    """Make requests in one process; each one's pk, reference and queue.

    Through `backoffice.intake.submit` (the one entry point), resolved through `backoffice.casework`
    as the staff view does.
    """
    payload = json.dumps([asdict(spec) for spec in specs])
    return portal_server.shell_json(SUBMIT_REQUESTS.format(specs=payload))


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


class PageEditor:
    """Waits for Wagtail 8's page editor, which autosaves a draft while the editor works.

    The editor takes its "before" copy of the form about two seconds after the page loads
    (the `w-unsaved:watch-edits` event); anything typed earlier counts as the starting
    state and is never autosaved. From then on, each change is autosaved (the first save
    of a new page moves the browser to the page's edit view). Publishing while an autosave
    is still on its way would race it, so `settle()` waits until no autosave has run for
    a while.
    """

    SAVE_URL = re.compile(r"/admin/pages/(add/[a-z_]+/[a-z_]+/\d+|\d+/edit)/$")
    READY_FLAG = "window.__portalEditorReady === true"

    def __init__(self, page):
        self.page = page
        self.saves_in_flight = 0
        self.saves_done = 0
        self.last_activity = time.monotonic()
        page.add_init_script(
            "document.addEventListener('w-unsaved:watch-edits', () => { window.__portalEditorReady = true; });"
        )
        page.on("request", self._started)
        page.on("requestfinished", self._finished)
        page.on("requestfailed", self._finished)

    def _is_save(self, request) -> bool:
        return request.method == "POST" and bool(self.SAVE_URL.search(request.url.split("?")[0]))

    def _started(self, request) -> None:
        if self._is_save(request):
            self.saves_in_flight += 1
            self.last_activity = time.monotonic()

    def _finished(self, request) -> None:
        if self._is_save(request):
            self.saves_in_flight -= 1
            self.saves_done += 1
            self.last_activity = time.monotonic()

    def wait_until_ready(self) -> None:
        """Wait for the editor to start watching for changes (before typing anything)."""
        # Polled from here: Playwright's wait_for_function evaluates its predicate as a string in the page,
        # which the Content-Security-Policy refuses (no 'unsafe-eval'); evaluate() calls a function.
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while not self.page.evaluate(f"() => {self.READY_FLAG}"):
            assert time.monotonic() < deadline, "the page editor did not start watching for changes"
            self.page.wait_for_timeout(100)

    def settle(self, quiet_seconds: float = 3.0, timeout: float = NAVIGATION_TIMEOUT_MS / 1000) -> None:
        """After the last change: wait until an autosave has finished and none has run for `quiet_seconds`.

        The editor notices a change and saves it about 1.5 s later, so the quiet time counts
        from this call too, not only from the last save.
        """
        called = time.monotonic()
        deadline = called + timeout
        while not (
            self.saves_done
            and not self.saves_in_flight
            and time.monotonic() - max(self.last_activity, called) >= quiet_seconds
            and self.page.locator("[data-w-autosave-state-value='saving']").count() == 0
        ):
            assert time.monotonic() < deadline, (
                f"the editor did not finish autosaving within {timeout:.0f} s "
                f"({self.saves_done} saves done, {self.saves_in_flight} in flight)"
            )
            self.page.wait_for_timeout(100)  # lets Playwright deliver the request events


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
