"""Journeys' temporary uploads are encrypted at rest under names that say nothing of the resident.

The wizard reads them back through the `journey_uploads` storage (each step, check your answers,
sending), so the request gets the file as it was checked; an upload that can no longer be
decrypted is forgotten and its question asks for the file again.
"""

import logging
import re

import pytest
from cryptography.fernet import Fernet

from forms_catalogue.wizard import journey_file_storage
from portal.file_encryption import is_token

from .demo_answers import answers_for
from .journey_helpers import PDF_BYTES, assert_field_error

pytestmark = pytest.mark.django_db

RANDOM_NAME = re.compile(r"[0-9a-f]{32}\.(png|pdf|jpg)")


def on_disk(media_root, name: str) -> bytes:
    return (media_root / "journey-uploads" / name).read_bytes()


def test_temporary_uploads_are_tokens_under_random_names_and_reach_the_request_as_sent(
    journey, temp_uploads, media_root
):
    answers = answers_for("blue-badge")
    citizen = journey("blue-badge").complete(answers)

    names = temp_uploads()
    assert len(names) == 3 and all(RANDOM_NAME.fullmatch(name) for name in names), names
    for name in names:
        raw = on_disk(media_root, name)
        assert is_token(raw) and b"%PDF" not in raw and b"PNG" not in raw
    (passport,) = [name for name in names if name.endswith(".pdf")]
    with journey_file_storage.open(passport) as handle:
        assert handle.read() == PDF_BYTES == answers["proof_of_identity"].content

    service_request, _ = citizen.send(answers)

    stored = {item.question_id: item for item in service_request.files.all()}
    with stored["proof_of_identity"].file.open("rb") as handle:
        assert handle.read() == PDF_BYTES
    assert is_token((media_root / stored["proof_of_identity"].file.name).read_bytes())


def test_an_upload_that_cannot_be_decrypted_is_asked_for_again(journey, temp_uploads, media_root, caplog):
    answers = answers_for("blue-badge")
    citizen = journey("blue-badge").complete(answers)
    (passport,) = [name for name in temp_uploads() if name.endswith(".pdf")]
    (media_root / "journey-uploads" / passport).write_bytes(Fernet(Fernet.generate_key()).encrypt(PDF_BYTES))

    with caplog.at_level(logging.ERROR, logger="portal.file_encryption"):
        response = citizen.submit()
        assert response.status_code == 302 and citizen.step == "documents"
        page = citizen.show()

    assert_field_error(page, "id_documents-proof_of_identity", "Upload proof of identity")
    assert any(record.stored_file == passport for record in caplog.records)
    service_request, _ = citizen.send(answers)  # chosen again, the journey goes on
    assert service_request.files.count() == 3
