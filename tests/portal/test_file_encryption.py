"""Residents' files encrypted at rest (portal.file_encryption): the storages, the migration, key rotation.

Request files, journeys' temporary uploads and quarantined files are Fernet tokens on disk;
editors' images and documents (storage `default`) are not touched, by the storages or by the
migration that encrypts files stored before it.
"""

import importlib
import io
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage, storages
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from backoffice.models import RequestFile
from forms_catalogue.wizard import journey_file_storage
from portal import encryption
from portal.file_encryption import UndecryptableFile, is_token
from tests import sample_files
from tests.backoffice.factories import FLY_TIPPING, make_request

pytestmark = pytest.mark.django_db

LETTER = b"Dear Ms Shah-Whitworth, your tenancy at 14 Mill Lane ends on 1 March.\n"
KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()
MIGRATION = importlib.import_module("backoffice.migrations.0015_encrypt_request_files")


def request_file(media_root):
    """A request's photo file and its path on disk."""
    item = make_request(FLY_TIPPING).files.get()
    return item, media_root / item.file.name


def test_the_storage_reads_plain_bytes_gives_the_plain_size_and_never_a_url_or_a_writable_file(media_root):
    storage = storages["request_files"]
    name = storage.save("requests/2026/11/letter.txt", ContentFile(LETTER))

    raw = (media_root / name).read_bytes()
    assert is_token(raw) and b"Mill Lane" not in raw
    with storage.open(name) as handle:
        assert handle.read() == LETTER
    assert storage.size(name) == len(LETTER) < len(raw)
    with pytest.raises(NotImplementedError):
        storage.url(name)
    with pytest.raises(ValueError):
        storage.open(name, "wb")


def test_editors_images_and_documents_stay_in_clear_on_default(media_root):
    png = sample_files.png()
    image = get_image_model().objects.create(title="Mill Lane", file=ImageFile(io.BytesIO(png), name="mill-lane.png"))
    document = get_document_model().objects.create(title="Leaflet", file=ContentFile(LETTER, name="leaflet.txt"))

    assert image.file.storage is default_storage and document.file.storage is default_storage
    assert (media_root / image.file.name).read_bytes() == png
    assert (media_root / document.file.name).read_bytes() == LETTER
    assert image.file.url.startswith("/media/")


# --- files stored before encryption: the migration ------------------------------------------------


def test_the_migration_encrypts_files_stored_in_clear_once_and_leaves_images_and_documents(media_root, capsys):
    item, on_disk = request_file(media_root)
    photo = item.file.open("rb").read()
    on_disk.write_bytes(photo)  # as it was stored before the migration
    (media_root / "journey-uploads").mkdir()
    (media_root / "journey-uploads" / "passport.pdf").write_bytes(LETTER)
    (media_root / "quarantine").mkdir()
    (media_root / "quarantine" / "abc.quarantined").write_bytes(sample_files.eicar())
    document = get_document_model().objects.create(title="Leaflet", file=ContentFile(LETTER, name="leaflet.txt"))

    MIGRATION.encrypt_stored_files(apps, None)

    assert "request_files: 1 files encrypted" in capsys.readouterr().out
    assert is_token(on_disk.read_bytes()) and item.file.storage.open(item.file.name).read() == photo
    assert is_token((media_root / "journey-uploads" / "passport.pdf").read_bytes())
    assert journey_file_storage.open("passport.pdf").read() == LETTER
    assert storages["quarantine"].open("abc.quarantined").read() == sample_files.eicar()
    assert (media_root / document.file.name).read_bytes() == LETTER, "editors' documents are not encrypted"

    encrypted = on_disk.read_bytes()
    MIGRATION.encrypt_stored_files(apps, None)  # a second run leaves tokens alone
    assert on_disk.read_bytes() == encrypted and capsys.readouterr().out == ""

    MIGRATION.decrypt_stored_files(apps, None)  # rolled back: in clear again
    assert on_disk.read_bytes() == photo
    assert (media_root / "journey-uploads" / "passport.pdf").read_bytes() == LETTER


def test_the_migration_encrypts_file_names_stored_in_clear(media_root):
    item, _on_disk = request_file(media_root)
    table = connection.ops.quote_name(RequestFile._meta.db_table)
    with connection.cursor() as cursor:  # as the row was before the migration
        cursor.execute(f"UPDATE {table} SET original_name = %s WHERE id = %s", ["lay-by.png", item.pk])  # noqa: S608
    editor = SimpleNamespace(connection=connection)

    MIGRATION.encrypt_file_names(apps, editor)

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT original_name FROM {table} WHERE id = %s", [item.pk])  # noqa: S608
        assert encryption.is_token(cursor.fetchone()[0])
    assert RequestFile.objects.get(pk=item.pk).original_name == "lay-by.png"


# --- key rotation ---------------------------------------------------------------------------------


def test_rotation_re_encrypts_every_stored_file_with_the_new_first_key(media_root, capsys):
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]):
        item, on_disk = request_file(media_root)
        upload = journey_file_storage.save("passport.pdf", ContentFile(LETTER))
        quarantined = storages["quarantine"].save("abc.quarantined", ContentFile(sample_files.eicar()))
    before = on_disk.read_bytes()
    left_in_clear = media_root / "quarantine" / "written-by-the-old-code.quarantined"
    left_in_clear.write_bytes(LETTER)

    # Rows the demo database was built with are under the development key: keep it in the ring too.
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B, KEY_A, encryption.derived_key("fields")]):
        call_command("rotate_encryption_keys")
    out = capsys.readouterr().out
    assert "request_files: 1 files re-encrypted, 0 could not be read" in out
    assert "journey_uploads: 1 files re-encrypted" in out and "quarantine: 2 files re-encrypted" in out

    assert on_disk.read_bytes() != before and is_token(left_in_clear.read_bytes())
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B]):  # the old key is gone
        assert item.file.storage.open(item.file.name).read() == sample_files.png()
        assert journey_file_storage.open(upload).read() == LETTER
        assert storages["quarantine"].open(quarantined).read() == sample_files.eicar()
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]), pytest.raises(UndecryptableFile):
        journey_file_storage.open(upload)


def test_rotation_stops_with_an_error_naming_files_no_key_can_read(media_root, capsys):
    name = journey_file_storage.save("passport.pdf", ContentFile(LETTER))
    lost = Fernet(Fernet.generate_key()).encrypt(LETTER)
    (media_root / "journey-uploads" / name).write_bytes(lost)

    with pytest.raises(CommandError, match="0 rows could not be decrypted .*, nor 1 stored files"):
        call_command("rotate_encryption_keys")

    assert f"journey_uploads: {name} cannot be decrypted" in capsys.readouterr().err
    assert (media_root / "journey-uploads" / name).read_bytes() == lost, "left as it was"


# --- quarantine -----------------------------------------------------------------------------------


def test_the_security_team_exports_a_quarantined_file_in_clear(media_root, tmp_path):
    name = storages["quarantine"].save("abc.quarantined", ContentFile(sample_files.eicar()))
    target = tmp_path / "sample.bin"
    listed = io.StringIO()

    call_command("export_quarantined_file", stdout=listed)
    call_command("export_quarantined_file", name, "--output", str(target), stdout=io.StringIO())

    assert listed.getvalue().startswith(name)
    assert target.read_bytes() == sample_files.eicar()
    with pytest.raises(CommandError, match="exists already"):
        call_command("export_quarantined_file", name, "--output", str(target))
    with pytest.raises(CommandError, match="could not be written"):
        call_command("export_quarantined_file", "../../etc/passwd", "--output", str(tmp_path / "other.bin"))
