"""Recovery codes for the load test's admin account, derived from its password on both sides.

The portal asks every staff sign-in for a second factor. The load test's editors and staff
sign in at once with one account, so each takes a recovery code of its own (a single-use
code cannot be replayed, as one authenticator code shared by several sign-ins in the same 30
seconds would be). `bench/run_peak.sh` gives the account these codes; each locust admin user
takes the next one.
"""

import hashlib

CODE_COUNT = 50


def recovery_codes(password: str) -> list[str]:
    """The account's recovery codes: 12 hex characters each, from its (random) password."""
    return [hashlib.sha256(f"{password}:{number}".encode()).hexdigest()[:12] for number in range(CODE_COUNT)]


def give_codes(username: str, password: str) -> None:
    """Replace the account's recovery codes with these (run in `manage.py shell`)."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    user = get_user_model().objects.get(username=username)
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes")
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in recovery_codes(password))
