"""The fault test: 1,000 requests, a receiver failing half its calls, workers killed mid-run; nothing lost or doubled.

Requests are submitted (through intake.submit, in another process) while real `manage.py
deliver` workers send them to a receiver that fails about half its calls at random (500,
503, 429, before acting on them). A worker is killed with SIGKILL twice and replaced each
time. On PostgreSQL two workers run side by side, sharing the work with SKIP LOCKED; on
SQLite one does. At the end every delivery is delivered, the receiver has acted on each of
the 1,000 keys exactly once, and a message was sent again after the receiver had taken it
at most once per kill (the one the killed worker had in hand).
"""

import json
import re
import signal
from collections import Counter

from .delivery_fixtures import *  # noqa: F403
from .worker_db import wait_until

REQUESTS = 1000
KILL_AFTER = (250, 550)  # acted-on keys at which a worker is killed
WORKER_ARGS = ("--batch", "10", "--poll", "0.1")


def worker_pid(leased_by: str) -> int:
    return int(re.match(r"^.*:(\d+):[0-9a-f]+$", leased_by).group(1))


def test_no_request_is_lost_or_acted_on_twice_through_failures_and_killed_workers(shared_db, receiver):
    side_by_side = 2 if shared_db.vendor == "postgresql" else 1
    shared_db.delivery.update(
        DELIVERY_MAX_ATTEMPTS="60",  # 0.5⁶⁰: no row runs out of attempts by bad luck
        DELIVERY_BACKOFF_SECONDS="0.05",
        DELIVERY_BACKOFF_CAP_SECONDS="0.5",
        DELIVERY_LEASE_SECONDS="4",
    )
    shared_db.ctl("webhook", "--url", receiver.url, "--secret", receiver.secret, "--timeout", "10")
    receiver.fail_fraction(0.5, statuses=(500, 503, 429), seed=20261124)

    workers = [shared_db.start_worker(*WORKER_ARGS) for _ in range(side_by_side)]
    submitter = shared_db.ctl_in_background("submit", "--count", str(REQUESTS))
    killed = []
    for threshold in KILL_AFTER:
        assert receiver.wait_for(lambda r, n=threshold: len(r.acted_keys()) >= n, timeout=90), (
            f"only {len(receiver.acted_keys())} keys acted on; worker log:\n{shared_db.log(workers[0])}"
        )
        victim = workers.pop(0)
        victim.send_signal(signal.SIGKILL)
        assert victim.wait(timeout=10) == -signal.SIGKILL
        killed.append(victim)
        workers.append(shared_db.start_worker(*WORKER_ARGS))

    output, errors = submitter.communicate(timeout=120)
    assert submitter.returncode == 0, errors
    keys = set(json.loads(output)["webhook_keys"])
    assert len(keys) == REQUESTS

    assert receiver.wait_for(lambda r: r.acted_keys() == keys, timeout=120), (
        f"{len(keys - receiver.acted_keys())} keys never reached the receiver"
    )
    rows = wait_until(
        lambda: (rows := shared_db.deliveries()) and all(row["state"] == "delivered" for row in rows) and rows,
        timeout=60,
        interval=1,
        message="every delivery to be recorded as delivered",
    )
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    assert [worker.wait(timeout=15) for worker in workers] == [0] * len(workers)

    calls = receiver.snapshot()
    pids = Counter(worker_pid(row["leased_by"]) for row in rows)
    print(
        f"{shared_db.vendor}: {len(calls)} calls, {sum(call.status != 200 for call in calls)} failed, "
        f"{sum(count - 1 for count in receiver.successes.values())} sent again; deliveries by worker {dict(pids)}"
    )
    # every delivery delivered, for exactly the submitted keys
    assert {row["idempotency_key"] for row in rows} == keys
    assert Counter(row["state"] for row in rows) == {"delivered": REQUESTS}
    # the receiver acted once per key; it saw failures and valid signatures only
    assert len(receiver.acted) == REQUESTS
    assert all(call.signature_ok for call in calls), [call for call in calls if not call.signature_ok][:3]
    failed_calls = sum(call.status != 200 for call in calls)
    assert failed_calls > REQUESTS * 0.7, f"the receiver failed only {failed_calls} calls"
    # a key taken by the receiver was sent again only for a send a killed worker had in hand
    sent_again = sum(count - 1 for count in receiver.successes.values())
    assert sent_again <= len(killed), f"{sent_again} messages sent again after the receiver had taken them"
    # attempts are counted per claim: never fewer than the calls the receiver saw
    attempts = sum(row["attempts"] for row in rows)
    assert attempts >= len(calls), f"{attempts} attempts recorded for {len(calls)} calls"
    # the killed workers and their replacements all did part of the work (two at a time on PostgreSQL)
    assert {process.pid for process in killed + workers} <= set(pids), pids
