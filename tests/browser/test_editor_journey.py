"""An editor puts an offline service online in the Wagtail admin, and a citizen uses the new form.

The editor adds an "E-form" page under a service page that has none, builds one step with a
short-text and a radios question and an exit page (shown for one of the radios' options)
through the StreamField interface, previews it in both preview modes, and publishes it. A
citizen then finds "Start now" on the service page, reaches the exit page, goes back, changes
the answer, completes the new form and gets a reference; the request is stored under the
question ids made from the labels.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from .accessibility import assert_accessible
from .backoffice_fixtures import NAVIGATION_TIMEOUT_MS, REFERENCE, TIMEOUT_MS, PageEditor

FORM_TITLE = "Request this service online"
INTRO = "It takes about 2 minutes."
STEP_TITLE = "About your request"
WHERE = "Where is it needed?"
WHERE_ID = "where_is_it_needed"
WHEN = "How soon do you need it?"
WHEN_ID = "how_soon_do_you_need_it"
OPTIONS = ["Within a week", "Later this month"]
WHERE_ANSWER = "Outside 14 Mill Lane, by the lamp post"
EXIT_TITLE = "You cannot request this online"
EXIT_TEXT = "Call us on 01632 960000 and we will arrange it later in the month."


@pytest.fixture(scope="module")
def offline_service(portal_server) -> dict:
    """A live service page that is offline and has no e-form yet: its pk, title and URL."""
    return portal_server.new_offline_service(
        "Request a street party road closure",
        "street-party-road-closure",
        "Ask us to close your road for a street party.",
        "roads-and-pavements",
    )


def choose_block(page, insert_button, kind: str, exact: bool = False) -> None:
    """Open a StreamField's block chooser and pick `kind`; open it again if the first click came
    before the editor's scripts were ready to show it (the chooser then never appears)."""
    option = page.get_by_role("option", name=kind, exact=exact)
    for _attempt in range(3):
        insert_button.click()
        try:
            expect(option).to_be_visible(timeout=5_000)
        except AssertionError:
            page.keyboard.press("Escape")
            continue
        option.click()
        return
    raise AssertionError(f"the block chooser never offered '{kind}'")


def add_question(page, questions, kind: str):
    """Insert a question of this kind at the end of the step's questions; the new question's block."""
    choose_block(page, questions.get_by_role("button", name="Insert a block").last, kind)
    block = questions.get_by_role("region", name=re.compile(rf"^{re.escape(kind)}")).last
    expect(block.get_by_role("textbox", name="Label*").first).to_be_visible()
    return block


def test_editor_builds_previews_and_publishes_a_form_that_a_citizen_completes(
    staff_context, page, portal_server, offline_service, screenshot
):
    page.set_default_timeout(TIMEOUT_MS)
    service_url = offline_service["url"]
    page.goto(service_url)
    expect(page.locator("h1")).to_have_text(offline_service["title"])
    expect(page.get_by_role("button", name="Start now")).to_have_count(0)  # offline: nothing to start

    # The editor adds an e-form under the service page (its only allowed child type).
    editor = staff_context.new_page()
    editor.set_default_timeout(TIMEOUT_MS)
    editor.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    autosave = PageEditor(editor)
    editor.goto(f"/admin/pages/{offline_service['pk']}/")
    editor.get_by_role("link", name="Add child page").click()
    expect(editor.locator("h1")).to_have_text("New: E-form")
    autosave.wait_until_ready()
    editor.get_by_role("textbox", name="Title*").fill(FORM_TITLE)
    editor.get_by_role("textbox", name="Introduction").fill(INTRO)

    # One step, two questions, through the StreamField interface.
    steps = editor.locator("#panel-child-content-steps-section")
    choose_block(editor, steps.get_by_role("button", name="Insert a block"), "Step", exact=True)
    step = steps.get_by_role("region", name=re.compile(r"^Step"))
    step.get_by_role("textbox", name="Title*").fill(STEP_TITLE)
    questions = step.locator("[data-contentpath='questions']")
    short_text = add_question(editor, questions, "Short text")
    short_text.get_by_role("textbox", name="Label*").fill(WHERE)
    radios = add_question(editor, questions, "Radios (choose one)")
    radios.get_by_role("textbox", name="Label*").first.fill(WHEN)
    options = radios.locator("[data-contentpath='options_list']")
    options.get_by_role("textbox", name="Label*").first.fill(OPTIONS[0])  # the list starts with one option
    options.get_by_role("button", name="Add").last.click()
    options.get_by_role("textbox", name="Label*").nth(1).fill(OPTIONS[1])
    expect(options.get_by_role("textbox", name="Label*")).to_have_count(2)

    # An exit page after it, shown when the second option is chosen.
    choose_block(editor, steps.get_by_role("button", name="Insert a block").last, "Exit page")
    exit_page = steps.get_by_role("region", name=re.compile(r"^Exit page"))
    exit_page.get_by_role("textbox", name="Title*").fill(EXIT_TITLE)
    exit_page.get_by_role("textbox", name="Body text*").fill(EXIT_TEXT)
    exit_page.get_by_role("button", name="Add").last.click()
    exit_page.get_by_role("textbox", name="Question id*").fill(WHEN_ID)
    exit_page.get_by_role("textbox", name="Value").fill("later-this-month")

    # Wagtail 8 autosaves the new page as a draft and moves the editor to its edit view.
    autosave.settle()
    expect(editor).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    expect(editor.get_by_text("Saved", exact=True)).to_be_visible()
    screenshot(editor, "editor-eform-built")

    # Preview: the journey as a citizen sees it, then the summary of the definition.
    editor.get_by_role("button", name="Toggle preview").click()
    preview = editor.frame_locator('iframe[title="Preview"]').last
    expect(preview.locator("h1")).to_have_text(FORM_TITLE, timeout=NAVIGATION_TIMEOUT_MS)
    expect(preview.get_by_role("heading", name=STEP_TITLE)).to_be_visible()
    expect(preview.get_by_label(WHERE)).to_be_visible()
    expect(preview.get_by_role("group", name=WHEN).get_by_role("radio")).to_have_count(2)
    expect(preview.get_by_label(OPTIONS[1])).to_be_visible()
    expect(preview.get_by_role("heading", name=EXIT_TITLE)).to_be_visible()
    screenshot(editor, "editor-eform-preview-journey")
    editor.get_by_label("Preview mode").select_option(label="Summary of the definition")
    expect(preview.locator("h1")).to_have_text(f"{FORM_TITLE}: summary", timeout=NAVIGATION_TIMEOUT_MS)
    table = preview.locator("table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").nth(0).locator("td")).to_have_text(
        [WHERE, WHERE_ID, "short_text", "Yes", re.compile(r"max_length: 200")]
    )
    expect(table.locator("tbody tr").nth(1).locator("td")).to_have_text(
        [WHEN, WHEN_ID, "radios", "Yes", "Within a week (within-a-week), Later this month (later-this-month)"]
    )
    screenshot(editor, "editor-eform-preview-summary")

    # Publish.
    footer = editor.get_by_role("navigation", name="Actions (footer)")
    footer.get_by_role("button", name="More actions").click()
    footer.get_by_role("button", name="Publish").click()
    expect(editor).to_have_url(re.compile(rf"/admin/pages/{offline_service['pk']}/$"))
    expect(editor.get_by_text(f"Page '{FORM_TITLE}' has been published.")).to_be_visible()

    # The citizen: the service page now starts the new form.
    page.goto(service_url)
    page.get_by_role("button", name="Start now").click()
    expect(page.locator("h1")).to_have_text(STEP_TITLE)
    page.get_by_role("button", name="Continue").click()  # nothing answered: both are required
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary").get_by_role("link")).to_have_count(2)
    assert_accessible(page, "the editor's new form, error state")
    page.get_by_label(WHERE).fill(WHERE_ANSWER)
    page.get_by_label(OPTIONS[1]).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text(EXIT_TITLE)
    expect(page.locator("main")).to_contain_text(EXIT_TEXT)
    page.get_by_role("link", name="Back", exact=True).click()
    page.get_by_label(OPTIONS[0]).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Check your answers before sending your request")
    expect(page.locator("main")).to_contain_text(WHERE_ANSWER)
    page.get_by_label("I agree with this declaration").check()
    page.get_by_role("button", name="Accept and send").click()
    expect(page.locator("h1")).to_have_text("Request sent")
    reference = page.locator("[data-reference]").inner_text().strip()
    assert REFERENCE.match(reference), f"not a reference: {reference!r}"
    screenshot(page, "editor-eform-citizen-confirmation")

    # Stored for the service's department, under the ids made from the labels, on the published version.
    stored = portal_server.shell_json(
        "import json\n"
        "from backoffice.models import ServiceRequest\n"
        "from backoffice.references import normalise_reference\n"
        f"request = ServiceRequest.objects.get(reference=normalise_reference({reference!r}))\n"
        "print(json.dumps({'service': request.service_id, 'answers': request.answers,"
        " 'status': request.service.online_status, 'form': request.form_snapshot.get('title'),"
        " 'version': request.form_version_id is not None, 'queue': request.queue.department_id"
        " == request.service.department_id}))"
    )
    assert stored == {
        "service": offline_service["pk"],
        "answers": {WHERE_ID: WHERE_ANSWER, WHEN_ID: "within-a-week"},
        "status": "online_form",
        "form": FORM_TITLE,
        "version": True,
        "queue": True,
    }, json.dumps(stored)
