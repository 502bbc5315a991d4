"""Form files in the admin and on the command line: export download, import, patterns; bad input never a 500."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from wagtail.models import Page

from forms_catalogue.exchange import parse_document
from forms_catalogue.models import EFormPage, FormPattern
from forms_catalogue.patterns import available_patterns, pattern_problems
from tests.backoffice.factories import login, make_staff, make_user
from tests.home.factories import make_category, make_services

from .journey_helpers import form_page
from .test_exchange import valid_document


@pytest.fixture
def editor(client, db):
    user = make_user("editor", superuser=True)
    login(client, user)
    return user


@pytest.fixture
def service(db):
    return make_services(make_category("Imports", "imports"), 1)[0]


def upload(data: bytes | dict, name: str = "form.json") -> SimpleUploadedFile:
    content = json.dumps(data).encode() if isinstance(data, dict) else data
    return SimpleUploadedFile(name, content, content_type="application/json")


def test_an_eform_downloads_as_a_json_attachment(client, editor):
    page = form_page("report-pothole")
    response = client.get(reverse("export_eform", args=[page.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="report-pothole-form.json"'
    assert parse_document(response.content).title == page.title


def test_the_export_action_is_in_the_eform_editor_header(client, editor):
    page = form_page("report-pothole")
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    assert reverse("export_eform", args=[page.pk]).encode() in response.content
    assert b"Export as JSON file" in response.content


def test_a_service_without_a_form_offers_import_and_one_with_a_form_does_not(client, editor, service):
    action = f"{reverse('import_form')}?service={service.pk}"
    assert action in client.get(reverse("wagtailadmin_pages:edit", args=[service.pk])).content.decode()
    taken = form_page("report-pothole").get_parent()
    taken_editor = client.get(reverse("wagtailadmin_pages:edit", args=[taken.pk])).content.decode()
    assert f"{reverse('import_form')}?service={taken.pk}" not in taken_editor
    listing = client.get(reverse("wagtailadmin_explore", args=[service.get_parent().pk])).content.decode()
    assert action in listing


def test_staff_who_cannot_edit_the_form_cannot_export_it(client, db):
    login(client, make_staff("officer", "Waste and Recycling"))
    response = client.get(reverse("export_eform", args=[form_page("report-pothole").pk]))
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")  # Wagtail's "denied"


def test_exporting_a_page_that_is_not_a_form_is_not_found(client, editor, service):
    assert client.get(reverse("export_eform", args=[service.pk])).status_code == 404


def test_a_form_file_imports_as_a_draft_and_opens_in_the_editor(client, editor, service):
    response = client.post(reverse("import_form"), {"file": upload(valid_document()), "service": service.pk})
    page = EFormPage.objects.child_of(service).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert not page.live and page.title == "Report a thing"


def test_the_import_screen_offers_services_without_a_form(client, editor, service):
    response = client.get(reverse("import_form"), {"service": service.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{service.pk}" selected>' in html
    assert f'value="{form_page("report-pothole").get_parent().pk}"' not in html


def test_a_malformed_file_is_refused_on_the_import_screen(client, editor, service):
    document = valid_document()
    document["form"]["steps"][1]["questions"][0]["type"] = "emial"
    pages = Page.objects.count()
    response = client.post(reverse("import_form"), {"file": upload(document), "service": service.pk})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert (
        "Step 2 &#x27;Your details&#x27;, question &#x27;email&#x27;: unknown question type"
        in response.content.decode()
    )
    assert Page.objects.count() == pages


@pytest.mark.parametrize("content", [b"\xff\xfe\x00", b"", b"null", b"{" * 5000])
def test_garbage_uploads_are_refused_not_500(client, editor, service, content):
    pages = Page.objects.count()
    response = client.post(reverse("import_form"), {"file": upload(content), "service": service.pk})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert Page.objects.count() == pages


def test_importing_under_a_service_with_a_form_is_refused(client, editor):
    taken = form_page("report-pothole").get_parent()
    response = client.post(reverse("import_form"), {"file": upload(valid_document()), "service": taken.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_staff_without_page_permissions_cannot_import_anywhere(client, service):
    login(client, make_staff("officer", "Waste and Recycling"))
    pages = Page.objects.count()
    response = client.post(reverse("import_form"), {"file": upload(valid_document()), "service": service.pk})
    assert response.status_code == 200
    assert "Every service you can edit already has a form" in response.content.decode()
    assert Page.objects.count() == pages


def test_the_shipped_example_pattern_is_available(db):
    report = next(pattern for pattern in available_patterns() if pattern.id == "report")
    assert report.origin == "shipped" and report.name == "Report a problem"


def test_a_council_folder_adds_patterns_and_lists_broken_ones(db, settings, tmp_path):
    own = valid_document()
    own["pattern"] = {"id": "permit", "name": "Apply for a permit", "description": "A permit."}
    (tmp_path / "permit.json").write_text(json.dumps(own))
    (tmp_path / "broken.json").write_text('{"format": "council-portal/e-form", "format_version": 9}')
    settings.FORM_PATTERNS_DIR = str(tmp_path)
    assert "permit" in {pattern.id for pattern in available_patterns()}
    problems = pattern_problems()
    assert [(problem.source, problem.origin) for problem in problems] == [("broken.json", "folder")]
    assert "newer version of the portal (format 9)" in problems[0].message


def test_an_uploaded_pattern_is_stored_and_listed(client, editor):
    own = valid_document()
    own["pattern"] = {"id": "permit", "name": "Apply for a permit", "description": "A permit."}
    response = client.post(reverse("form_patterns"), {"file": upload(own)})
    assert response.status_code == 302
    assert FormPattern.objects.get().pattern_id == "permit"
    assert "permit" in {pattern.id for pattern in available_patterns()}
    listing = client.get(reverse("form_patterns")).content.decode()
    assert "Apply for a permit" in listing and "Report a problem" in listing


def test_a_file_without_a_pattern_is_refused_as_a_pattern(client, editor):
    document = valid_document()
    document["pattern"] = None
    response = client.post(reverse("form_patterns"), {"file": upload(document)})
    assert response.status_code == 200
    assert "so it is not a pattern" in response.content.decode()
    assert not FormPattern.objects.exists()


def test_staff_cannot_manage_patterns(client, db):
    login(client, make_staff("officer", "Waste and Recycling"))
    response = client.get(reverse("form_patterns"))
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def test_the_commands_export_and_import_a_form(db, tmp_path, service, capsys):
    target = tmp_path / "pothole.json"
    call_command("export_form", "report-pothole", "-o", str(target))
    call_command("import_form", str(target), "--service", service.slug)
    copy = EFormPage.objects.child_of(service).get()
    assert f"as a draft under '{service.title}'" in capsys.readouterr().out
    assert copy.title == form_page("report-pothole").title and not copy.live
    call_command("export_form", str(copy.pk))
    assert json.loads(capsys.readouterr().out)["form"]["title"] == copy.title


def test_the_import_command_refuses_with_the_problem(db, tmp_path, service):
    document = valid_document()
    document["format_version"] = 2
    source = tmp_path / "newer.json"
    source.write_text(json.dumps(document))
    pages = Page.objects.count()
    with pytest.raises(CommandError, match=r"newer version of the portal \(format 2\)"):
        call_command("import_form", str(source), "--service", service.slug)
    assert Page.objects.count() == pages


def test_the_export_command_names_a_missing_service(db):
    with pytest.raises(CommandError, match="no service with the slug 'nowhere'"):
        call_command("export_form", "nowhere")
