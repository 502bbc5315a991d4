"""Sign-in events in the portal's JSON log: who (the username typed), from where, what happened.

Never the password or a one-time code: Django hands `user_login_failed` receivers the
credentials with the password masked, and these receivers read only the username from them.
Lines go to the `staff_accounts.signin` logger (INFO for a sign-in, WARNING for a failure
or a lock-out), so a log collector can alert on repeated failures.
"""

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from portal.ratelimit import client_address

logger = logging.getLogger("staff_accounts.signin")


def address_of(request) -> str:
    """The address the sign-in came from, as the lock-out counts it."""
    if request is None:
        return "unknown"
    return getattr(request, "axes_ip_address", None) or client_address(request)


def log_event(message: str, level: int, request, username: str, **extra) -> None:
    """One structured line: the event, the username typed, the address and the path."""
    path = getattr(request, "path", "") if request is not None else ""
    logger.log(level, message, extra={"username": username, "address": address_of(request), "path": path, **extra})


def on_login_failed(sender, credentials=None, request=None, **kwargs) -> None:
    username = str((credentials or {}).get("username", ""))[:150]
    log_event("staff sign-in failed", logging.WARNING, request, username)


def on_logged_in(sender, request=None, user=None, **kwargs) -> None:
    log_event("staff signed in (password)", logging.INFO, request, user.get_username() if user else "")


def on_logged_out(sender, request=None, user=None, **kwargs) -> None:
    log_event("staff signed out", logging.INFO, request, user.get_username() if user else "")


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    log_event(
        "staff sign-in locked out", logging.WARNING, request, str(username or "")[:150], locked_address=ip_address
    )


def connect_signals() -> None:
    """Connect the receivers (AppConfig.ready)."""
    from axes.signals import user_locked_out

    user_login_failed.connect(on_login_failed, dispatch_uid="staff-accounts-login-failed")
    user_logged_in.connect(on_logged_in, dispatch_uid="staff-accounts-logged-in")
    user_logged_out.connect(on_logged_out, dispatch_uid="staff-accounts-logged-out")
    user_locked_out.connect(on_locked_out, dispatch_uid="staff-accounts-locked-out")
