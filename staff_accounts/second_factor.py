"""The second factor of a staff sign-in: an authenticator app (TOTP) and single-use recovery codes.

Every signed-in account is a staff account, and every staff account can reach residents'
personal data (requests, files, exports) or change what citizens see, so with
`STAFF_SECOND_FACTOR_REQUIRED` on (the default) every account must pass a second factor
after its password: a 6-digit code from an authenticator app, or one of its recovery codes.
django-otp keeps the devices (`TOTPDevice`, `StaticDevice`) and records in the session
which one verified it; a wrong code counts as a failed sign-in for the lock-out too.
"""

from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.utils.html import format_html
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10


def is_required() -> bool:
    """True when a signed-in account must pass a second factor (off only in the test settings)."""
    return bool(getattr(settings, "STAFF_SECOND_FACTOR_REQUIRED", True))


def is_enrolled(user) -> bool:
    """True once the user has a confirmed authenticator app or recovery codes."""
    return user_has_device(user, confirmed=True)


def pending_app_device(user) -> TOTPDevice:
    """The user's unconfirmed authenticator device, created on first call (a reload shows the same secret)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def secret_for_people(device: TOTPDevice) -> str:
    """The device's secret as an authenticator app expects it typed: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice, title: str) -> str:
    """The device's otpauth:// URI as an inline SVG QR code, an image named `title` (no script, no style)."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, svgclass="staff-qr-code")
    return svg.replace("<svg ", format_html('<svg role="img" aria-label="{}" ', title), 1)


@transaction.atomic
def confirm_app_device(device: TOTPDevice) -> list[str]:
    """Confirm a newly set-up authenticator app and issue fresh recovery codes; returns the codes."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return new_recovery_codes(device.user)


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with `RECOVERY_CODE_COUNT` new single-use ones; returns them."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify_code(user, code: str):
    """The device that accepts `code` (and records its use), or None.

    Six digits are an app's code and are tried on the user's authenticator app only; anything
    else is tried as a recovery code only. (django-otp counts a failure on every device a code
    is tried on, and a device with failures makes its user wait: a recovery code must still
    work after months of signing in with the app.)
    """
    kind = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    with transaction.atomic():
        for device in kind.objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(code):
                return device
    return None


def recovery_codes_left(user) -> int:
    """How many unused recovery codes the user has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def reset(user) -> int:
    """Remove every second-factor device of the user (they enrol again at their next sign-in); returns how many."""
    removed = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        removed += 1
    return removed
