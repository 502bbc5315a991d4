"""What a locked-out person sees, and the lock-out settings django-axes reads.

django-axes counts failed sign-ins (a wrong password, or a wrong second-factor code) per
username and per address, separately; at `STAFF_LOGIN_FAILURE_LIMIT` failures either one
is refused for `STAFF_LOGIN_LOCKOUT_MINUTES`, even with the right password. The service desk
lifts it early in Settings → Sign-in lock-outs, or with `manage.py unlock_account` (`unlocking`).
"""

from django.conf import settings
from django.shortcuts import render


def lockout_minutes() -> int:
    """How long a lock-out lasts, in minutes (the cool-off django-axes applies)."""
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def locked_out_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the admin's sign-in page layout with a plain explanation (HTTP 429)."""
    context = {"minutes": lockout_minutes(), "failure_limit": settings.AXES_FAILURE_LIMIT}
    response = render(request, "staff_accounts/locked_out.html", context, status=429)
    response["Retry-After"] = str(lockout_minutes() * 60)
    return response
