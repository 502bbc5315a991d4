"""Signing staff in with their second factor in tests: a known authenticator secret per test user, and its codes.

A browser or HTTP test signs in as a person does: password, then a 6-digit code. The test
users' authenticator devices get a secret derived from the username (`device_key`), created
in the server's database by `create_device_code(...)`. `next_code(username)` gives the code
for that device; django-otp refuses a code (a time step) used before, so when a user signs in
more than once within 30 seconds it gives the next step's code, which django-otp accepts
(one step of clock drift) and then follows (it keeps the drift), as it would a fast phone.
"""

from __future__ import annotations

import base64
import hashlib
import time
from binascii import unhexlify

from django_otp.oath import hotp

STEP_SECONDS = 30
_last_step: dict[str, int] = {}
_drift: dict[str, int] = {}


def device_key(username: str) -> str:
    """The hex secret of a test user's authenticator device (only ever in a throwaway test database)."""
    return hashlib.sha1(f"portal-test-device-{username}".encode()).hexdigest()  # noqa: S324 (a test secret)


def create_device_code(username: str) -> str:
    """Python for `manage.py shell`: give `username` a confirmed authenticator device with `device_key`."""
    return (
        "from django.contrib.auth import get_user_model\n"
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        f"TOTPDevice.objects.get_or_create(user=get_user_model().objects.get(username={username!r}), "
        f"name='Authenticator app', defaults={{'key': {device_key(username)!r}, 'confirmed': True}})\n"
    )


def code_at(key_hex: str, step: int) -> str:
    """The 6-digit code of a hex secret at a time step."""
    return f"{hotp(unhexlify(key_hex), step):06d}"


def next_code(username: str) -> str:
    """A code for the test user's device that django-otp accepts now (never a step it has seen)."""
    now = int(time.time()) // STEP_SECONDS
    step = max(now + _drift.get(username, 0), _last_step.get(username, now - 1) + 1)
    _last_step[username], _drift[username] = step, step - now
    return code_at(device_key(username), step)


def code_for_secret(secret: str) -> str:
    """The code an authenticator app shows now for a secret typed as the enrolment page shows it (base32)."""
    compact = "".join(secret.split()).upper()
    key = base64.b32decode(compact + "=" * (-len(compact) % 8))
    return f"{hotp(key, int(time.time()) // STEP_SECONDS):06d}"


def pass_second_factor(page, username: str) -> None:
    """On the admin's "Enter your code" page (Playwright), enter the test user's code and continue."""
    page.get_by_label("Code").fill(next_code(username))
    page.get_by_role("button", name="Continue").click()


def force_verified_login(client, user):
    """Django test client: sign `user` in as having passed the second factor (a device with `device_key`).

    The test settings leave the second factor off, so `client.force_login` is enough for most
    tests; this is for tests that turn it on (`STAFF_SECOND_FACTOR_REQUIRED=True`). Returns the device.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="Authenticator app", defaults={"key": device_key(user.get_username()), "confirmed": True}
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
