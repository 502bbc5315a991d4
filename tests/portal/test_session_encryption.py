"""Sessions encrypted at rest in `django_session` (portal.sessions.db): journeys, staff sign-ins, rotation."""

import zlib

import pytest
from cryptography.fernet import Fernet
from django.contrib.sessions.backends import db as django_db
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.management import call_command
from django.test import Client, override_settings

import portal.sessions
from portal import encryption
from portal.sessions import db as encrypted_db
from tests.backoffice.factories import PASSWORD, make_user
from tests.forms_catalogue.demo_answers import ADDRESS, DEMO_ANSWERS
from tests.forms_catalogue.journey_helpers import Journey, form_page

pytestmark = pytest.mark.django_db

SLUG = "report-missed-bin"
LINE1 = "7 Quillbrook Wynd"  # an answer no token could hold by chance
ANSWERS = {**DEMO_ANSWERS[SLUG], "collection_address": {**ADDRESS, "line1": LINE1}}
KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()
DEVELOPMENT_KEY = "development"  # stands for the key the demo database's rows were written with
PLAIN_ENGINE = "django.contrib.sessions.backends.db"


def keys(*ring: str):
    """Settings whose FIELD_ENCRYPTION_KEYS are these keys, first one encrypting."""
    return override_settings(
        FIELD_ENCRYPTION_KEYS=[encryption.derived_key("fields") if key == DEVELOPMENT_KEY else key for key in ring]
    )


def readable_without_keys(stored: str) -> str:
    """What anyone holding the row but no key reads: Django's signed session data is only base64, maybe zlib."""
    payload = stored.split(":")[0]
    try:
        data = signing.b64_decode(payload.removeprefix(".").encode())
        return (zlib.decompress(data) if payload.startswith(".") else data).decode()
    except (ValueError, zlib.error):  # not Django's format (binascii.Error and UnicodeDecodeError are ValueErrors)
        return stored


def stored_sessions() -> list[str]:
    return list(Session.objects.values_list("session_data", flat=True))


def started_journey(client) -> Journey:
    """A journey whose first step (the collection address) has been answered."""
    citizen = Journey(client, form_page(SLUG)).start()
    assert citizen.answer(citizen.answers_for_step(ANSWERS)).status_code == 302
    return citizen


def carried_on(citizen: Journey) -> Journey:
    """The journey in a new web process (a new client, so the current SESSION_ENGINE, with the same cookie)."""
    client = Client()
    client.cookies = citizen.client.cookies
    citizen.client = client
    return citizen


def test_a_journey_in_progress_is_encrypted_in_django_session_and_read_back(client, media_root):
    citizen = started_journey(client)

    [stored] = stored_sessions()
    assert encryption.is_token(stored)
    assert LINE1 not in readable_without_keys(stored)
    # The same session as Django stores it unencrypted gives the answer away to whoever holds the row.
    session = encrypted_db.SessionStore(Session.objects.get().session_key).load()
    assert LINE1 in readable_without_keys(django_db.SessionStore().encode(session))

    service_request, _confirmation = citizen.send(ANSWERS)
    assert service_request.answers["collection_address"]["line1"] == LINE1
    assert all(encryption.is_token(stored) for stored in stored_sessions())


def test_a_step_costs_one_encryption_and_one_decryption(client, media_root, monkeypatch):
    citizen = started_journey(client)
    calls = []
    for name in ("encrypt", "decrypt"):
        real = getattr(portal.sessions, name)
        monkeypatch.setattr(portal.sessions, name, lambda text, name=name, real=real: calls.append(name) or real(text))

    citizen.show()  # a GET: loads the session once and writes nothing
    assert calls == ["decrypt"]
    calls.clear()
    assert citizen.answer(citizen.answers_for_step(ANSWERS)).status_code == 302
    assert calls == ["decrypt", "encrypt"]


def test_a_session_written_before_encryption_is_still_read_and_encrypted_when_next_saved(client, media_root):
    with override_settings(SESSION_ENGINE=PLAIN_ENGINE):
        citizen = started_journey(client)
    [before] = stored_sessions()
    assert not encryption.is_token(before) and LINE1 in readable_without_keys(before)

    service_request, _confirmation = carried_on(citizen).send(ANSWERS)

    assert service_request.answers["collection_address"]["line1"] == LINE1
    [after] = stored_sessions()
    assert encryption.is_token(after) and LINE1 not in readable_without_keys(after)


@pytest.mark.parametrize(
    "stored",
    [
        Fernet(KEY_A).encrypt(b"a session under a key that has been removed").decode(),
        encryption.TOKEN_START + "not-really-a-token",
        "not a session at all",
        "",
    ],
    ids=["removed-key", "broken-token", "garbage", "empty"],
)
def test_a_session_nobody_can_read_is_an_empty_session_not_an_error(client, media_root, stored):
    citizen = started_journey(client)
    Session.objects.update(session_data=stored)

    response = citizen.open()

    assert response.status_code == 200
    assert "Your session has ended" in response.content.decode()


def test_a_staff_session_nobody_can_read_signs_them_out(client):
    make_user("caseworker", superuser=True)
    assert client.login(username="caseworker", password=PASSWORD)
    assert client.get("/admin/").status_code == 200
    with keys(KEY_B):  # the session was written with another key
        response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_rotation_re_encrypts_database_sessions_so_the_old_key_can_go(client, media_root, capsys):
    with keys(KEY_A, DEVELOPMENT_KEY):
        citizen = started_journey(client)
        earlier = django_db.SessionStore()  # one from before encryption
        earlier["note"] = LINE1
        earlier.save()

    with keys(KEY_B, KEY_A, DEVELOPMENT_KEY):
        call_command("rotate_encryption_keys")
    assert "Sessions: 2 re-encrypted, 0 could not be read" in capsys.readouterr().out

    with keys(KEY_B, DEVELOPMENT_KEY):  # the old key is gone
        assert all(encryption.is_token(stored) for stored in stored_sessions())
        assert encrypted_db.SessionStore(earlier.session_key).load() == {"note": LINE1}
        service_request, _confirmation = carried_on(citizen).send(ANSWERS)
    assert service_request.answers["collection_address"]["line1"] == LINE1
    with keys(KEY_A):
        assert encrypted_db.SessionStore(earlier.session_key).load() == {}


def test_rotation_stops_with_an_error_when_a_session_cannot_be_decrypted(client, media_root):
    with keys(KEY_A, DEVELOPMENT_KEY):
        started_journey(client)
    [stored] = stored_sessions()

    with keys(KEY_B, DEVELOPMENT_KEY), pytest.raises(Exception, match="1 rows could not be decrypted"):
        call_command("rotate_encryption_keys")
    assert stored_sessions() == [stored]  # left for the key to be put back


def test_rotation_says_sessions_in_the_cache_are_rewritten_as_they_are_saved(capsys):
    with override_settings(SESSION_ENGINE="portal.sessions.cache"):
        call_command("rotate_encryption_keys")
    assert "Sessions: not in the database (SESSION_ENGINE=portal.sessions.cache)" in capsys.readouterr().out
