"""The API rate limit on the real Redis cache (REDIS_TEST_URL): web nodes share one count per key."""

import os
import uuid

import pytest
import redis
from django.core.cache import caches
from django.test import Client, override_settings

from api.keys import issue
from api.models import Open311Client

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "")
pytestmark = pytest.mark.skipif(
    not REDIS_TEST_URL, reason="REDIS_TEST_URL is not set (bin/test sets it when Redis runs)"
)
PAGES = "/api/v2/pages/?limit=1"


@pytest.fixture
def redis_cache():
    """Django's RedisCache on the test Redis, under a key prefix of its own, emptied afterwards."""
    prefix = f"test-{uuid.uuid4().hex}"
    settings = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(CACHES=settings, API_RATE_LIMIT=(3, 60)):
        cache = caches["default"]
        yield prefix
        cache.clear()


@pytest.mark.django_db
def test_two_clients_with_one_key_share_the_count_in_redis(redis_cache):
    record, key = issue(Open311Client, name="FixMyStreet")
    first, second = Client(), Client()  # two callers, as if on two web nodes
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    assert first.get(PAGES, REMOTE_ADDR="203.0.113.50", **bearer).status_code == 200
    assert second.get(PAGES, REMOTE_ADDR="203.0.113.51", **bearer).status_code == 200
    assert first.get(PAGES, REMOTE_ADDR="203.0.113.50", **bearer).status_code == 200
    refused = second.get(PAGES, REMOTE_ADDR="203.0.113.51", **bearer)

    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    server = redis.Redis.from_url(REDIS_TEST_URL)
    keys = [name.decode() for name in server.keys(f"{redis_cache}:*rate:*")]
    assert len(keys) == 1 and keys[0].endswith(f"rate:api:key:o311_{record.prefix}")
    assert int(server.get(keys[0])) == 4
    assert 0 < server.ttl(keys[0]) <= 60
    # Without the key, each caller counts against its own address.
    assert first.get(PAGES, REMOTE_ADDR="203.0.113.50").status_code == 200
