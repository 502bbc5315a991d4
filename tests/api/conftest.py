"""Fixtures of the API tests: fresh rate-limit counters for every test, and an Open311 client key."""

import pytest
from django.core.cache import cache

from api.keys import issue
from api.models import Open311Client


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Each test starts with no hits counted against any client or address."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_key(db):
    """A live Open311 client key (the key in clear)."""
    _client, key = issue(Open311Client, name="FixMyStreet")
    return key
