"""Subject rights: the information-governance team finds, exports and erases one person's requests.

Back office → Subject rights (permission `backoffice.handle_subject_rights`) and the commands
`export_subject_access` and `erase_personal_data`. Every search, export and erasure is audited
per request; an erasure deletes only what the preview showed, and reports what it deleted.
"""

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from backoffice import casework
from backoffice.models import ServiceRequest
from backoffice.staff import audit
from backoffice.staff.requests import form_definition
from forms_catalogue.models import SavedJourney
from tests.forms_catalogue.journey_helpers import PNG_BYTES

from .factories import CITIZEN_EMAIL, FLY_TIPPING, MISSED_BIN, form_page, login, make_request, make_user, page

pytestmark = pytest.mark.django_db

URL = reverse("backoffice_subject_rights:index")
OTHER_EMAIL = "alex.jones@example.com"


@pytest.fixture
def governance_officer(db):
    """A member of the information-governance team: admin access and the subject-rights permission, no queue."""
    group, _created = Group.objects.get_or_create(name="Information governance")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        Permission.objects.get(content_type__app_label="backoffice", codename="handle_subject_rights"),
    )
    return make_user("igor", groups=(group,))


@pytest.fixture
def held(media_root):
    """Two requests of Sam's (one with a photo and a public note), one of someone else's, and Sam's saved journey."""
    photo = make_request(FLY_TIPPING)
    casework.change_status(photo, "in_progress", actor=None, public_note="A crew is on its way.", internal_note="Jones")
    bin_request = make_request(MISSED_BIN)
    other = make_request(MISSED_BIN, email=OTHER_EMAIL)
    page_ = form_page(MISSED_BIN)
    saved = SavedJourney.objects.create(
        page=page_,
        version=page_.current_version(),
        email=CITIZEN_EMAIL.upper(),
        data={"step_data": {"where": {"where-postcode": ["AB4 7QT"]}}},
        expires_at=timezone.now() + timezone.timedelta(days=7),
    )
    return {"photo": photo, "bin": bin_request, "other": other, "saved": saved}


def entries(service_request, action):
    return ModelLogEntry.objects.for_instance(service_request).filter(action=action)


def test_only_the_information_governance_team_may_use_it(client, held, waste_officer, governance_officer):
    login(client, waste_officer)
    assert client.get(URL).status_code != 200
    response = client.post(URL, {"action": "erase", "email": CITIZEN_EMAIL, "confirm": "on", "request_ids": ""})
    assert response.status_code != 200
    assert ServiceRequest.objects.get(pk=held["photo"].pk).anonymised_at is None
    client.logout()

    login(client, governance_officer)
    assert client.get(URL).status_code == 200
    assert "Subject rights" in client.get(reverse("wagtailadmin_home")).content.decode()


def test_find_shows_the_persons_requests_and_is_audited(client, held, governance_officer):
    login(client, governance_officer)

    response = client.post(URL, {"action": "find", "email": " Sam.Okafor@Example.com "})

    shown = [row.select("td")[0].get_text() for row in page(response).select("#found-requests tbody tr")]
    assert shown == [held["photo"].display_reference, held["bin"].display_reference]
    assert held["other"].display_reference not in response.content.decode()
    assert "1 saved journey" in page(response).select_one("#found-saved-journeys").get_text()
    for mine in (held["photo"], held["bin"]):
        (entry,) = entries(mine, audit.FIND_SUBJECT_REQUESTS)
        assert entry.user == governance_officer and CITIZEN_EMAIL not in json.dumps(entry.data)
    assert not entries(held["other"], audit.FIND_SUBJECT_REQUESTS).exists()


def test_a_bad_address_is_a_clear_error_not_a_search(client, held, governance_officer):
    login(client, governance_officer)

    response = client.post(URL, {"action": "find", "email": "not an address"})

    assert response.status_code == 200
    assert "Enter an email address in the correct format" in page(response).select_one("#find-errors").get_text()
    assert not ModelLogEntry.objects.filter(action=audit.FIND_SUBJECT_REQUESTS).exists()


def test_the_export_holds_answers_by_label_visible_history_and_files(client, held, governance_officer):
    login(client, governance_officer)

    response = client.post(URL, {"action": "export", "email": CITIZEN_EMAIL})

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    bundle = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    document = json.loads(bundle.read("requests.json"))
    assert document["type"] == "council-portal.subject-access-export" and document["email"] == CITIZEN_EMAIL
    references = [entry["reference"] for entry in document["requests"]]
    assert references == [held["photo"].display_reference, held["bin"].display_reference]
    photo = document["requests"][0]
    labels = {row["question"] for row in photo["answers"]}
    form_labels = {question.label for _step, question in form_definition(held["photo"]).questions()}
    assert len(labels) > 3 and labels <= form_labels, "answers under the labels the person saw, not question ids"
    assert any("A crew is on its way." == event["note"] for event in photo["history"])
    assert "Jones" not in json.dumps(document), "staff's internal notes are not the person's to see"
    (stored,) = photo["files"]
    assert bundle.read(stored["path"]) == PNG_BYTES
    assert document["saved_journeys"][0]["form"] == form_page(MISSED_BIN).title
    assert OTHER_EMAIL not in json.dumps(document)
    for mine, files in ((held["photo"], 1), (held["bin"], 0)):
        (entry,) = entries(mine, audit.EXPORT_REQUEST)
        assert entry.user == governance_officer and entry.data["files"] == files


def test_erasure_deletes_what_the_preview_showed_and_reports_it(client, held, governance_officer):
    login(client, governance_officer)
    preview = client.post(URL, {"action": "find", "email": CITIZEN_EMAIL})
    ids = page(preview).select_one("input[name=request_ids]")["value"]
    later = make_request(MISSED_BIN)  # made after the preview: not erased unseen
    photo_file = Path(held["photo"].files.get().file.path)

    response = client.post(URL, {"action": "erase", "email": CITIZEN_EMAIL, "request_ids": ids, "confirm": "on"})

    report = page(response).select_one("#erased-section").get_text(" ")
    assert held["photo"].display_reference in report and held["bin"].display_reference in report
    assert "Files deleted 1" in " ".join(report.split())
    for erased in (held["photo"], held["bin"]):
        erased.refresh_from_db()
        assert erased.anonymised_at and erased.answers == {} and erased.contact_email == ""
        assert not erased.files.exists() and not erased.events.exists() and not erased.deliveries.exists()
        (entry,) = entries(erased, audit.ERASE_REQUEST)
        assert entry.user == governance_officer
    assert not photo_file.exists()
    assert not SavedJourney.objects.filter(pk=held["saved"].pk).exists()
    later.refresh_from_db()
    held["other"].refresh_from_db()
    assert later.anonymised_at is None and held["other"].anonymised_at is None


def test_erasure_needs_the_confirmation(client, held, governance_officer):
    login(client, governance_officer)

    response = client.post(URL, {"action": "erase", "email": CITIZEN_EMAIL, "request_ids": str(held["photo"].pk)})

    assert "Confirm that these requests may be erased" in page(response).select_one("#erase-errors").get_text()
    held["photo"].refresh_from_db()
    assert held["photo"].anonymised_at is None


# --- the commands ----------------------------------------------------------------------------------


def test_the_erase_command_previews_then_erases_with_yes(held):
    out = io.StringIO()
    call_command("erase_personal_data", "--email", CITIZEN_EMAIL, stdout=out)
    assert held["photo"].display_reference in out.getvalue() and "Run again with --yes" in out.getvalue()
    assert ServiceRequest.objects.get(pk=held["photo"].pk).anonymised_at is None

    out = io.StringIO()
    call_command("erase_personal_data", "--email", CITIZEN_EMAIL, "--yes", "--case", "SAR-42", stdout=out)

    assert f"Erased 2 requests ({held['photo'].display_reference}, {held['bin'].display_reference})" in out.getvalue()
    assert "1 files" in out.getvalue()
    (entry,) = entries(held["photo"], audit.ERASE_REQUEST)
    assert entry.user is None and entry.data["case"] == "SAR-42" and entry.data["via_kind"] == "command"
    assert "from the command line" in entry.message


def test_the_export_command_writes_a_zip_and_never_overwrites(held, tmp_path):
    target = tmp_path / "sam.zip"

    call_command("export_subject_access", "--email", CITIZEN_EMAIL, "--output", str(target), stdout=io.StringIO())

    assert "requests.json" in zipfile.ZipFile(target).namelist()
    assert entries(held["photo"], audit.EXPORT_REQUEST).count() == 1
    with pytest.raises(CommandError, match="exists already"):
        call_command("export_subject_access", "--email", CITIZEN_EMAIL, "--output", str(target))


def test_the_commands_refuse_something_that_is_not_an_address():
    with pytest.raises(CommandError, match="email address"):
        call_command("erase_personal_data", "--email", "sam", "--yes")
