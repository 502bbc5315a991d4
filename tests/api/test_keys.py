"""API keys: shown once, stored hashed, found by prefix, refused when wrong, revoked or of another kind."""

import pytest

from api.keys import authenticate, hash_key, issue
from api.models import Open311Client, QueueApiKey
from backoffice.models import Queue


@pytest.fixture
def queue():
    return Queue.objects.order_by("pk").first()


@pytest.mark.django_db
def test_a_key_is_stored_only_as_its_hash_and_authenticates(queue):
    record, key = issue(QueueApiKey, name="Waste system", queue=queue)

    assert key.startswith(f"pq_{record.prefix}_")
    assert len(key) > 50
    stored = QueueApiKey.objects.get(pk=record.pk)
    assert stored.key_hash == hash_key(key) and key not in (stored.key_hash, stored.prefix, str(stored))
    assert authenticate(QueueApiKey, key) == record
    assert QueueApiKey.objects.get(pk=record.pk).last_used_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "presented",
    [None, "", 42, "pq", "pq_", "pq_short_secret", "x" * 500, "pq_abcdefgh_wrong", "o311_abcdefgh_wrong"],
)
def test_anything_but_a_live_key_is_refused_without_error(queue, presented):
    issue(QueueApiKey, name="Waste system", queue=queue)

    assert authenticate(QueueApiKey, presented) is None


@pytest.mark.django_db
def test_a_changed_secret_a_revoked_key_and_a_key_of_the_other_kind_are_refused(queue):
    record, key = issue(QueueApiKey, name="Waste system", queue=queue)
    client, client_key = issue(Open311Client, name="FixMyStreet")

    assert authenticate(QueueApiKey, key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert authenticate(QueueApiKey, client_key) is None
    assert authenticate(Open311Client, key) is None
    assert authenticate(Open311Client, client_key) == client
    record.revoke()
    assert authenticate(QueueApiKey, key) is None
