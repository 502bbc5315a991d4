"""Journeys and staff logins in cache-backed sessions on the real Redis (REDIS_TEST_URL), as production runs them."""

import os
import uuid

import pytest
import redis
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client, override_settings

from tests.backoffice.factories import PASSWORD, make_user

from .demo_answers import DEMO_ANSWERS
from .journey_helpers import CHECK, Journey, form_page

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "")
pytestmark = [
    pytest.mark.skipif(not REDIS_TEST_URL, reason="REDIS_TEST_URL is not set (bin/test sets it when Redis runs)"),
    pytest.mark.django_db,
]
SLUG = "report-missed-bin"


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
        CACHES=caches_setting, SESSION_ENGINE="django.contrib.sessions.backends.cache", SESSION_CACHE_ALIAS="sessions"
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
