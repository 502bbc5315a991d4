"""Request references citizens can read out on the phone: no look-alike characters."""

import secrets

# No 0/O, 1/I/L, 5/S or 8/B confusion: 27 characters, 10 of them give 47.5 bits of randomness.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY2345679"
LENGTH = 10


def new_reference() -> str:
    """A random reference such as 'K7MQ-X3PT-RA' (stored without the dashes)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def format_reference(reference: str) -> str:
    """Group a reference in fours for reading: 'K7MQX3PTRA' → 'K7MQ-X3PT-RA'."""
    return "-".join(reference[i : i + 4] for i in range(0, len(reference), 4))


def normalise_reference(text: str) -> str:
    """What a citizen typed, as stored: upper case, no spaces or dashes."""
    return "".join(ch for ch in text.upper() if ch.isalnum())
