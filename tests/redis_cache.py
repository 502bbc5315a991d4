"""The real Redis server for tests of what web nodes share through the cache (REDIS_TEST_URL, set by bin/test)."""

import os
import uuid
from contextlib import contextmanager

import pytest
from django.core.cache import caches
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
        cache = caches["default"]
        try:
            yield prefix
        finally:
            cache.clear()
