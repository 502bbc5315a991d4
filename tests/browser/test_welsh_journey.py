"""A Welsh journey end to end, in Chromium, on a portal with the Welsh demo council loaded.

A resident opens the home page, switches to Cymraeg, searches in Welsh, opens the Welsh service
page of the missed-bin service and its Welsh e-form, sends the first step empty (the error
summary, the title's prefix and the messages are Welsh), answers every step, checks the
answers, accepts the declaration and sends. Every page is `lang="cy"` and passes axe (whose
rules include `html-has-lang`, `html-lang-valid` and `valid-lang`). The request reaches the
department's queue with the English form's question ids as its answer keys and language `cy`,
and the confirmation email is in Welsh.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from .accessibility import assert_accessible
from .backoffice_fixtures import MAX_STEPS, REFERENCE, wait_for_email
from .conftest import start_portal_server
from .eforms import CHECK_STEP, DEMO_FORMS_DIR, Answers, FormSpec, answer_step, demo_forms, step_name

SLUG = "report-missed-bin"
EMAIL = "glenys.hughes@example.com"


@pytest.fixture(scope="module")
def welsh_server(tmp_path_factory):
    """A portal of its own with the Welsh pages and forms loaded as `make run` loads them."""
    server = start_portal_server(tmp_path_factory.mktemp("welsh-portal"))
    server.shell(
        "from home.demo_welsh import load_welsh_pages\n"
        "from forms_catalogue.demo import load_welsh_demo_forms\n"
        "print(load_welsh_pages(), load_welsh_demo_forms())"
    )
    yield server
    server.stop()


def in_welsh(page, what: str) -> None:
    """The page is marked up as Welsh and passes axe."""
    assert page.locator("html").get_attribute("lang") == "cy", (what, page.url)
    assert_accessible(page, f"Welsh: {what}")


def test_a_resident_completes_a_welsh_journey(page, welsh_server, screenshot):
    english = demo_forms()[SLUG]
    welsh = json.loads((DEMO_FORMS_DIR / "cy" / f"{SLUG}.json").read_text(encoding="utf-8"))
    spec = FormSpec(SLUG, welsh)

    page.goto(f"{welsh_server.url}/")
    page.locator(".council-language a[hreflang='cy']").click()
    expect(page).to_have_url(re.compile(r"/cy/$"))
    in_welsh(page, "home page")

    page.goto(f"{welsh_server.url}/cy/search/?q=bin")
    in_welsh(page, "search results")
    page.locator("main").get_by_role("link", name=welsh["title"]).first.click()
    in_welsh(page, "service page")
    expect(page.locator(".council-language a[hreflang='en-gb']")).to_have_attribute(
        "href", re.compile(rf"^/[\w/-]*{SLUG}/$")
    )
    page.locator("main").get_by_role("button", name="Dechrau nawr").or_(
        page.locator("main").get_by_role("link", name="Dechrau nawr")
    ).first.click()

    first = step_name(page.url)
    assert "/cy/" in page.url, page.url
    page.get_by_role("button", name="Parhau", exact=True).click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("h2")).to_have_text("Mae problem")
    assert page.title().startswith("Gwall:"), page.title()
    english_messages = ("Enter", "Select", "Choose")
    assert not any(text.strip().startswith(english_messages) for text in summary.locator("li").all_inner_texts())
    in_welsh(page, f"step {first} with errors")

    answered: set[str] = set()
    for _ in range(MAX_STEPS):
        name = step_name(page.url)
        if name == CHECK_STEP:
            break
        in_welsh(page, f"step {name}")
        answered.update(answer_step(page, spec, Answers(text={"email": EMAIL})))
        page.get_by_role("button", name="Parhau", exact=True).click()
        expect(page).not_to_have_url(re.compile(rf"/{re.escape(name)}/$"))
    else:
        raise AssertionError(f"check your answers not reached after {MAX_STEPS} steps")
    in_welsh(page, "check your answers")
    screenshot(page, "welsh-check-answers")
    page.locator("main input[type='checkbox']").last.check()
    page.get_by_role("button", name="Derbyn ac anfon").click()

    reference = page.locator("[data-reference]").inner_text().strip()
    assert REFERENCE.match(reference), reference
    in_welsh(page, "confirmation")
    screenshot(page, "welsh-confirmation")

    language, keys, department = welsh_server.shell_json(
        "import json\nfrom backoffice.models import ServiceRequest\n"
        f"r = ServiceRequest.objects.get(reference={reference.replace('-', '')!r})\n"
        "print(json.dumps([r.language, sorted(r.answers), r.queue.department.name]))"
    )
    english_ids = {question["id"] for step in english["steps"] for question in step["questions"]}
    assert language == "cy"
    assert set(keys) == answered and set(keys) <= english_ids, (keys, answered)
    assert department == "Waste and Recycling"

    welsh_server.manage("deliver", "--once")
    message = wait_for_email(welsh_server, EMAIL, reference)
    assert "mae eich cais gennym" in message["Subject"], message["Subject"]
