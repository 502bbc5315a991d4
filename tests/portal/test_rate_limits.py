"""Rate limits that hold: the caller's address behind proxies, a cache every worker shares, the start-up check."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import RequestFactory, override_settings

from portal import checks
from portal.apps import create_cache_tables
from portal.ratelimit import client_address, over_limit

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
DATABASE_CACHE = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "test_rate_limits"}


def address_of(remote: str = "10.0.0.5", forwarded: str | None = None, **extra) -> str:
    meta = {"REMOTE_ADDR": remote, **extra}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


def test_without_proxies_the_forwarded_header_is_ignored():
    assert address_of(forwarded="203.0.113.66") == "10.0.0.5"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_right_most_address_counts_whatever_the_client_put_to_its_left():
    assert address_of(forwarded="198.51.100.7") == "198.51.100.7"
    # A client writing its own X-Forwarded-For cannot choose the address it is counted against.
    assert address_of(forwarded="1.2.3.4, 198.51.100.7") == "198.51.100.7"
    assert address_of(forwarded="5.6.7.8, 198.51.100.7") == "198.51.100.7"
    # Not through the proxy at all: the connecting address.
    assert address_of(forwarded="") == "10.0.0.5"


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_behind_two_proxies_the_address_the_outer_proxy_saw_counts():
    assert address_of(forwarded="1.2.3.4, 198.51.100.7, 10.0.0.2") == "198.51.100.7"
    assert address_of(forwarded="10.0.0.2") == "10.0.0.5", "too few hops: the nearest proxy's address"


@override_settings(TRUSTED_PROXY_COUNT=1, TRUSTED_PROXY_HEADER="HTTP_X_REAL_CLIENT")
def test_another_header_can_be_trusted():
    assert address_of(forwarded="203.0.113.1", HTTP_X_REAL_CLIENT="198.51.100.9") == "198.51.100.9"


@pytest.mark.django_db
@override_settings(TRACK_RATE_LIMIT=(3, 900), TRUSTED_PROXY_COUNT=1)
def test_forged_forwarded_addresses_do_not_buy_more_tracking_tries(client, clear_cache):
    form = {"reference": "ACDE-FGHJ-KM", "email": "someone@example.com"}
    statuses = [
        client.post("/track/", form, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 198.51.100.7").status_code
        for number in range(5)
    ]

    assert statuses == [200, 200, 200, 429, 429]
    refused = client.post("/track/", form, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert refused["Retry-After"] == "900"


@pytest.mark.django_db
def test_the_database_cache_counts_every_process_s_hits_together():
    with override_settings(CACHES={"default": LOCMEM, "ratelimit": DATABASE_CACHE}, RATE_LIMIT_CACHE="ratelimit"):
        create_cache_tables()  # what every `migrate` runs; rolled back after the test
        hits = [over_limit("submit", "198.51.100.7", 2, 60) for _ in range(2)]
        # Another worker process has its own cache objects but the same table.
        del caches["ratelimit"]
        hits.append(over_limit("submit", "198.51.100.7", 2, 60))

        assert hits == [False, False, True]
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM test_rate_limits")
            assert cursor.fetchone()[0] == 1


@pytest.mark.parametrize(
    ("backend", "workers", "refused"),
    [(LOCMEM, "3", True), (LOCMEM, "1", False), (DATABASE_CACHE, "3", False)],
)
def test_production_refuses_a_per_process_rate_limit_cache_with_several_workers(monkeypatch, backend, workers, refused):
    monkeypatch.setenv("WEB_CONCURRENCY", workers)
    caches_setting = {"default": LOCMEM, "ratelimit": backend}
    with override_settings(RATE_LIMIT_NEEDS_SHARED_CACHE=True, CACHES=caches_setting, RATE_LIMIT_CACHE="ratelimit"):
        errors = checks.rate_limits_are_shared()
    assert [error.id for error in errors] == (["portal.E001"] if refused else [])


def test_the_check_counts_workers_as_gunicorn_does(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    assert checks.web_workers() >= 2
    with override_settings(RATE_LIMIT_NEEDS_SHARED_CACHE=False):
        assert checks.rate_limits_are_shared() == []
