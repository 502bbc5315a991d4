"""The tracking rate limit on the real Redis cache (REDIS_TEST_URL), as production runs it."""

import pytest
import redis

from backoffice.views import TOO_MANY
from tests.redis_cache import REDIS_TEST_URL, needs_redis, redis_default_cache

pytestmark = needs_redis


@pytest.fixture
def redis_cache():
    with redis_default_cache(TRACK_RATE_LIMIT=(3, 60)) as prefix:
        yield prefix


@pytest.mark.django_db
def test_lookups_over_the_limit_are_refused_across_processes_sharing_redis(client, redis_cache):
    form = {"reference": "ACDE-FGHJ-KM", "email": "someone@example.com"}
    statuses = [client.post("/track/", form, REMOTE_ADDR="203.0.113.9").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    # The count lives in the Redis server itself, shared by every web node.
    server = redis.Redis.from_url(REDIS_TEST_URL)
    keys = [key.decode() for key in server.keys(f"{redis_cache}:*")]
    assert len(keys) == 1 and keys[0].endswith("rate:track:203.0.113.9")
    assert int(server.get(keys[0])) == 4
    refused = client.post("/track/", form, REMOTE_ADDR="203.0.113.9")
    assert TOO_MANY in refused.content.decode()
    # Another address is not affected.
    assert client.post("/track/", form, REMOTE_ADDR="203.0.113.10").status_code == 200
