"""Journeys and staff logins in cache-backed sessions on the real Redis (REDIS_TEST_URL), as production runs them.

The portal's cache engine (portal.sessions.cache) stores each session encrypted.
"""

import os
import pickle
import uuid

import pytest
import redis
from asgiref.sync import async_to_sync
from cryptography.fernet import Fernet
from django.contrib.sessions.backends import cache as django_cache
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client, override_settings

import portal.sessions
from portal import encryption
from portal.sessions import cache as encrypted_cache
from tests.backoffice.factories import PASSWORD, make_user

from .demo_answers import ADDRESS, DEMO_ANSWERS
from .journey_helpers import CHECK, Journey, form_page

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "")
pytestmark = [
    pytest.mark.skipif(not REDIS_TEST_URL, reason="REDIS_TEST_URL is not set (bin/test sets it when Redis runs)"),
    pytest.mark.django_db,
]
SLUG = "report-missed-bin"
LINE1 = "7 Quillbrook Wynd"  # an answer no token could hold by chance
ANSWERS = {**DEMO_ANSWERS[SLUG], "collection_address": {**ADDRESS, "line1": LINE1}}


@pytest.fixture
def redis_sessions():
    """Production's session settings on the test Redis, under a key prefix of their own (removed afterwards)."""
    prefix = f"test-sessions-{uuid.uuid4().hex}"
    caches_setting = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "sessions": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_TEST_URL},
    }
    caches_setting["sessions"]["KEY_PREFIX"] = prefix
    with override_settings(
        CACHES=caches_setting, SESSION_ENGINE="portal.sessions.cache", SESSION_CACHE_ALIAS="sessions"
    ):
        server = redis.Redis.from_url(REDIS_TEST_URL)
        yield lambda: [key.decode() for key in server.keys(f"{prefix}:*")]
        for key in server.keys(f"{prefix}:*"):
            server.delete(key)
        caches["sessions"].close()


def test_a_journey_lives_in_redis_and_another_web_node_carries_it_on(redis_sessions, media_root):
    first_node = Client()
    citizen = Journey(first_node, form_page(SLUG)).start()
    assert citizen.answer(citizen.answers_for_step(DEMO_ANSWERS[SLUG])).status_code == 302  # the first step

    assert len(redis_sessions()) == 1
    assert not Session.objects.exists()  # nothing in the database
    # Another web node (its own client and Django process state) with the same session cookie.
    second_node = Client()
    second_node.cookies = first_node.cookies
    citizen.client = second_node
    service_request, _confirmation = citizen.send(DEMO_ANSWERS[SLUG])

    assert (
        service_request.answers["collection_address"]["postcode"]
        == DEMO_ANSWERS[SLUG]["collection_address"]["postcode"]
    )
    assert not Session.objects.exists()
    resent = second_node.post(citizen.url_of(CHECK), {f"{CHECK}-confirm": "on"})
    assert resent.status_code == 302 and resent["Location"].endswith("/confirmation/")  # the same request, once


def test_staff_log_in_and_out_with_sessions_in_redis(redis_sessions, client):
    make_user("caseworker", superuser=True)
    assert client.login(username="caseworker", password=PASSWORD)

    assert client.get("/admin/").status_code == 200
    assert len(redis_sessions()) == 1

    client.logout()
    assert redis_sessions() == []
    assert client.get("/admin/").status_code == 302


def raw_values(redis_sessions) -> list[bytes]:
    """The sessions as Redis holds them (what a copy of its data would show)."""
    server = redis.Redis.from_url(REDIS_TEST_URL)
    return [server.get(key) for key in redis_sessions()]


def started_journey(client) -> Journey:
    """A journey whose first step (the collection address) has been answered."""
    citizen = Journey(client, form_page(SLUG)).start()
    assert citizen.answer(citizen.answers_for_step(ANSWERS)).status_code == 302
    return citizen


def test_a_journey_in_redis_is_encrypted_and_read_back(redis_sessions, client, media_root):
    citizen = started_journey(client)

    [raw] = raw_values(redis_sessions)
    assert LINE1.encode() not in raw
    assert encryption.is_token(pickle.loads(raw))  # noqa: S301 (the test's own Redis)

    service_request, _confirmation = citizen.send(ANSWERS)
    assert service_request.answers["collection_address"]["line1"] == LINE1
    assert all(LINE1.encode() not in raw for raw in raw_values(redis_sessions))


def test_a_step_costs_one_encryption_and_one_decryption(redis_sessions, client, media_root, monkeypatch):
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


def test_a_session_written_in_clear_before_encryption_is_still_read(redis_sessions, client, media_root):
    with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cache"):
        citizen = started_journey(client)
    [raw] = raw_values(redis_sessions)
    assert LINE1.encode() in raw  # Django's own engine: the answers in clear
    carried_on = Client()  # a web process started after the deploy, with the same cookie
    carried_on.cookies = client.cookies
    citizen.client = carried_on

    service_request, _confirmation = citizen.send(ANSWERS)

    assert service_request.answers["collection_address"]["line1"] == LINE1
    assert all(LINE1.encode() not in raw for raw in raw_values(redis_sessions))


@pytest.mark.parametrize(
    "garbage",
    [
        pickle.dumps(Fernet(Fernet.generate_key()).encrypt(b"under a key that has been removed").decode()),
        pickle.dumps(encryption.TOKEN_START + "not-really-a-token"),
        pickle.dumps(["not", "a", "session"]),
        b"not even a pickle",
    ],
    ids=["removed-key", "broken-token", "not-a-session", "not-a-pickle"],
)
def test_a_session_in_redis_nobody_can_read_is_an_empty_session_not_an_error(
    redis_sessions, client, media_root, garbage
):
    citizen = started_journey(client)
    server = redis.Redis.from_url(REDIS_TEST_URL)
    [key] = redis_sessions()
    server.set(key, garbage)

    response = citizen.open()

    assert response.status_code == 200
    assert "Your session has ended" in response.content.decode()


def test_the_cache_store_still_finds_sessions_under_django_s_keys(redis_sessions):
    plain = django_cache.SessionStore()
    plain["note"] = LINE1
    plain.save()

    assert encrypted_cache.SessionStore(plain.session_key).load() == {"note": LINE1}


def test_the_asynchronous_save_and_load_encrypt_too(redis_sessions):
    store = encrypted_cache.SessionStore()
    store["note"] = LINE1
    async_to_sync(store.asave)()

    [raw] = raw_values(redis_sessions)
    assert LINE1.encode() not in raw
    assert async_to_sync(encrypted_cache.SessionStore(store.session_key).aload)() == {"note": LINE1}
