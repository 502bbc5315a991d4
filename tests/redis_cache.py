"""The real Redis server for tests of what web nodes share through the cache (REDIS_TEST_URL, set by bin/test)."""

import os
import uuid
from contextlib import contextmanager

import pytest
import redis
from django.test import override_settings

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "")
needs_redis = pytest.mark.skipif(
    not REDIS_TEST_URL, reason="REDIS_TEST_URL is not set (bin/test sets it when Redis runs)"
)


@contextmanager
def redis_default_cache(**other_settings):
    """Django's RedisCache on the test Redis as the default cache, under a key prefix of its own; yields the prefix."""
    prefix = f"test-{uuid.uuid4().hex}"
    backend = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_TEST_URL,
        "KEY_PREFIX": prefix,
    }
    with override_settings(CACHES={"default": backend}, **other_settings):
        try:
            yield prefix
        finally:
            # Only this prefix's keys: the cache's clear() empties the whole Redis database, under
            # the feet of the tests other pytest-xdist workers are running on it.
            server = redis.Redis.from_url(REDIS_TEST_URL)
            keys = server.keys(f"{prefix}:*")
            if keys:
                server.delete(*keys)
