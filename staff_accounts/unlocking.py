"""Seeing and lifting sign-in lock-outs, for Settings → Sign-in lock-outs and `manage.py unlock_account`.

django-axes counts failed sign-ins per username and, separately, per address; either one is
locked while `AXES_FAILURE_LIMIT` failures are counted within `AXES_COOLOFF_TIME`. Here:

- `look_up(kind, value)`: what is counted now for one username or address, whether that locks it
  and (counted in the database) when the lock ends. Works with both of the portal's handlers:
  the database (AccessAttempt rows) and the cache (Redis: one counter a username or address,
  found by the key django-axes gives it; it ends AXES_COOLOFF_TIME after the last failure).
- `current_lockouts()`: every locked username and address, counted in the database only (a
  cache cannot be listed).
- `unlock(...)`: django-axes's own reset for the username and/or the address, one audit entry
  each (`staff_accounts.unlock`, on the `SignInLockout` of that username or address) and one
  line of the sign-in log. The second factor is left as it is.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cache, make_cache_key_list
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from backoffice.staff.audit import BackOfficeFormatter

from .models import ADDRESS, USERNAME, SignInLockout

UNLOCK = "staff_accounts.unlock"
# The AccessAttempt field (and the cache key's lock-out parameter) of each kind of lock-out.
FIELDS = {USERNAME: "username", ADDRESS: "ip_address"}
KINDS = tuple(FIELDS)
MAX_LISTED = 100  # of each kind; the look-up finds any other

logger = logging.getLogger("staff_accounts.signin")


@dataclass(frozen=True)
class Lockout:
    """The failed sign-ins counted for a username or an address now."""

    kind: str
    value: str
    failures: int
    ends_at: datetime | None = None  # None: not locked, or counted in the cache (which does not tell)

    @property
    def locked(self) -> bool:
        return self.failures >= settings.AXES_FAILURE_LIMIT


def counts_in_database() -> bool:
    """True when django-axes counts in the database (no REDIS_URL), so lock-outs can be listed."""
    return isinstance(AxesProxyHandler.get_implementation(), AxesDatabaseHandler)


def recent_attempts():
    """The AccessAttempt rows django-axes still counts: each counts until AXES_COOLOFF_TIME after its last failure."""
    return AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)


def lock_end(attempts: list[tuple[datetime, int]]) -> datetime | None:
    """When the lock made by these (attempt time, failures) rows, newest first, ends; None if they lock nothing.

    Rows stop counting oldest first, so the lock ends when the row that brought the count to the
    limit stops counting.
    """
    counted = 0
    for attempt_time, failures in attempts:
        counted += failures
        if counted >= settings.AXES_FAILURE_LIMIT:
            return attempt_time + settings.AXES_COOLOFF_TIME
    return None


def look_up(kind: str, value: str) -> Lockout:
    """What is counted now for the username or address `value` (`kind` USERNAME or ADDRESS)."""
    if counts_in_database():
        attempts = list(
            recent_attempts()
            .filter(**{FIELDS[kind]: value})
            .order_by("-attempt_time")
            .values_list("attempt_time", "failures_since_start")
        )
        return Lockout(kind, value, sum(failures for _time, failures in attempts), lock_end(attempts))
    (key,) = make_cache_key_list([{FIELDS[kind]: value}])
    return Lockout(kind, value, get_cache().get(key, 0))


def current_lockouts() -> list[Lockout]:
    """Every locked username, then every locked address, most recently failed first (counted in the database)."""
    lockouts = []
    for kind, field in FIELDS.items():
        counted = recent_attempts().exclude(**{f"{field}__isnull": True})
        locked = (
            counted.values(field)
            .annotate(total=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(total__gte=settings.AXES_FAILURE_LIMIT)
            .order_by("-last")
            .values_list(field, flat=True)[:MAX_LISTED]
        )
        values = list(locked)
        attempts = defaultdict(list)
        for value, attempt_time, failures in (
            counted.filter(**{f"{field}__in": values})
            .order_by("-attempt_time")
            .values_list(field, "attempt_time", "failures_since_start")
        ):
            attempts[value].append((attempt_time, failures))
        lockouts += [
            Lockout(kind, value, sum(failures for _time, failures in attempts[value]), lock_end(attempts[value]))
            for value in values
        ]
    return lockouts


def unlock(*, username: str = "", address: str = "", user=None, **audit) -> list[Lockout]:
    """Clear the failed sign-ins counted for `username` and/or `address` (django-axes's reset), audited.

    `user` is who did it; a command names itself in `audit` instead (`via`, `via_kind`).
    Returns what was counted before, one Lockout per username or address.
    """
    lifted = []
    for kind, value in ((USERNAME, username), (ADDRESS, address)):
        if not value:
            continue
        before = look_up(kind, value)
        reset(**({"username": value} if kind == USERNAME else {"ip": value}))
        data = {"kind": kind, "failures": before.failures, "was_locked": before.locked, **audit}
        log(SignInLockout.of(kind, value), UNLOCK, user=user, data=data)
        logger.info(
            "staff sign-in lock-out lifted",
            extra={kind: value, "failures": before.failures, "by": user.get_username() if user else audit.get("via")},
        )
        lifted.append(before)
    return lifted


def unlocked_message(lockout: Lockout) -> str:
    """What was done, for the person who unlocked (the admin's message, the command's output)."""
    if lockout.kind == USERNAME:
        text = gettext(
            "The account %(name)s is unlocked (%(failures)s failed sign-ins cleared); its second factor is unchanged."
        )
    else:
        text = gettext("The address %(name)s is unlocked (%(failures)s failed sign-ins cleared).")
    return text % {"name": lockout.value, "failures": lockout.failures}


class UnlockFormatter(BackOfficeFormatter):
    """The audit log's message of an unlock, naming the command that made it if one did."""

    label = _("Unlock sign-in")

    def describe(self, data):
        if data.get("kind") == ADDRESS:
            text = _("Unlocked sign-ins from this address (%(failures)s failed sign-ins cleared)")
        else:
            text = _("Unlocked the account's sign-in (%(failures)s failed sign-ins cleared)")
        return text % {"failures": data.get("failures", 0)}


def register_actions(actions) -> None:
    """The `register_log_actions` hook: the unlock's label and message."""
    actions.register_action(UNLOCK)(UnlockFormatter)
