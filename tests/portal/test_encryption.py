"""Encryption at rest: what a stolen database dump holds, finding requests by email, key rotation, migrations."""

import json
from datetime import timedelta
from importlib import import_module
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import override_settings
from django.utils import timezone

from backoffice import casework
from backoffice.models import Channel, Delivery, Destination, DestinationKind, RequestEvent, ServiceRequest, Status
from backoffice.tracking import public_updates
from forms_catalogue.models import EFormPage, SavedJourney
from portal import encryption
from portal.encryption import UndecryptableValue, blind_index
from tests.backoffice.delivery_fixtures import MISSED_BIN, submit_request, waste_queue

pytestmark = pytest.mark.django_db

EMAIL = "Priya.Shah@Example.com"
ACCESS_NOTE = "Key safe code 4471 by the side gate"
# Long enough that no base64 token can hold them by chance.
FIRST_NAME, LAST_NAME = "Priyanka-Josephine", "Shah-Whitworth"
SIGNING_SECRET = "whsec-rotation-0b1c2d3e4f"
AMQP_PASSWORD = "broker-pass-77x"
KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()
INTERNAL_NOTE = "Neighbour at number 16 says the tenant is in hospital"
PUBLIC_NOTE = "A crew will collect the garden bin on Thursday morning"
CITIZEN_NOTE = "My carer Gwendolyn will leave the side gate unlocked"


def raw_rows(table: str) -> str:
    """Every column of every row of a table as the database holds it (what a dump would show)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return repr(cursor.fetchall())


def personal_request() -> ServiceRequest:
    answers = {
        "collection_address": {"line1": "14 Mill Lane", "line2": "", "town": "Ashworth", "postcode": "AB4 7QT"},
        "bin_type": "garden",
        "collection_date": "2026-11-20",
        "out_by_7am": "yes",
        "access_notes": ACCESS_NOTE,
        "name": {"first_name": FIRST_NAME, "last_name": LAST_NAME},
        "email": EMAIL,
    }
    return submit_request(MISSED_BIN, answers=answers, contact_email=EMAIL)


def saved_journey() -> SavedJourney:
    page = EFormPage.objects.live().first()
    return SavedJourney.objects.create(
        page=page,
        version=page.current_version(),
        email=EMAIL,
        data={"step_data": {"details": {"details-access_notes": [ACCESS_NOTE]}}, "step_files": {}},
        expires_at=timezone.now() + timedelta(days=7),
    )


def signed_destination() -> Destination:
    return Destination.objects.create(
        queue=waste_queue(),
        kind=DestinationKind.WEBHOOK,
        url="https://waste.example.gov.uk/in",
        secret=SIGNING_SECRET,
        amqp_url=f"amqp://portal:{AMQP_PASSWORD}@broker.example.gov.uk:5672/council",
    )


def noted(request: ServiceRequest) -> dict[str, RequestEvent]:
    """The request with an internal note alone, one for the citizen too, and an update from the citizen."""
    return {
        "internal": casework.change_status(request, request.status, actor=None, internal_note=INTERNAL_NOTE),
        "public": casework.change_status(
            request, Status.IN_PROGRESS, actor=None, public_note=PUBLIC_NOTE, internal_note=INTERNAL_NOTE
        ),
        "citizen": casework.add_citizen_update(request, CITIZEN_NOTE, channel=Channel.WEB),
    }


def test_a_database_dump_holds_no_answer_email_note_payload_or_secret_in_clear():
    request = personal_request()
    noted(request)
    saved_journey()
    signed_destination()
    assert request.deliveries.exists()  # the confirmation email's payload copies the answers

    dumps = {
        table: raw_rows(table)
        for table in (
            ServiceRequest._meta.db_table,
            RequestEvent._meta.db_table,
            Delivery._meta.db_table,
            SavedJourney._meta.db_table,
            Destination._meta.db_table,
        )
    }

    secrets = (ACCESS_NOTE, FIRST_NAME, LAST_NAME, "Mill Lane", EMAIL, SIGNING_SECRET, AMQP_PASSWORD)
    for table, dump in dumps.items():
        for clear in (*secrets, INTERNAL_NOTE, PUBLIC_NOTE, CITIZEN_NOTE):
            assert clear.lower() not in dump.lower(), f"{clear!r} is in clear in {table}"
    assert encryption.TOKEN_START in dumps[ServiceRequest._meta.db_table]
    # Read through the models, everything is as written.
    stored = ServiceRequest.objects.get(pk=request.pk)
    assert stored.answers["access_notes"] == ACCESS_NOTE and stored.contact_email == EMAIL
    assert [
        (event.internal_note, event.public_note, event.citizen_note)
        for event in stored.events.exclude(kind=RequestEvent.Kind.SUBMITTED)
    ] == [(INTERNAL_NOTE, "", ""), (INTERNAL_NOTE, PUBLIC_NOTE, ""), ("", "", CITIZEN_NOTE)]
    assert SavedJourney.objects.get().email == EMAIL
    assert Destination.objects.get(url="https://waste.example.gov.uk/in").secret == SIGNING_SECRET


def test_notes_for_the_citizen_are_told_apart_from_blank_ones_by_a_flag_not_by_their_text():
    events = noted(personal_request())

    assert [events[name].has_public_note for name in ("internal", "public", "citizen")] == [False, True, False]
    # What the citizen sees: the submission and the status change with its note, not the internal note.
    assert [event.pk for event in public_updates(events["public"].request)][1:] == [events["public"].pk]
    with pytest.raises(FieldError):
        list(RequestEvent.objects.exclude(public_note=""))


def test_requests_are_found_by_contact_email_through_the_blind_index_in_any_case():
    request = personal_request()
    submit_request(MISSED_BIN, contact_email="someone.else@example.com")

    assert list(ServiceRequest.objects.with_contact_email(" priya.shah@example.COM ")) == [request]
    assert not ServiceRequest.objects.with_contact_email("nobody@example.com").exists()
    assert not ServiceRequest.objects.with_contact_email("").exists()
    assert request.contact_email_index == blind_index(EMAIL)
    assert SavedJourney.objects.filter(email_index=blind_index(EMAIL.upper())).count() == 0
    journey = saved_journey()
    assert list(SavedJourney.objects.filter(email_index=blind_index(EMAIL.upper()))) == [journey]


def test_encrypted_fields_refuse_lookups_that_could_only_silently_find_nothing():
    personal_request()
    with pytest.raises(FieldError):
        list(ServiceRequest.objects.filter(contact_email=EMAIL))
    with pytest.raises(FieldError):
        list(ServiceRequest.objects.filter(answers__access_notes=ACCESS_NOTE))
    assert ServiceRequest.objects.filter(answers__isnull=False).exists()


def test_rotation_re_encrypts_every_row_with_the_new_first_key(capsys):
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]):
        request = personal_request()
        notes = noted(request)
        journey = saved_journey()
        destination = signed_destination()

    # Rows the demo database was built with are under the development key: keep it in the ring too.
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B, KEY_A, encryption.derived_key("fields")]):
        # Every key decrypts before rotation; the command writes every row with KEY_B.
        assert ServiceRequest.objects.get(pk=request.pk).answers["access_notes"] == ACCESS_NOTE
        call_command("rotate_encryption_keys")
    assert "backoffice.ServiceRequest: " in capsys.readouterr().out

    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B]):  # the old key is gone
        assert ServiceRequest.objects.get(pk=request.pk).answers["access_notes"] == ACCESS_NOTE
        assert ServiceRequest.objects.get(pk=request.pk).contact_email == EMAIL
        assert SavedJourney.objects.get(pk=journey.pk).data["step_data"]
        assert Destination.objects.get(pk=destination.pk).secret == SIGNING_SECRET
        assert all(delivery.payload for delivery in Delivery.objects.filter(request=request))
        event = RequestEvent.objects.get(pk=notes["public"].pk)
        assert (event.internal_note, event.public_note) == (INTERNAL_NOTE, PUBLIC_NOTE)
        assert RequestEvent.objects.get(pk=notes["citizen"].pk).citizen_note == CITIZEN_NOTE
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]), pytest.raises(UndecryptableValue):
        ServiceRequest.objects.get(pk=request.pk)
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]), pytest.raises(UndecryptableValue):
        RequestEvent.objects.get(pk=notes["public"].pk)


def test_rotation_stops_with_an_error_naming_rows_no_key_can_read():
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]):
        personal_request()
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B]), pytest.raises(Exception, match="could not be decrypted"):
        call_command("rotate_encryption_keys")


def test_rotation_recomputes_the_blind_index_under_a_new_index_key():
    request = personal_request()
    with override_settings(FIELD_INDEX_KEY="a-new-index-key-after-a-leak"):
        assert not ServiceRequest.objects.with_contact_email(EMAIL).exists()  # stale until the command runs
        call_command("rotate_encryption_keys")
        assert list(ServiceRequest.objects.with_contact_email(EMAIL)) == [request]


def test_new_key_prints_a_usable_fernet_key(capsys):
    call_command("rotate_encryption_keys", "--new-key")
    Fernet(capsys.readouterr().out.strip())


def test_the_development_key_comes_from_secret_key_so_another_secret_key_cannot_read_the_data():
    request = personal_request()
    with override_settings(SECRET_KEY="another-deployment-" + "z" * 40), pytest.raises(UndecryptableValue):
        ServiceRequest.objects.get(pk=request.pk)


def test_a_malformed_key_stops_with_a_clear_message():
    with override_settings(FIELD_ENCRYPTION_KEYS=["not-a-fernet-key"]), pytest.raises(ImproperlyConfigured):
        encryption.encrypt("x")


def test_the_migration_step_encrypts_rows_written_in_clear_and_indexes_their_emails():
    request = personal_request()
    table = ServiceRequest._meta.db_table
    with connection.cursor() as cursor:  # as the rows were before the migration
        cursor.execute(
            f"UPDATE {table} SET answers = %s, contact_email = %s, contact_email_index = '' WHERE id = %s",  # noqa: S608
            [json.dumps({"access_notes": ACCESS_NOTE}), EMAIL, request.pk],
        )
    assert ACCESS_NOTE in raw_rows(table)

    encryption.encrypt_column(connection, table, "answers")
    encryption.encrypt_column(connection, table, "contact_email", blind_index_column="contact_email_index")
    encryption.encrypt_column(connection, table, "answers")  # a second run leaves tokens alone

    assert ACCESS_NOTE not in raw_rows(table) and EMAIL not in raw_rows(table)
    assert ServiceRequest.objects.get(pk=request.pk).answers == {"access_notes": ACCESS_NOTE}
    assert list(ServiceRequest.objects.with_contact_email(EMAIL)) == [request]

    encryption.decrypt_column(connection, table, "answers")
    assert ACCESS_NOTE in raw_rows(table)


def test_the_notes_migration_flags_notes_for_the_citizen_then_encrypts_every_note():
    events = noted(personal_request())
    table = RequestEvent._meta.db_table
    with connection.cursor() as cursor:  # as the rows were before the migration
        for event in events.values():
            cursor.execute(
                f"UPDATE {table} SET internal_note = %s, public_note = %s, citizen_note = %s, "  # noqa: S608
                "has_public_note = %s WHERE id = %s",
                [event.internal_note, event.public_note, event.citizen_note, False, event.pk],
            )
    assert PUBLIC_NOTE in raw_rows(table) and CITIZEN_NOTE in raw_rows(table)
    loader = MigrationLoader(connection)
    migration = loader.get_migration("backoffice", "0014_encrypt_request_notes")
    steps = import_module(migration.__module__)
    state = loader.project_state(("backoffice", "0013_request_language"))
    migration.operations[0].state_forwards("backoffice", state)  # the flag added, the notes still plain text
    editor = SimpleNamespace(connection=connection)

    steps.flag_public_notes(state.apps, editor)
    steps.encrypt_existing_rows(state.apps, editor)
    steps.encrypt_existing_rows(state.apps, editor)  # a second run leaves tokens alone

    for clear in (INTERNAL_NOTE, PUBLIC_NOTE, CITIZEN_NOTE):
        assert clear not in raw_rows(table)
    stored = {name: RequestEvent.objects.get(pk=event.pk) for name, event in events.items()}
    assert [stored[name].has_public_note for name in ("internal", "public", "citizen")] == [False, True, False]
    assert (stored["public"].internal_note, stored["public"].public_note) == (INTERNAL_NOTE, PUBLIC_NOTE)
    assert stored["citizen"].citizen_note == CITIZEN_NOTE

    steps.decrypt_existing_rows(state.apps, editor)
    assert PUBLIC_NOTE in raw_rows(table) and CITIZEN_NOTE in raw_rows(table)
