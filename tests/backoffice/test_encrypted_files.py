"""Request files are encrypted at rest and every route that hands one out gives the file as it was sent.

A stolen disk or bucket holds only Fernet tokens, and a database dump no file name; staff
downloads, the pull API, receiving systems' signed links, department emails, the subject access
export and the purge all go through the `request_files` storage. A file no key decrypts gives
staff and systems a clear error and a log line, never a server error.
"""

import io
import logging
import zipfile
from urllib.parse import urlsplit

import pytest
from cryptography.fernet import Fernet
from django.core.files.storage import default_storage, storages
from django.core.management import CommandError, call_command
from django.db import connection
from wagtail.models import ModelLogEntry

from api.keys import issue
from api.models import QueueApiKey
from backoffice import casework, file_links, retention
from backoffice.models import DeliveryKind, DeliveryState, Destination, DestinationKind, RequestFile
from backoffice.staff import audit
from portal.file_encryption import is_token
from tests.backoffice.delivery_fixtures import drain, fast_retry  # noqa: F401 (fixture)
from tests.forms_catalogue.demo_answers import DEMO_ANSWERS
from tests.forms_catalogue.journey_helpers import Upload

from .factories import (
    CITIZEN_EMAIL,
    FLY_TIPPING,
    WASTE,
    department_queue,
    login,
    make_request,
    staff_file_link,
    text_of,
)
from .test_file_links import signed_fetch
from .test_subject_rights import URL as SUBJECT_RIGHTS_URL
from .test_subject_rights import governance_officer  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

# A resident's statement: nothing of it may be on the disk in clear.
STATEMENT = b"Statement of Priyanka Shah-Whitworth, 14 Mill Lane: the van was a white Transit, AB12 CDE.\n"
FILE_NAME = "priyanka-shah-witness-statement.txt"
DECRYPTION_ERROR = "A stored file cannot be decrypted"


def with_statement() -> dict:
    """The demo fly-tipping answers with a text file as the photo (intake stores what it is given)."""
    return {**DEMO_ANSWERS[FLY_TIPPING], "photo": Upload(FILE_NAME, STATEMENT, "text/plain", "text/plain")}


@pytest.fixture
def sent(media_root):
    """A fly-tipping request carrying the resident's statement."""
    return make_request(FLY_TIPPING, answers=with_statement())


def stored_bytes(media_root, item) -> bytes:
    return (media_root / item.file.name).read_bytes()


def under_a_lost_key(media_root, item) -> None:
    """Re-write the file as if it had been encrypted with a key that is no longer in FIELD_ENCRYPTION_KEYS."""
    (media_root / item.file.name).write_bytes(Fernet(Fernet.generate_key()).encrypt(STATEMENT))


def logged_undecryptable(caplog, item) -> bool:
    return any(
        record.getMessage() == DECRYPTION_ERROR and record.stored_file == item.file.name for record in caplog.records
    )


def test_a_request_file_on_disk_is_a_token_holding_nothing_of_the_file(sent, media_root):
    item = sent.files.get()
    raw = stored_bytes(media_root, item)

    assert item.file.name.startswith("requests/") and item.file.name.endswith(".txt")
    assert is_token(raw) and b"Priyanka" not in raw and STATEMENT not in raw
    assert item.file.storage is storages["request_files"] is not default_storage
    with item.file.open("rb") as handle:
        assert handle.read() == STATEMENT
    assert item.size == len(STATEMENT) == item.file.storage.size(item.file.name)
    with pytest.raises(NotImplementedError):
        item.file.url  # noqa: B018 (no link to ciphertext is ever made)


def test_a_database_dump_holds_no_file_name_in_clear(sent):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(RequestFile._meta.db_table)}")  # noqa: S608
        dump = repr(cursor.fetchall())

    assert "priyanka" not in dump.lower() and "statement" not in dump
    assert RequestFile.objects.get(request=sent).original_name == FILE_NAME


def test_staff_download_the_file_as_it_was_sent(client, sent, waste_officer):
    login(client, waste_officer)

    response = client.get(staff_file_link(client, sent))

    assert response.status_code == 200 and b"".join(response.streaming_content) == STATEMENT
    assert response["Content-Length"] == str(len(STATEMENT))
    assert response["Content-Type"] == "text/plain"


def test_the_pull_api_gives_the_file_as_it_was_sent(client, sent):
    key = issue(QueueApiKey, name="Waste system", queue=department_queue(WASTE))[1]
    item = sent.files.get()

    response = client.get(
        f"/api/v1/queue/requests/{sent.reference}/files/{item.pk}", headers={"Authorization": f"Bearer {key}"}
    )

    assert response.status_code == 200 and b"".join(response.streaming_content) == STATEMENT


def webhook_link(item) -> str:
    hook = Destination.objects.create(
        queue=department_queue(WASTE), kind=DestinationKind.WEBHOOK, url="https://waste.example/hook", secret="s3cret"
    )
    return urlsplit(file_links.destination_url(item.pk, hook)).path


def test_a_receiving_systems_signed_link_gives_the_file_as_it_was_sent(client, sent):
    path = webhook_link(sent.files.get())

    response = client.get(path, headers=signed_fetch(path, "s3cret"))

    assert response.status_code == 200 and b"".join(response.streaming_content) == STATEMENT


def email_destination() -> Destination:
    return Destination.objects.create(
        queue=department_queue(WASTE), kind=DestinationKind.EMAIL, email_to="waste@ashworth.example"
    )


def test_the_department_email_attaches_the_file_as_it_was_sent(media_root, fast_retry, mailoutbox):  # noqa: F811
    email_destination()
    make_request(FLY_TIPPING, answers=with_statement(), email="")

    drain()

    (message,) = [message for message in mailoutbox if message.to == ["waste@ashworth.example"]]
    attachments = {name: content for name, content, _mimetype in message.attachments}
    assert attachments[FILE_NAME] == STATEMENT.decode()  # Django gives text attachments as text


def test_the_subject_access_export_holds_the_file_as_it_was_sent(client, sent, governance_officer):  # noqa: F811
    login(client, governance_officer)

    response = client.post(SUBJECT_RIGHTS_URL, {"action": "export", "email": CITIZEN_EMAIL})

    bundle = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    (path,) = [name for name in bundle.namelist() if name.startswith("files/")]
    assert bundle.read(path) == STATEMENT


def test_the_purge_deletes_the_encrypted_file(sent, media_root):
    item = sent.files.get()
    assert (media_root / item.file.name).exists()
    casework.change_status(sent, "closed", actor=None, public_note="Done.")

    retention.strip_personal_data([sent.pk], action=audit.RETENTION_PURGE)

    assert not (media_root / item.file.name).exists()


# --- a file no key decrypts ------------------------------------------------------------------------


def test_staff_are_told_clearly_when_a_file_cannot_be_decrypted(client, sent, waste_officer, media_root, caplog):
    item = sent.files.get()
    under_a_lost_key(media_root, item)
    login(client, waste_officer)

    with caplog.at_level(logging.ERROR, logger="portal.file_encryption"):
        response = client.get(staff_file_link(client, sent), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith(f"/admin/requests/{sent.pk}/")
    assert "The file could not be opened because the portal cannot decrypt it." in text_of(response)
    assert logged_undecryptable(caplog, item)
    assert not ModelLogEntry.objects.filter(action=audit.DOWNLOAD_FILE).exists()


def test_systems_get_a_503_when_a_file_cannot_be_decrypted(client, sent, media_root, caplog):
    item = sent.files.get()
    under_a_lost_key(media_root, item)
    key = issue(QueueApiKey, name="Waste system", queue=department_queue(WASTE))[1]
    path = webhook_link(item)

    with caplog.at_level(logging.ERROR, logger="portal.file_encryption"):
        pulled = client.get(
            f"/api/v1/queue/requests/{sent.reference}/files/{item.pk}", headers={"Authorization": f"Bearer {key}"}
        )
        fetched = client.get(path, headers=signed_fetch(path, "s3cret"))

    assert pulled.status_code == 503 and pulled["Content-Type"] == "application/problem+json"
    assert pulled.json()["type"] == "/api/v1/problems/file-unreadable"
    assert fetched.status_code == 503 and fetched.content == b"The file cannot be read at the moment."
    assert logged_undecryptable(caplog, item)
    assert not ModelLogEntry.objects.filter(action=audit.DOWNLOAD_FILE).exists()


def test_the_subject_access_export_says_a_file_cannot_be_decrypted(client, sent, governance_officer, tmp_path):  # noqa: F811
    media_root = tmp_path / "media"
    under_a_lost_key(media_root, sent.files.get())
    login(client, governance_officer)

    response = client.post(SUBJECT_RIGHTS_URL, {"action": "export", "email": CITIZEN_EMAIL})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "A stored file could not be decrypted, so no export was made." in text_of(response)
    with pytest.raises(CommandError, match="cannot be decrypted"):
        call_command("export_subject_access", "--email", CITIZEN_EMAIL, "--output", str(tmp_path / "sam.zip"))
    assert not ModelLogEntry.objects.filter(action=audit.EXPORT_REQUEST).exists()


def test_a_department_email_waits_while_its_file_cannot_be_decrypted(media_root, fast_retry, mailoutbox):  # noqa: F811
    email_destination()
    request = make_request(FLY_TIPPING, answers=with_statement(), email="")
    under_a_lost_key(media_root, request.files.get())

    drain()

    delivery = request.deliveries.get(kind=DeliveryKind.EMAIL)
    assert delivery.state == DeliveryState.FAILED, "retried later: the key may be put back"
    assert "cannot be decrypted" in delivery.last_error
    assert not [message for message in mailoutbox if message.to == ["waste@ashworth.example"]]
