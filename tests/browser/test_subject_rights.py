"""Back office → Subject rights in the browser: find a person's requests, download their export, erase them.

Signed in as a superuser (the information-governance permission gives the same page); the page
is checked with axe after each step.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile

from playwright.sync_api import expect

from .accessibility import assert_accessible
from .backoffice_fixtures import RequestSpec, submit_requests

URL = "/admin/back-office/subject-rights/"


def test_find_export_and_erase_a_persons_requests(staff_context, portal_server, screenshot):
    email = f"erase.me.{uuid.uuid4().hex[:8]}@example.com"
    first, second = submit_requests(
        portal_server,
        RequestSpec("report-missed-bin", email=email),
        RequestSpec("report-pothole", email=email, resolve_with=("Filled in.", "Crew 4")),
    )
    page = staff_context.new_page()
    page.goto(URL)
    assert_accessible(page, "subject rights, empty")

    page.get_by_label("Email address").fill(email.upper())
    page.get_by_role("button", name="Find").click()

    rows = page.locator("#found-requests tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(first["reference"])
    assert_accessible(page, "subject rights, found")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download the subject access export (zip)").click()
    bundle = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    document = json.loads(bundle.read("requests.json"))
    assert [entry["reference"] for entry in document["requests"]] == [first["reference"], second["reference"]]

    page.get_by_role("button", name="Erase").click()  # without the confirmation: refused, nothing erased
    expect(page.locator("#erase-errors")).to_contain_text("Confirm that these requests may be erased")
    assert_accessible(page, "subject rights, erase refused")
    page.get_by_label("I have checked that these requests are the person's and that they may be erased").check()
    page.get_by_role("button", name="Erase").click()

    expect(page.locator("#erased-references")).to_contain_text(first["reference"])
    expect(page.locator("#erased-references")).to_contain_text(second["reference"])
    assert_accessible(page, "subject rights, erased")
    screenshot(page, "subject-rights-erased")
    left = portal_server.shell_json(
        "import json\nfrom backoffice.models import ServiceRequest\n"
        f"print(json.dumps(ServiceRequest.objects.with_contact_email({email!r}).count()))"
    )
    assert left == 0
