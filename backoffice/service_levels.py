"""The service-level clock: due dates on the council's working-day calendar, and pausing it.

Working days are Monday to Friday except the bank holidays of England and Wales (England and
Wales share one list), which come from the maintained `holidays` library — nothing is typed
in here, and a new holiday (a coronation, a moved May Day) arrives with a library upgrade —
and the council's own closures in `settings.COUNCIL_CLOSED_DAYS`. Times are in the council's
time zone (`settings.TIME_ZONE`, Europe/London). A request's target is copied from its service
when it is submitted, so a later change to the service moves no existing due date.

- **Working days**: a request received on a working day before `settings.WORKING_DAY_ENDS`
  (17:00) counts from that day, otherwise (evening, weekend, bank holiday) from the next
  working day; it is due at the end of the Nth working day after that: 2 working days from
  Friday 10:00 is the end of Tuesday, from Friday 18:00 the end of Wednesday.
- **Calendar days**: due at the end of the Nth day after the day it was received.
- **Hours**: due N clock hours after it was received, whatever the time of day (a clock change
  in between moves the wall-clock time, not the length: hours are added in UTC).

While a request waits for the citizen the clock stops. When it leaves "waiting", its due date
moves on by the time paused in the target's terms: the working days between the day it stopped
and the day it restarted (each day counted as a receipt is), the calendar days between them, or
the clock time. Nothing here queries the database; `casework` saves what it changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from home.service_levels import Target, TargetUnit, amount_text

from .models import ServiceRequest, Status

END_OF_DAY = time(23, 59, 59)


# --- the calendar ---------------------------------------------------------------------------


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[date]:
    """The bank holidays of England and Wales in `year`, substitute days included."""
    return frozenset(holidays.UK(subdiv="ENG", years=year))


@lru_cache(maxsize=8)
def _parse_closed_days(values: tuple[str, ...]) -> frozenset[date]:
    try:
        return frozenset(date.fromisoformat(value) for value in values)
    except ValueError as error:
        raise ImproperlyConfigured(f"COUNCIL_CLOSED_DAYS takes ISO dates such as 2026-12-24: {error}") from None


def council_closed_days() -> frozenset[date]:
    """The council's own closures from `settings.COUNCIL_CLOSED_DAYS` (ImproperlyConfigured if one is no date)."""
    return _parse_closed_days(tuple(settings.COUNCIL_CLOSED_DAYS))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year) and day not in council_closed_days()


def next_working_day(day: date) -> date:
    """The first working day after `day`."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(day: date, count: int) -> date:
    """The working day `count` working days after `day` (`day` itself for 0)."""
    for _ in range(count):
        day = next_working_day(day)
    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days come after `start` up to and including `end` (negative when `end` is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for offset in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=offset)))


def working_day_ends() -> time:
    """When the working day ends (`settings.WORKING_DAY_ENDS`, "17:00"); later arrivals count from the next."""
    try:
        return time.fromisoformat(settings.WORKING_DAY_ENDS)
    except ValueError:
        raise ImproperlyConfigured(
            f"WORKING_DAY_ENDS takes a time such as 17:00, not {settings.WORKING_DAY_ENDS!r}."
        ) from None


def counting_day(moment: datetime) -> date:
    """The working day a request received at `moment` counts from: that day, or the next when out of hours."""
    local = timezone.localtime(moment)
    if is_working_day(local.date()) and local.time() < working_day_ends():
        return local.date()
    return next_working_day(local.date())


def end_of_day(day: date) -> datetime:
    """The last second of `day` in the council's time zone."""
    return timezone.make_aware(datetime.combine(day, END_OF_DAY))


# --- due dates and the paused clock ---------------------------------------------------------


def due_at(received: datetime, target: Target) -> datetime:
    """When a request received at `received` is due under `target`."""
    if target.unit == TargetUnit.HOURS:
        return received.astimezone(UTC) + timedelta(hours=target.amount)
    if target.unit == TargetUnit.CALENDAR_DAYS:
        return end_of_day(timezone.localdate(received) + timedelta(days=target.amount))
    return end_of_day(add_working_days(counting_day(received), target.amount))


def time_paused(target: Target, stopped: datetime, restarted: datetime) -> timedelta:
    """The pause between `stopped` and `restarted` in the target's terms (whole days for day targets)."""
    if target.unit == TargetUnit.HOURS:
        return max(restarted.astimezone(UTC) - stopped.astimezone(UTC), timedelta(0))
    if target.unit == TargetUnit.CALENDAR_DAYS:
        days = (timezone.localdate(restarted) - timezone.localdate(stopped)).days
    else:
        days = working_days_between(counting_day(stopped), counting_day(restarted))
    return timedelta(days=max(days, 0))


def moved_on(due: datetime, target: Target, paused: timedelta) -> datetime:
    """The due date `due` moved on by a pause measured by `time_paused`."""
    if target.unit == TargetUnit.HOURS:
        return due.astimezone(UTC) + paused
    if target.unit == TargetUnit.CALENDAR_DAYS:
        return end_of_day(timezone.localdate(due) + timedelta(days=paused.days))
    return end_of_day(add_working_days(timezone.localdate(due), paused.days))


def start_clock(request: ServiceRequest, service, received: datetime) -> None:
    """Give a new request its service's target and due date (nothing when the service has no target)."""
    target = getattr(service, "service_level", None)
    if target is not None:
        request.target_amount, request.target_unit = target.amount, target.unit
        request.due_at = due_at(received, target)


def follow_status_change(request: ServiceRequest, new_status: str, now: datetime) -> timedelta | None:
    """Stop the clock when the request starts waiting for the citizen; restart it when it stops waiting.

    Changes `request` (not saved) and returns the pause just ended, or None when no pause ended.
    A request without a target keeps no clock.
    """
    target = request.service_level
    if target is None or request.due_at is None:
        return None
    if new_status == Status.WAITING and request.paused_at is None:
        request.paused_at = now
        return None
    if new_status != Status.WAITING and request.paused_at is not None:
        paused = time_paused(target, request.paused_at, now)
        request.due_at = moved_on(request.due_at, target, paused)
        request.time_paused += paused
        request.paused_at = None
        return paused
    return None


CLOCK_FIELDS = ["due_at", "paused_at", "time_paused"]


# --- in words -------------------------------------------------------------------------------


def duration_text(length: timedelta) -> str:
    """A length of clock time, rounded down to its largest unit: "2 days", "3 hours", "45 minutes"."""
    seconds = int(length.total_seconds())
    if seconds >= 86400:
        return ngettext("%(count)d day", "%(count)d days", seconds // 86400) % {"count": seconds // 86400}
    if seconds >= 3600:
        return ngettext("%(count)d hour", "%(count)d hours", seconds // 3600) % {"count": seconds // 3600}
    minutes = max(seconds // 60, 1)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def paused_text(target: Target, paused: timedelta) -> str:
    """A pause in the target's terms: "2 working days", "3 calendar days", "5 hours"."""
    if target.unit == TargetUnit.HOURS:
        return duration_text(paused) if paused else gettext("no time")
    return amount_text(paused.days, target.unit)


@dataclass(frozen=True)
class DueState:
    """Where an open request stands against its due date, in words; `overdue` for the tag."""

    text: str
    overdue: bool = False
    paused: bool = False


def due_state(request: ServiceRequest, now: datetime | None = None) -> DueState | None:
    """ "Due in 2 working days", "Due today", "Overdue by 3 working days", "Paused"; None without a clock.

    Days are counted in the target's unit (working days for a working-day target); hour targets
    in clock time. A closed request says whether it met its target.
    """
    target = request.service_level
    if target is None or request.due_at is None:
        return None
    now, due = (now or timezone.now()).astimezone(UTC), request.due_at.astimezone(UTC)
    if not request.is_open:
        if request.resolved_at and request.resolved_at > due:
            return DueState(gettext("Finished late"), overdue=True)
        return DueState(gettext("Finished within target"))
    if request.paused_at is not None:
        return DueState(gettext("Paused: waiting for the citizen"), paused=True)
    if target.unit == TargetUnit.HOURS:
        if now <= due:
            return DueState(gettext("Due in %(time)s") % {"time": duration_text(due - now)})
        return DueState(gettext("Overdue by %(time)s") % {"time": duration_text(now - due)}, overdue=True)
    today, due_day = timezone.localdate(now), timezone.localdate(due)
    if now <= due and due_day == today:
        return DueState(gettext("Due today"))
    if target.unit == TargetUnit.CALENDAR_DAYS:
        days = abs((due_day - today).days)
    else:
        days = abs(working_days_between(today, due_day))
    if now <= due:
        return DueState(gettext("Due in %(time)s") % {"time": amount_text(days, target.unit)})
    if days == 0:  # a weekend or holiday after the last working day
        return DueState(gettext("Overdue since %(date)s") % {"date": date_format(due_day, "D j M")}, overdue=True)
    return DueState(gettext("Overdue by %(time)s") % {"time": amount_text(days, target.unit)}, overdue=True)


# --- windows the listings filter by ---------------------------------------------------------


def end_of_today(now: datetime) -> datetime:
    return end_of_day(timezone.localdate(now))


def end_of_week(now: datetime) -> datetime:
    """The end of Sunday of the current week (weeks start on Monday)."""
    today = timezone.localdate(now)
    return end_of_day(today + timedelta(days=6 - today.weekday()))
