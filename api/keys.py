"""API keys: random secrets shown once, stored as SHA-256 hashes, found by a short public prefix.

A key reads `<kind>_<prefix>_<secret>`, e.g. `pq_3k9x2m4a_…`. The prefix (8 characters) is kept
in clear so staff can tell keys apart in the admin and a presented key is found with one
indexed query; the secret has 256 bits of entropy, so an unsalted SHA-256 of the whole key is
safe to store and compare in constant time.
"""

import hashlib
import hmac
import secrets
import string
from datetime import timedelta

from django.utils import timezone

PREFIX_ALPHABET = string.ascii_lowercase + string.digits
PREFIX_LENGTH = 8
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key(kind: str) -> tuple[str, str]:
    """A new key of `kind` and its prefix."""
    prefix = "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
    return f"{kind}_{prefix}_{secrets.token_urlsafe(32)}", prefix


def issue(model, **fields):
    """Create a key record of `model` and return it with the key in clear (the only time it exists)."""
    while True:
        key, prefix = new_key(model.KEY_KIND)
        if not model.objects.filter(prefix=prefix).exists():
            break
    record = model.objects.create(prefix=prefix, key_hash=hash_key(key), **fields)
    return record, key


def authenticate(model, presented: str | None):
    """The live (not revoked) key record of `model` matching `presented`, or None. Never raises."""
    if not presented or not isinstance(presented, str) or len(presented) > 200:
        return None
    kind, _, rest = presented.strip().partition("_")
    prefix = rest.partition("_")[0]
    if kind != model.KEY_KIND or len(prefix) != PREFIX_LENGTH:
        return None
    record = model.objects.filter(prefix=prefix, revoked_at__isnull=True).first()
    if record is None or not hmac.compare_digest(record.key_hash, hash_key(presented.strip())):
        return None
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at > LAST_USED_RESOLUTION:
        model.objects.filter(pk=record.pk).update(last_used_at=now)
        record.last_used_at = now
    return record
