"""Acceptance: file uploads through the journey (kept, replaced, limits, type by content, clean-up)."""

import os
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from backoffice.models import RequestFile
from forms_catalogue.models import SavedJourney
from forms_catalogue.wizard import journey_file_storage

from .demo_answers import answers_for
from .journey_helpers import (
    CHECK,
    HTML_BYTES,
    PNG_BYTES,
    Upload,
    assert_field_error,
    change_link,
    jpeg,
    pdf,
    png,
    sections,
    soup,
    stored_answers,
)

pytestmark = pytest.mark.django_db

MEGABYTE = 1024 * 1024
EVIDENCE_FORM = {
    "title": "Send us your evidence",
    "declaration": "The documents are genuine.",
    "steps": [
        {
            "id": "evidence",
            "title": "Your documents",
            "repeat": {"min_items": 2, "max_items": 3, "item_label": "document"},
            "questions": [
                {"id": "note", "type": "short_text", "label": "What is the document?"},
                {
                    "id": "document",
                    "type": "file",
                    "label": "Upload the document",
                    "rules": {"max_size_mb": 1, "allowed_types": ["pdf", "png"]},
                },
            ],
        },
        {"id": "contact", "title": "Your email", "questions": [{"id": "email", "type": "email", "label": "Email"}]},
    ],
}


def files_of(service_request) -> dict:
    return {
        (record.question_id, record.item_index): record
        for record in RequestFile.objects.filter(request=service_request)
    }


def content_of(record) -> bytes:
    with record.file.open("rb") as handle:  # decrypted by the request files' storage
        return handle.read()


def test_uploads_are_kept_across_steps_without_choosing_them_again(journey, temp_uploads):
    answers = answers_for("blue-badge")
    citizen = journey("blue-badge").complete(answers)
    assert len(temp_uploads()) == 3
    assert sections(citizen.response)["Upload a photo and documents"] == {
        "Upload a photo of the person the badge is for": "face.png (1 KB)",
        "Upload proof of identity": "passport.pdf (1 KB)",
        "Upload proof of address": "bill.jpg (1 KB)",
    }

    documents = citizen.visit(change_link(citizen.response, "Upload proof of identity")).content.decode()
    assert "You have uploaded face.png (1 KB). Choose a new file to replace it, or continue to keep it." in documents
    assert "You have uploaded passport.pdf (1 KB)." in documents
    response = citizen.answer({})  # required file questions, no new files chosen

    assert response["Location"] == citizen.url_of(CHECK)
    assert len(temp_uploads()) == 3
    service_request, _ = citizen.send(answers)
    stored = files_of(service_request)
    assert set(stored) == {("photo", None), ("proof_of_identity", None), ("proof_of_address", None)}
    assert content_of(stored[("photo", None)]) == answers["photo"].content
    assert content_of(stored[("proof_of_identity", None)]) == answers["proof_of_identity"].content
    assert temp_uploads() == set()


def test_choosing_a_new_file_replaces_the_upload(journey, temp_uploads):
    answers = answers_for("report-fly-tipping")
    citizen = journey("report-fly-tipping").complete(answers, until="witness")
    first = temp_uploads()
    assert len(first) == 1

    citizen.answer({"photo": jpeg("closer.jpg")}, step="photo_upload")

    assert citizen.step == "witness"
    assert len(temp_uploads()) == 1 and temp_uploads() != first, "the replaced upload was not deleted"
    service_request, _ = citizen.send(answers)
    assert service_request.answers["photo"] == jpeg("closer.jpg").stored()
    assert content_of(files_of(service_request)[("photo", None)]) == jpeg().content


def test_a_file_over_the_size_limit_is_refused(journey, temp_uploads):
    citizen = journey("blue-badge").complete(answers_for("blue-badge"), until="documents")
    too_big = png("huge.png", PNG_BYTES + b"\x00" * (5 * MEGABYTE))

    response = citizen.answer({"photo": too_big, "proof_of_identity": pdf(), "proof_of_address": jpeg()})

    assert_field_error(response, "id_documents-photo", "The selected file must be smaller than 5MB")
    assert citizen.step == "documents"
    assert temp_uploads() == set()


NOT_ALLOWED = {
    "HTML named .png": Upload("photo.png", HTML_BYTES, "image/png"),
    "HTML": Upload("photo.html", HTML_BYTES, "text/html"),
    "GIF named .jpg": Upload("photo.jpg", b"GIF89a" + PNG_BYTES[8:], "image/jpeg"),
    "PDF, not allowed here": Upload("report.pdf", pdf().content, "application/pdf"),
}


def test_a_file_whose_content_is_not_an_allowed_type_or_empty_is_refused(journey, temp_uploads):
    citizen = journey("report-fly-tipping").complete(answers_for("report-fly-tipping"), until="photo_upload")

    for case, upload in NOT_ALLOWED.items():
        response = citizen.answer({"photo": upload})

        assert_field_error(response, "id_photo_upload-photo", "The selected file must be a JPEG or PNG")
        assert temp_uploads() == set(), case
    response = citizen.answer({"photo": Upload("photo.png", b"", "image/png")})
    assert_field_error(response, "id_photo_upload-photo", "The selected file is empty")
    assert citizen.client.get(citizen.url_of("witness"))["Location"] == citizen.url_of("photo_upload")


def test_uploads_in_repeated_items_follow_their_item_when_one_is_removed(journey, publish_form, temp_uploads):
    page = publish_form(EVIDENCE_FORM)
    items = [
        {"note": "Passport", "document": pdf("passport.pdf")},
        {"note": "Bank statement", "document": png("statement.png")},
        {"note": "Tenancy", "document": pdf("tenancy.pdf")},
    ]
    citizen = journey(page).complete({"evidence": items, "email": "sam@example.com"})
    assert [step for step in citizen.visited if step.startswith("evidence")] == [
        "evidence-1",
        "evidence-2",
        "evidence-list",
        "evidence-3",
        "evidence-list",
    ]
    assert len(temp_uploads()) == 3

    response = citizen.client.post(f"{citizen.base}evidence-2/remove/")

    assert response["Location"] == citizen.url_of(CHECK)
    assert len(temp_uploads()) == 2, "the removed item's upload was not deleted"
    shown = sections(citizen.show(CHECK))
    assert shown["Document 2"] == {"What is the document?": "Tenancy", "Upload the document": "tenancy.pdf (1 KB)"}
    assert "remove" not in str(soup(citizen.response).select("form a")).lower(), "2 documents is the least"
    service_request, _ = citizen.send({})
    assert service_request.answers == stored_answers({"evidence": [items[0], items[2]], "email": "sam@example.com"})
    stored = files_of(service_request)
    assert content_of(stored[("document", 0)]) == items[0]["document"].content
    assert content_of(stored[("document", 1)]) == items[2]["document"].content
    assert stored[("document", 1)].original_name == "tenancy.pdf"
    assert temp_uploads() == set()


def saved_uploads(saved: SavedJourney) -> set[str]:
    return {info["tmp_name"] for step in saved.data["step_files"].values() for info in step.values()}


def test_purge_journeys_removes_expired_saved_journeys_and_stale_uploads(journey, temp_uploads):
    citizen = journey("report-fly-tipping").complete(answers_for("report-fly-tipping"), until="witness")
    citizen.client.post(f"{citizen.base}save/", {"email": "old@example.com"})
    citizen.client.post(f"{citizen.base}save/", {"email": "new@example.com"})
    expired = SavedJourney.objects.with_email("old@example.com").get()
    SavedJourney.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    kept = SavedJourney.objects.with_email("new@example.com").get()
    orphan = journey_file_storage.save("orphan.png", ContentFile(PNG_BYTES))
    assert len(temp_uploads()) == 4  # the journey's, a copy for each saved journey, and the orphan
    month_ago = time.time() - 30 * 24 * 3600
    for name in temp_uploads():
        os.utime(journey_file_storage.path(name), (month_ago, month_ago))
    out = StringIO()

    call_command("purge_journeys", stdout=out)

    assert out.getvalue().strip() == "Deleted 1 expired saved journeys and 3 temporary uploads."
    assert list(SavedJourney.objects.all()) == [kept]
    assert orphan not in temp_uploads()
    assert temp_uploads() == saved_uploads(kept), "only the upload a saved journey still needs is kept"


def test_purge_journeys_keeps_recent_uploads_of_journeys_in_progress(journey, temp_uploads):
    journey("report-fly-tipping").complete(answers_for("report-fly-tipping"), until="witness")
    in_progress = temp_uploads()

    call_command("purge_journeys", stdout=StringIO())

    assert len(in_progress) == 1
    assert temp_uploads() == in_progress
