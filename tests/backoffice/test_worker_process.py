"""Real `manage.py deliver` processes on a database shared with the test: SIGKILL mid-send, SIGTERM, --once."""

import signal
import time
from collections import Counter
from urllib.parse import urlsplit

import pytest

from .delivery_fixtures import *  # noqa: F403
from .worker_db import admin_connection, wait_until


def point_webhook_at(shared_db, receiver, timeout: int = 30) -> None:
    shared_db.ctl("webhook", "--url", receiver.url, "--secret", receiver.secret, "--timeout", str(timeout))


def test_a_worker_killed_mid_send_leaves_nothing_undelivered_and_the_receiver_acts_once(shared_db, receiver):
    shared_db.delivery["DELIVERY_LEASE_SECONDS"] = "12"  # outlasts starting the second worker, even on a busy machine
    point_webhook_at(shared_db, receiver)
    receiver.hang_first()  # acts on the first call, then never answers it
    (key,) = shared_db.ctl("submit", "--count", "1")["webhook_keys"]

    first = shared_db.start_worker("--poll", "0.1")
    assert receiver.wait_for(lambda r: len(r.snapshot()) == 1, timeout=60), shared_db.log(first)
    (row,) = shared_db.deliveries()
    assert row["state"] == "sending"
    assert f":{first.pid}:" in row["leased_by"]
    lease_expires_at = row["lease_expires_at"]

    first.send_signal(signal.SIGKILL)
    assert first.wait(timeout=10) == -signal.SIGKILL
    second = shared_db.start_worker("--poll", "0.1")

    assert receiver.wait_for(lambda r: len(r.snapshot()) == 2, timeout=60), shared_db.log(second)
    row = wait_until(
        lambda: next((row for row in shared_db.deliveries() if row["state"] == "delivered"), None),
        timeout=30,
        message="the delivery to be recorded as delivered",
    )
    calls = receiver.snapshot()
    assert [call.key for call in calls] == [key, key]
    assert calls[1].received_at >= lease_expires_at, "taken over only after the dead worker's lease expired"
    assert (calls[0].duplicate, calls[1].duplicate) == (False, True)
    assert receiver.acted_keys() == {key}
    assert f":{second.pid}:" in row["leased_by"]
    assert row["attempts"] == 2

    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=15) == 0


def test_sigterm_finishes_the_send_in_hand_gives_back_the_rest_and_exits_0(shared_db, receiver):
    point_webhook_at(shared_db, receiver)
    receiver.delay(0.3)
    keys = set(shared_db.ctl("submit", "--count", "20")["webhook_keys"])
    worker = shared_db.start_worker("--batch", "10", "--poll", "0.1")
    assert receiver.wait_for(lambda r: len(r.snapshot()) >= 3, timeout=60), shared_db.log(worker)

    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=15) == 0, shared_db.log(worker)

    rows = shared_db.deliveries()
    states = Counter(row["state"] for row in rows)
    assert states["sending"] == 0, states
    delivered = {row["idempotency_key"] for row in rows if row["state"] == "delivered"}
    assert delivered == receiver.acted_keys(), "every message the receiver took is recorded, and only those"
    assert 3 <= len(delivered) < 20
    assert all(row["attempts"] == 0 for row in rows if row["state"] == "pending"), "given back, not counted"

    receiver.delay(0)
    output = shared_db.deliver_once()
    assert f"Attempted {20 - len(delivered)} deliveries." in output
    rows = shared_db.deliveries()
    assert {row["state"] for row in rows} == {"delivered"}
    assert receiver.acted_keys() == keys
    assert len(receiver.snapshot()) == 20, "nothing was sent twice"


def test_sigterm_wakes_an_idle_worker_at_once(shared_db, receiver):
    point_webhook_at(shared_db, receiver)
    shared_db.ctl("submit", "--count", "1")
    worker = shared_db.start_worker("--poll", "60")
    assert receiver.wait_for(lambda r: len(r.snapshot()) == 1, timeout=60), shared_db.log(worker)
    time.sleep(0.5)  # recorded, and now waiting out its 60 s poll interval

    stopped = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=20) == 0
    assert time.monotonic() - stopped < 15, "it did not wait out its 60 s poll interval"
    assert {row["state"] for row in shared_db.deliveries()} == {"delivered"}


@pytest.mark.postgres_only  # it cuts PostgreSQL connections
def test_a_worker_rides_out_a_database_outage(shared_db, receiver):
    """The database refuses connections for a while (a failover, a restart): the worker logs, waits, carries on."""
    point_webhook_at(shared_db, receiver)
    shared_db.ctl("submit", "--count", "1")
    worker = shared_db.start_worker("--poll", "0.2")
    assert receiver.wait_for(lambda r: len(r.acted_keys()) == 1, timeout=60), shared_db.log(worker)

    name = urlsplit(shared_db.url).path.lstrip("/")
    with admin_connection(shared_db.url) as connection:
        connection.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
    wait_until(lambda: "database error" in shared_db.log(worker), timeout=30, message="the worker to meet the outage")
    time.sleep(1)
    assert worker.poll() is None, shared_db.log(worker)
    with admin_connection(shared_db.url) as connection:
        connection.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')

    shared_db.ctl("submit", "--count", "1")
    assert receiver.wait_for(lambda r: len(r.acted_keys()) == 2, timeout=60), shared_db.log(worker)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=15) == 0
