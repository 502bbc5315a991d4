"""Shared fixtures: each test database is a copy of the demo-council template and each test rolls back."""

import os

import dj_database_url
import pytest
from django.conf import settings
from django.core.cache import cache

from tests.demo_database import copy_demo_database, drop_copy, is_postgres


def touches_a_database(item) -> bool:
    """True for a test that uses pytest-django's database or a database shared with worker processes."""
    return bool(item.get_closest_marker("django_db") or {"django_db_setup", "shared_db"} & set(item.fixturenames))


def pytest_collection_modifyitems(config, items):
    """Deselect `postgres_only` tests on SQLite, and with PORTAL_DATABASE_TESTS_ONLY=1 (bin/test's
    PostgreSQL pass) the tests that touch no database or are `engine_neutral` (validation, parsing,
    rendering and formats whose queries are plain reads and writes): they would only repeat the
    SQLite pass. What differs between engines (locking, aggregation, constraints, search, ordering,
    migrations, query counts) stays in the PostgreSQL pass."""
    on_postgres = is_postgres(os.environ.get("DATABASE_URL", ""))
    database_tests_only = os.environ.get("PORTAL_DATABASE_TESTS_ONLY") == "1"
    keep, drop = [], []
    for item in items:
        unwanted = (item.get_closest_marker("postgres_only") and not on_postgres) or (
            database_tests_only and (not touches_a_database(item) or item.get_closest_marker("engine_neutral"))
        )
        (drop if unwanted else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker, tmp_path_factory, worker_id, testrun_uid):
    """Point the test run at its own copy of the demo-council database (see tests/demo_database.py).

    Replaces pytest-django's create-and-migrate: the template is built once per state of the
    code and kept between runs. On PostgreSQL the copy is a database of this xdist worker's
    own, dropped at the end.
    """
    from django.db import connections

    server_url = os.environ.get("DATABASE_URL", "")
    sqlite_target = tmp_path_factory.mktemp("database") / "test.sqlite3"
    with django_db_blocker.unblock():
        url = copy_demo_database(server_url, sqlite_target, f"test_run_{testrun_uid[:12]}_{worker_id}")
        connections["default"].close()
        settings.DATABASES["default"]["NAME"] = dj_database_url.parse(url)["NAME"]
    yield
    with django_db_blocker.unblock():
        connections.close_all()
        if is_postgres(server_url):
            drop_copy(url)


@pytest.fixture
def council_name():
    return settings.COUNCIL_NAME


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploads (temporary and stored with requests) go to a folder of this test only."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fresh_page_cache():
    """Retire the pages and the map of pages earlier tests cached: rolling back their changes sends no signal."""
    from portal import page_cache, page_routes

    page_cache.bump_generation()
    page_routes.bump_generation()


@pytest.fixture
def clear_cache():
    """An empty cache before and after (rate-limit counters live there)."""
    cache.clear()
    yield cache
    cache.clear()
