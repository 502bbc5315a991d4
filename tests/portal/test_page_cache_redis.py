"""The page cache on the real Redis (REDIS_TEST_URL): web nodes share the pages and the invalidation."""

import os
import subprocess
import sys
import textwrap

import pytest
import redis
from django.conf import settings as django_settings
from django.test import Client

from home.models import ServicePage
from portal.page_cache import HIT_HEADER
from tests.redis_cache import REDIS_TEST_URL, needs_redis, redis_default_cache

pytestmark = needs_redis

OTHER_NODE = textwrap.dedent(
    """
    import sys
    from django.conf import settings
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": sys.argv[1], "KEY_PREFIX": sys.argv[2]}}
    import django
    django.setup()
    from portal.page_cache import bump_generation
    bump_generation()
    """
)


@pytest.fixture
def redis_cache():
    """The default cache on the test Redis, under a key prefix of its own; yields the prefix."""
    with redis_default_cache() as prefix:
        yield prefix


def publish_elsewhere(prefix: str) -> None:
    """What an editor's publish does on another web node: bump the generation in the shared cache."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "portal.settings.test"),
    }
    subprocess.run(
        [sys.executable, "-c", OTHER_NODE, REDIS_TEST_URL, prefix],
        check=True,
        env=environment,
        cwd=django_settings.BASE_DIR,
        timeout=120,
    )


@pytest.mark.django_db
def test_pages_and_invalidation_are_shared_through_redis(redis_cache):
    url = ServicePage.objects.get(slug="report-missed-bin").url
    assert Client().get(url)[HIT_HEADER] == "miss"
    assert Client().get(url)[HIT_HEADER] == "hit"
    # The page and the generation live in the Redis server itself, where every node reads them.
    server = redis.Redis.from_url(REDIS_TEST_URL)
    keys = {key.decode().split(":", 2)[2] for key in server.keys(f"{redis_cache}:*")}
    assert "page-cache:generation" in keys and any(key.startswith("page-cache:page:") for key in keys)

    publish_elsewhere(redis_cache)

    assert Client().get(url)[HIT_HEADER] == "miss"
    assert Client().get(url)[HIT_HEADER] == "hit"
