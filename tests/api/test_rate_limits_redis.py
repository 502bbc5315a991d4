"""The API rate limit on the real Redis cache (REDIS_TEST_URL): web nodes share one count per key."""

import pytest
import redis
from django.test import Client

from api.keys import issue
from api.models import Open311Client
from tests.redis_cache import REDIS_TEST_URL, needs_redis, redis_default_cache

pytestmark = needs_redis
PAGES = "/api/v2/pages/?limit=1"


@pytest.fixture
def redis_cache():
    with redis_default_cache(API_RATE_LIMIT=(3, 60)) as prefix:
        yield prefix


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
