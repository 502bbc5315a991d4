"""Upload attacks through every channel that takes files: the web journey, the API (JSON and multipart) and Open311.

Each attack must be refused with its own plain message (or, for a polyglot picture or a
hostile file name, defused: re-encoded, renamed), nothing of it may be stored with a request
or left in the journey's temporary uploads, and the rest of the journey must be kept. The web
journey and the API use the demo "Make a complaint" form, whose optional supporting document
may be a PDF, DOCX, JPEG or PNG of up to 10 MB. Open311 takes media only as links.
"""

from __future__ import annotations

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

from backoffice.models import Channel, ServiceRequest
from tests import sample_files
from tests.api.conftest import api_key, fresh_rate_limits  # noqa: F401 (fixtures)
from tests.api.open311_helpers import BASE, POTHOLE, error_descriptions, parse
from tests.api.submitting import SUBMIT, json_body, multipart_body, post_json, post_multipart, problem
from tests.clamd import needs_clamd, scanner_unreachable, scanning_with_clamd
from tests.forms_catalogue.conftest import journey, temp_uploads  # noqa: F401 (fixtures)
from tests.forms_catalogue.demo_answers import answers_for
from tests.forms_catalogue.journey_helpers import Upload, assert_field_error

pytestmark = [pytest.mark.django_db, pytest.mark.engine_neutral]  # see tests/conftest.py

FORM = "make-a-complaint"
STEP = "evidence"
QUESTION = "supporting_document"
FIELD_ID = f"id_{STEP}-{QUESTION}"
MEGABYTE = 1024 * 1024

DAMAGED_PNG = "The selected file cannot be opened as a PNG. Check the file and try again"
DAMAGED_DOCX = "The selected file cannot be opened as a DOCX. Check the file and try again"
SCRIPTED = "The selected PDF must not contain JavaScript. Save it again without scripts and try again"
LAUNCH = "The selected PDF must not open other files or programs. Save it again without them and try again"
EMBEDDED = "The selected PDF must not contain attached files. Upload each file on its own"
UNZIPPED = "The selected document is too large when opened. Save it again with fewer or smaller pictures"
MACROS = "The selected document must not contain macros. Save it as a Word document (.docx) and try again"
VIRUS = "The selected file contains a virus"
NOT_CHECKED = "The selected file could not be checked for viruses – try again later"

# attack: (the file's name, its content, the message, the code API clients get)
REFUSED = {
    "PNG header then HTML": ("photo.html", sample_files.png_then_html, DAMAGED_PNG, "damaged"),
    "PDF with /OpenAction JavaScript": (
        "letter.pdf",
        sample_files.pdf_with_open_action_javascript,
        SCRIPTED,
        "scripted",
    ),
    "PDF with a /Launch action": ("letter.pdf", sample_files.pdf_with_launch_action, LAUNCH, "launch"),
    "PDF with an embedded file": ("letter.pdf", sample_files.pdf_with_embedded_file, EMBEDDED, "embedded_files"),
    "PDF with a file attachment": (
        "letter.pdf",
        sample_files.pdf_with_attachment_annotation,
        EMBEDDED,
        "embedded_files",
    ),
    "DOCX zip bomb named .pdf": ("statement.pdf", sample_files.docx_zip_bomb, UNZIPPED, "too_large_unzipped"),
    "DOCX with ../ entries": ("letter.docx", sample_files.docx_with_parent_entry, DAMAGED_DOCX, "damaged"),
    "DOCX with macros": ("letter.docx", sample_files.docx_with_macros, MACROS, "macros"),
}


def api_requests() -> int:
    return ServiceRequest.objects.filter(channel=Channel.API).count()


def at_evidence_step(journey):  # noqa: F811
    return journey(FORM).complete(answers_for(FORM), until=STEP)


def assert_api_refused(response, message: str, code: str) -> None:
    document = problem(response, 422, "invalid-answers")
    assert [(error["pointer"], error["code"], error["message"]) for error in document["errors"]] == [
        (f"/{QUESTION}", code, message)
    ]


def with_document(name: str, content: bytes) -> dict:
    return answers_for(FORM, **{QUESTION: Upload(name, content, "application/pdf")})


# --- refused: web journey, API (JSON with base64, and multipart) -----------------------------


@pytest.mark.parametrize("attack", REFUSED)
def test_web_journey_refuses_the_attack_and_keeps_nothing_of_it(journey, temp_uploads, media_root, attack):  # noqa: F811
    name, make, message, _code = REFUSED[attack]
    citizen = at_evidence_step(journey)

    response = citizen.answer({QUESTION: Upload(name, make(), "application/pdf")})

    assert_field_error(response, FIELD_ID, message)
    assert citizen.step == STEP
    assert temp_uploads() == set()


@pytest.mark.parametrize("attack", REFUSED)
def test_api_json_refuses_the_attack(client, media_root, attack):
    name, make, message, code = REFUSED[attack]
    before = api_requests()

    assert_api_refused(post_json(client, FORM, json_body(with_document(name, make()))), message, code)
    assert api_requests() == before


@pytest.mark.parametrize(
    "attack", ["PDF with /OpenAction JavaScript", "DOCX zip bomb named .pdf", "PNG header then HTML"]
)
def test_api_multipart_refuses_the_attack(client, media_root, attack):
    name, make, message, code = REFUSED[attack]
    before = api_requests()

    assert_api_refused(post_multipart(client, FORM, multipart_body(with_document(name, make()))), message, code)
    assert api_requests() == before


def test_a_refused_file_loses_nothing_else_of_the_journey(journey, temp_uploads, media_root):  # noqa: F811
    answers = answers_for(FORM)
    citizen = at_evidence_step(journey)
    response = citizen.answer(
        {QUESTION: Upload("letter.pdf", sample_files.pdf_with_launch_action(), "application/pdf")}
    )
    assert_field_error(response, FIELD_ID, LAUNCH)

    citizen.answer({QUESTION: Upload("letter.pdf", sample_files.pdf(), "application/pdf")})
    service_request, _confirmation = citizen.send(answers)

    assert service_request.answers["what_happened"] == answers["what_happened"]
    assert service_request.answers["name"] == answers["name"]
    assert service_request.files.get().original_name == "letter.pdf"


def test_where_only_pictures_are_allowed_a_zip_bomb_named_pdf_is_not_a_picture(journey, temp_uploads, media_root):  # noqa: F811
    citizen = journey("report-fly-tipping").complete(answers_for("report-fly-tipping"), until="photo_upload")

    response = citizen.answer({"photo": Upload("photo.pdf", sample_files.docx_zip_bomb(), "application/pdf")})

    assert_field_error(response, "id_photo_upload-photo", "The selected file must be a JPEG or PNG")
    assert temp_uploads() == set()


# --- defused: polyglots and hostile names are kept only as what they really are --------------


@pytest.mark.parametrize(
    ("name", "content", "stored_name", "kept"),
    [
        ("photo.html", sample_files.png_html_polyglot(), "photo.html.png", sample_files.png()),
        ("photo.jpg", sample_files.jpeg_zip_polyglot(), "photo.jpg", sample_files.jpeg()),
        ("holiday.jpg", sample_files.jpeg_with_gps(), "holiday.jpg", sample_files.jpeg()),
    ],
)
def test_a_polyglot_picture_is_kept_as_the_picture_alone(journey, media_root, name, content, stored_name, kept):  # noqa: F811
    service_request, _confirmation = (
        journey(FORM).start().send(answers_for(FORM, **{QUESTION: Upload(name, content, "image/png")}))
    )

    record = service_request.files.get()
    assert record.original_name == stored_name
    assert record.file.name.endswith((".png", ".jpg")) and service_request.reference in record.file.name
    with record.file.open("rb") as handle:
        assert handle.read() == kept, "what followed the picture (HTML, a zip, EXIF with GPS) was kept"


HOSTILE_NAMES = {
    "../../../../etc/cron.d/evil.png": "evil.png",
    "..\\..\\windows\\system32\\evil.png": "evil.png",
    "..": "file.png",
    "photo\u202egnp.exe": "photognp.exe.png",
    'a<b>"c|d?*:e.png': "abcde.png",
    "x" * 248 + ".html": "x" * 248 + ".ht.png",  # at most 255 characters, ending with the real type
}


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_path_traversal_in_a_file_name_never_chooses_where_it_is_stored(client, media_root, name):
    body = json_body(with_document("photo.png", sample_files.png()))
    body["files"][f"/{QUESTION}"]["name"] = name  # as a client may send it
    response = post_json(client, FORM, body)
    assert response.status_code == 201, response.content

    record = ServiceRequest.objects.get(reference=response.json()["reference"]).files.get()
    assert record.original_name == HOSTILE_NAMES[name]
    stored = (media_root / record.file.name).resolve()
    assert stored.is_file() and stored.is_relative_to((media_root / "requests").resolve())
    assert stored.name.startswith(record.request.reference) and stored.suffix == ".png"
    assert "evil" not in record.file.name and ".." not in record.file.name


def test_path_traversal_in_a_web_upload_name_is_kept_only_as_display_text(journey, media_root):  # noqa: F811
    answers = answers_for(FORM, **{QUESTION: Upload("../../../etc/passwd.pdf", sample_files.pdf(), "application/pdf")})
    service_request, _confirmation = journey(FORM).start().send(answers)

    record = service_request.files.get()
    assert record.original_name == "passwd.pdf"
    assert (media_root / record.file.name).resolve().is_relative_to(media_root.resolve())


# --- viruses: quarantined with clamd, and never accepted unscanned -----------------------------


@needs_clamd
@pytest.mark.parametrize("send", [post_json, post_multipart])
def test_eicar_in_an_allowed_type_is_refused_by_the_api_and_quarantined(client, media_root, send):
    infected = sample_files.pdf() + sample_files.eicar()  # a PDF that parses, carrying the test virus
    answers = with_document("letter.pdf", infected)
    before = api_requests()
    with scanning_with_clamd():
        response = send(client, FORM, json_body(answers) if send is post_json else multipart_body(answers))

    assert_api_refused(response, VIRUS, "virus")
    assert api_requests() == before
    quarantined = list((media_root / "quarantine").iterdir())
    assert len(quarantined) == 1 and b"EICAR" not in quarantined[0].read_bytes()  # encrypted at rest
    with storages["quarantine"].open(quarantined[0].name) as handle:
        assert handle.read() == infected
    assert not (media_root / "requests").exists()


@needs_clamd
def test_web_journey_tells_the_citizen_of_a_virus(journey, temp_uploads, media_root):  # noqa: F811
    citizen = at_evidence_step(journey)
    with scanning_with_clamd():
        response = citizen.answer(
            {QUESTION: Upload("letter.pdf", sample_files.pdf() + sample_files.eicar(), "application/pdf")}
        )

    assert_field_error(response, FIELD_ID, VIRUS)
    assert temp_uploads() == set()
    assert len(list((media_root / "quarantine").iterdir())) == 1


def test_an_unreachable_scanner_fails_closed_on_the_web(journey, temp_uploads, media_root, tmp_path):  # noqa: F811
    citizen = at_evidence_step(journey)
    with scanner_unreachable(tmp_path):
        response = citizen.answer({QUESTION: Upload("letter.pdf", sample_files.pdf(), "application/pdf")})

    assert_field_error(response, FIELD_ID, NOT_CHECKED)
    assert temp_uploads() == set()
    citizen.answer({QUESTION: Upload("letter.pdf", sample_files.pdf(), "application/pdf")})  # scanner back
    assert citizen.step != STEP


def test_an_unreachable_scanner_fails_closed_in_the_api(client, media_root, tmp_path):
    before = api_requests()
    with scanner_unreachable(tmp_path):
        response = post_json(client, FORM, json_body(with_document("letter.pdf", sample_files.pdf())))

    assert_api_refused(response, NOT_CHECKED, "scan_failed")
    assert api_requests() == before


# --- Open311: media are links, never files ------------------------------------------------------


@pytest.mark.parametrize("content", [sample_files.eicar, sample_files.docx_zip_bomb, sample_files.png_then_html])
def test_open311_refuses_any_file_part_and_stores_nothing(client, api_key, media_root, content):  # noqa: F811
    before = ServiceRequest.objects.filter(channel=Channel.OPEN311).count()
    fields = {**POTHOLE, "api_key": api_key, "media": SimpleUploadedFile("pothole.pdf", content(), "application/pdf")}

    response = client.post(f"{BASE}requests.xml", fields)

    assert response.status_code == 400
    assert error_descriptions(parse(response, "xml")) == ["Send media as media_url links: files are not accepted."]
    assert ServiceRequest.objects.filter(channel=Channel.OPEN311).count() == before
    assert not media_root.exists() or not any(path.is_file() for path in media_root.rglob("*"))


# --- oversized bodies: refused before they are read ---------------------------------------------


class Unreadable:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def declared(size: int) -> dict:
    return {"CONTENT_LENGTH": str(size), "wsgi.input": Unreadable()}


def test_a_web_body_over_the_forms_limit_gets_the_413_page_unread(journey, media_root):  # noqa: F811
    citizen = at_evidence_step(journey)
    content_type = "multipart/form-data; boundary=BoUnDaRy"

    response = citizen.client.generic("POST", citizen.url_of(STEP), b"", content_type, **declared(13 * MEGABYTE))

    assert response.status_code == 413
    assert "The file you sent is too large" in response.content.decode()
    assert "You can send at most 12MB at a time" in response.content.decode()  # 10 MB file + the answers
    assert citizen.show(STEP).status_code == 200, "the journey goes on"


def test_a_web_body_over_the_sites_limit_gets_the_413_page_unread(client):
    response = client.generic("POST", "/track/", b"", "multipart/form-data; boundary=x", **declared(60 * MEGABYTE))

    assert response.status_code == 413
    assert "The file you sent is too large" in response.content.decode()


def test_a_real_oversized_upload_is_refused_and_the_journey_kept(journey, temp_uploads, media_root):  # noqa: F811
    citizen = at_evidence_step(journey)
    big = Upload("scan.pdf", sample_files.pdf() + b"%" * (13 * MEGABYTE), "application/pdf")

    response = citizen.answer({QUESTION: big})

    assert response.status_code == 413
    assert temp_uploads() == set()
    assert citizen.show(STEP).status_code == 200


def test_an_api_body_over_the_limit_is_a_413_problem_unread(client):
    response = client.generic("POST", SUBMIT.format(code=FORM), b"", "application/json", **declared(16 * MEGABYTE))

    document = problem(response, 413, "body-too-large")
    assert "15 MB" in document["detail"]


def test_an_open311_body_over_the_limit_is_a_413_error_unread(client):
    response = client.generic(
        "POST", f"{BASE}requests.xml", b"", "application/x-www-form-urlencoded", **declared(16 * MEGABYTE)
    )

    assert response.status_code == 413
    assert "The request is too large." in error_descriptions(parse(response, "xml"))[0]
