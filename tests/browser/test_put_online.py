"""An editor puts a service online from a form pattern in a handful of actions, and a citizen uses the form.

From the service page's edit view: "Put this service online" (in the header's Actions menu),
choose "Complaint, compliment or feedback", create the draft, publish it. Every click, tick and
typed entry of the editor goes through `EditorActions`, which counts them; the README states
the count. A citizen then completes the live form, and the request lands in the queue of the
service's department.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from .backoffice_fixtures import NAVIGATION_TIMEOUT_MS, REFERENCE, TIMEOUT_MS

SERVICE_TITLE = "Give feedback about a library"
PATTERN_NAME = "Complaint, compliment or feedback"
MAX_EDITOR_ACTIONS = 6
FEEDBACK = "The new opening hours at the central library are very helpful."


class EditorActions:
    """The editor's clicks, ticks and typed entries, counted as they are made."""

    def __init__(self):
        self.made: list[str] = []

    def click(self, locator, what: str) -> None:
        locator.click()
        self.made.append(f"click {what}")

    def check(self, locator, what: str) -> None:
        locator.check()
        self.made.append(f"choose {what}")

    def fill(self, locator, text: str, what: str) -> None:
        locator.fill(text)
        self.made.append(f"type {what}")


@pytest.fixture(scope="module")
def new_service(portal_server) -> dict:
    """A live service page of the demo council's libraries, offline and without an e-form: its pk and URL."""
    return portal_server.new_offline_service(
        SERVICE_TITLE,
        "give-feedback-about-a-library",
        "Tell us what you think of our libraries.",
        "libraries-leisure-and-culture",
    )


def test_an_editor_puts_a_service_online_in_a_handful_of_actions(staff_context, page, portal_server, new_service):
    editor = staff_context.new_page()
    editor.set_default_timeout(TIMEOUT_MS)
    editor.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    actions = EditorActions()
    editor.goto(f"/admin/pages/{new_service['pk']}/edit/")

    actions.click(
        editor.get_by_role("navigation", name="Actions", exact=True).get_by_role("button"), "the header's Actions menu"
    )
    actions.click(editor.get_by_role("link", name="Put this service online"), "Put this service online")
    expect(editor.get_by_role("radio")).to_have_count(9)
    actions.check(editor.get_by_role("radio", name=re.compile(PATTERN_NAME)), "the pattern")
    actions.click(editor.get_by_role("button", name="Create draft e-form"), "Create draft e-form")
    expect(editor).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    expect(editor.get_by_text(f"Draft e-form “{SERVICE_TITLE}” created.")).to_be_visible()
    footer = editor.get_by_role("navigation", name="Actions (footer)")
    actions.click(footer.get_by_role("button", name="More actions"), "More actions")
    actions.click(footer.get_by_role("button", name="Publish"), "Publish")
    expect(editor.get_by_text(f"Page '{SERVICE_TITLE}' has been published.")).to_be_visible()

    assert len(actions.made) <= MAX_EDITOR_ACTIONS, actions.made
    print(f"Editor actions from the service page to a published form: {len(actions.made)}: {actions.made}")

    # A citizen completes the live form.
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(new_service["url"])
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("Give feedback or a suggestion").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("What happened?").fill(FEEDBACK)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("main")).to_contain_text(FEEDBACK)
    page.get_by_label("I agree with this declaration").check()
    page.get_by_role("button", name="Accept and send").click()
    expect(page.locator("h1")).to_have_text("Request sent")
    reference = page.locator("[data-reference]").inner_text().strip()
    assert REFERENCE.match(reference), f"not a reference: {reference!r}"

    stored = portal_server.shell_json(
        "import json\n"
        "from backoffice.models import ServiceRequest\n"
        "from backoffice.references import normalise_reference\n"
        f"request = ServiceRequest.objects.get(reference=normalise_reference({reference!r}))\n"
        "print(json.dumps({'service': request.service_id, 'department': request.queue.department_id,"
        " 'default': request.queue.is_default, 'pattern': request.form_page.pattern_id,"
        " 'what_happened': request.answers['what_happened']}))"
    )
    assert stored == {
        "service": new_service["pk"],
        "department": new_service["department"],
        "default": True,
        "pattern": "feedback",
        "what_happened": FEEDBACK,
    }, json.dumps(stored)
