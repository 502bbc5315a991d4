"""The relay: retries with growing, jittered backoff; permanent failures; replay; the last attempt; leases."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from backoffice.models import Delivery, DeliveryKind, DeliveryState
from backoffice.relay import (
    LAST_ATTEMPT_LOST,
    RetryPolicy,
    Worker,
    claim,
    record_failure,
    record_success,
    release,
    replay,
)

from .delivery_fixtures import *  # noqa: F403
from .delivery_fixtures import FAST_RETRY, drain, submit_request, wait_until_due

pytestmark = pytest.mark.django_db


def webhook_delivery(request) -> Delivery:
    return request.deliveries.get(kind=DeliveryKind.WEBHOOK)


# --- the retry policy ---------------------------------------------------------------------------


def test_backoff_doubles_up_to_the_cap_with_jitter_between_half_and_all_of_each_step():
    policy = RetryPolicy(base_seconds=30, cap_seconds=600)
    for attempts, ceiling in [(1, 30), (2, 60), (3, 120), (4, 240), (5, 480), (6, 600), (12, 600)]:
        delays = [policy.delay(attempts).total_seconds() for _ in range(300)]
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays), attempts
        assert max(delays) - min(delays) > ceiling / 4, "the delays are spread, not a fixed schedule"
    # the n-th wait is never shorter than the longest possible (n-1)-th
    assert min(policy.delay(3).total_seconds() for _ in range(200)) >= 60


def test_waits_are_at_least_a_second_unless_the_policy_asks_for_less():
    delays = [RetryPolicy(base_seconds=1.5, cap_seconds=60).delay(1).total_seconds() for _ in range(100)]
    assert min(delays) == 1.0 and max(delays) <= 1.5
    assert RetryPolicy(base_seconds=0.05, cap_seconds=0.4).delay(1).total_seconds() <= 0.05


def test_the_policy_comes_from_the_delivery_retry_setting():
    with override_settings(DELIVERY_RETRY=FAST_RETRY):
        assert RetryPolicy.from_settings() == RetryPolicy(**FAST_RETRY)
        assert Worker().policy == RetryPolicy(**FAST_RETRY)


# --- outcomes -----------------------------------------------------------------------------------


def test_receiver_down_fails_with_growing_jittered_backoff_then_delivers_once_it_is_back(fast_retry, webhook, receiver):
    delivery = webhook_delivery(submit_request(contact_email=""))
    receiver.stop()
    waits = []
    for attempt in (1, 2, 3):
        before = timezone.now()
        assert drain() == 1
        delivery.refresh_from_db()
        assert delivery.state == DeliveryState.FAILED
        assert delivery.attempts == attempt
        assert "ConnectionError" in delivery.last_error
        assert delivery.next_attempt_at > before
        assert delivery.lease_token == "" and delivery.lease_expires_at is None
        wait = (delivery.next_attempt_at - delivery.updated_at).total_seconds()
        ceiling = fast_retry.base_seconds * 2 ** (attempt - 1)
        assert ceiling / 2 <= wait <= ceiling
        waits.append(wait)
        wait_until_due(delivery)
    assert waits == sorted(waits)
    assert len(set(waits)) == 3

    receiver.restart()
    assert drain() == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    assert delivery.attempts == 4
    assert delivery.last_error == ""
    assert delivery.delivered_at is not None
    assert receiver.acted_keys() == {delivery.idempotency_key}


def test_a_failed_delivery_is_not_sent_again_before_its_backoff(webhook, receiver):
    receiver.stop()
    delivery = webhook_delivery(submit_request(contact_email=""))
    with override_settings(DELIVERY_RETRY={**FAST_RETRY, "base_seconds": 60, "cap_seconds": 600}):
        assert drain() == 1
        delivery.refresh_from_db()
        assert delivery.next_attempt_at - delivery.updated_at >= timedelta(seconds=30)
        receiver.restart()
        assert drain() == 0
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, 1)
    assert receiver.snapshot() == []


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_a_4xx_answer_is_permanent_the_delivery_is_dead_at_once(fast_retry, webhook, receiver, status):
    receiver.fail_with(status)
    delivery = webhook_delivery(submit_request(contact_email=""))
    assert drain() == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DEAD
    assert delivery.attempts == 1
    assert delivery.last_error.startswith(f"HTTP {status}")
    assert receiver.acted_keys() == set()


@pytest.mark.parametrize("status", [408, 425, 429, 500, 502, 503])
def test_timeouts_throttling_and_5xx_are_transient(fast_retry, webhook, receiver, status):
    receiver.fail_next(1, status)
    delivery = webhook_delivery(submit_request(contact_email=""))
    drain()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.last_error.startswith(f"HTTP {status}")
    wait_until_due(delivery)
    drain()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    assert [call.status for call in receiver.snapshot()] == [status, 200]


def test_a_wrong_signature_is_refused_by_the_receiver_and_the_delivery_is_dead(fast_retry, webhook, receiver):
    webhook.secret = "not-the-receivers-secret"
    webhook.save()
    delivery = webhook_delivery(submit_request(contact_email=""))
    drain()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DEAD
    assert delivery.last_error.startswith("HTTP 401")
    assert [call.signature_ok for call in receiver.snapshot()] == [False]
    assert receiver.acted_keys() == set()


def test_replay_sends_a_dead_delivery_again(fast_retry, webhook, receiver):
    receiver.fail_with(400)
    delivery = webhook_delivery(submit_request(contact_email=""))
    drain()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DEAD
    assert drain() == 0, "dead rows are not retried on their own"

    receiver.fail_with(None)
    assert replay(delivery) is True
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.PENDING, 0)
    assert drain() == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 1)
    assert receiver.acted_keys() == {delivery.idempotency_key}
    assert replay(delivery) is False, "a delivered row is not replayed"


def test_after_the_last_attempt_the_delivery_is_dead(fast_retry, webhook, receiver):
    receiver.fail_with(503)
    delivery = webhook_delivery(submit_request(contact_email=""))
    for _attempt in range(fast_retry.max_attempts - 1):
        drain()
        delivery.refresh_from_db()
        assert delivery.state == DeliveryState.FAILED
        wait_until_due(delivery)
    drain()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DEAD
    assert delivery.attempts == fast_retry.max_attempts == len(receiver.snapshot())
    assert delivery.last_error.startswith("HTTP 503")
    wait_until_due(delivery)
    assert drain() == 0


def test_a_pass_never_retries_a_row_that_failed_during_it(fast_retry, webhook, receiver):
    """However slow the pass and short the backoff, a failure waits for the next pass (one attempt per pass)."""
    receiver.fail_with(503)
    receiver.delay(0.3)  # each send outlasts the first retry's backoff (at most 0.05 s)
    first, second = (webhook_delivery(submit_request(contact_email="")) for _ in range(2))

    assert drain(batch=1) == 2

    for delivery in (first, second):
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, 1)


def test_a_delivery_of_an_unknown_kind_is_dead_with_the_reason(fast_retry):
    request = submit_request()
    delivery = Delivery.objects.create(request=request, kind="fax", payload={}, idempotency_key="x-fax")
    drain()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DEAD
    assert "No adapter" in delivery.last_error


# --- leases -------------------------------------------------------------------------------------


def leased(delivery: Delivery, *, expires_in: float, attempts: int = 1) -> None:
    """Make the row look claimed by a worker that is gone (or still busy), with its lease ending then."""
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.SENDING,
        lease_token="a" * 32,
        leased_by="elsewhere:1:dead",
        lease_expires_at=timezone.now() + timedelta(seconds=expires_in),
        attempts=attempts,
    )


def test_a_row_left_sending_is_claimed_again_once_its_lease_expires_but_not_before(fast_retry, webhook):
    expired, live = (webhook_delivery(submit_request(contact_email="")) for _ in range(2))
    leased(expired, expires_in=-1)
    leased(live, expires_in=60)

    claimed = claim("worker-b", 10, fast_retry)

    assert [delivery.pk for delivery in claimed] == [expired.pk]
    assert claimed[0].leased_by == "worker-b"
    assert claimed[0].attempts == 2, "the lost attempt counts"
    live.refresh_from_db()
    assert (live.state, live.leased_by) == (DeliveryState.SENDING, "elsewhere:1:dead")


def test_a_worker_picks_up_an_abandoned_row_and_delivers_it(fast_retry, webhook, receiver):
    delivery = webhook_delivery(submit_request(contact_email=""))
    leased(delivery, expires_in=-1)
    assert drain() == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    assert receiver.acted_keys() == {delivery.idempotency_key}


def test_an_abandoned_row_that_had_its_last_attempt_is_dead_not_sent_again(fast_retry, webhook, receiver):
    delivery = webhook_delivery(submit_request(contact_email=""))
    leased(delivery, expires_in=-1, attempts=fast_retry.max_attempts)
    assert drain() == 0
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DEAD
    assert delivery.last_error == LAST_ATTEMPT_LOST
    assert receiver.snapshot() == []


def test_claims_count_the_attempt_and_a_released_claim_gives_it_back(fast_retry, webhook):
    delivery = webhook_delivery(submit_request(contact_email=""))
    (claimed,) = claim("worker-a", 10, fast_retry)
    assert (claimed.state, claimed.attempts) == (DeliveryState.SENDING, 1)
    assert claim("worker-b", 10, fast_retry) == [], "a leased row is not claimed twice"
    release(claimed)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.lease_token) == (DeliveryState.PENDING, 0, "")


def take_over(delivery: Delivery, policy: RetryPolicy) -> tuple[Delivery, Delivery]:
    """Worker A claims the row, its lease runs out mid-send, and worker B claims it."""
    (mine,) = claim("worker-a", 10, policy)
    Delivery.objects.filter(pk=delivery.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    (theirs,) = claim("worker-b", 10, policy)
    assert theirs.pk == mine.pk and theirs.lease_token != mine.lease_token
    return mine, theirs


def test_a_worker_whose_lease_was_taken_over_does_not_overwrite_the_new_owners_success(fast_retry, webhook):
    delivery = webhook_delivery(submit_request(contact_email=""))
    mine, theirs = take_over(delivery, fast_retry)

    record_success(theirs)
    assert record_failure(mine, "HTTP 503: late answer", permanent=False, policy=fast_retry) == "failed"
    record_failure(mine, "HTTP 400: late answer", permanent=True, policy=fast_retry)
    record_success(mine)

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    assert delivery.last_error == ""
    assert delivery.leased_by == "worker-b"
    assert delivery.attempts == 2


def test_a_worker_whose_lease_was_taken_over_does_not_overwrite_the_new_owners_failure(fast_retry, webhook):
    delivery = webhook_delivery(submit_request(contact_email=""))
    mine, theirs = take_over(delivery, fast_retry)

    record_failure(theirs, "HTTP 503: from B", permanent=False, policy=fast_retry)
    delivery.refresh_from_db()
    scheduled = delivery.next_attempt_at
    record_failure(mine, "HTTP 400: from A", permanent=True, policy=fast_retry)

    delivery.refresh_from_db()
    assert (delivery.state, delivery.last_error) == (DeliveryState.FAILED, "HTTP 503: from B")
    assert delivery.next_attempt_at == scheduled


def test_a_stopped_worker_sends_nothing_more(fast_retry, webhook, receiver):
    delivery = webhook_delivery(submit_request(contact_email=""))
    worker = Worker()
    worker.stop()
    assert worker.drain() == 0
    assert receiver.snapshot() == []
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.PENDING, 0)
