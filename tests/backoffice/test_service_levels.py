"""The service-level clock (backoffice.service_levels): due dates on the working-day calendar and pauses.

Pure calculations in the council's time zone, no database: across weekends, bank holidays
(Christmas and a substitute Boxing Day, Easter, a moved May Day, one-off holidays), arrivals
out of hours, and the clock changes. Expected dates were read off a calendar, not computed.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from backoffice.models import ServiceRequest, Status
from backoffice.service_levels import (
    add_working_days,
    counting_day,
    due_at,
    due_state,
    follow_status_change,
    is_working_day,
    moved_on,
    paused_text,
    time_paused,
    working_days_between,
)
from home.service_levels import Target

LONDON = ZoneInfo("Europe/London")
WORKING = "working_days"


def at(year, month, day, hour=10, minute=0) -> datetime:
    """A moment on the council's wall clock."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def due_day(received: datetime, amount: int, unit: str = WORKING) -> date:
    due = due_at(received, Target(amount, unit)).astimezone(LONDON)
    if unit != "hours":
        assert (due.hour, due.minute, due.second) == (23, 59, 59), "day targets are due at the end of the day"
    return due.date()


# --- working days ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "amount", "expected"),
    [
        (at(2026, 11, 23), 2, date(2026, 11, 25)),  # Monday morning: Wednesday
        (at(2026, 11, 27), 2, date(2026, 12, 1)),  # Friday morning: over the weekend to Tuesday
        (at(2026, 11, 27), 10, date(2026, 12, 11)),  # two whole weeks
        (at(2026, 11, 27, 16, 59), 1, date(2026, 11, 30)),  # a minute before the working day ends
    ],
)
def test_working_days_skip_the_weekend(received, amount, expected):
    assert due_day(received, amount) == expected


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (at(2026, 11, 27, 17, 0), date(2026, 12, 2)),  # Friday 17:00: counts from Monday
        (at(2026, 11, 27, 23, 30), date(2026, 12, 2)),  # Friday night
        (at(2026, 11, 28, 9, 0), date(2026, 12, 2)),  # Saturday
        (at(2026, 11, 29, 18, 0), date(2026, 12, 2)),  # Sunday evening
        (at(2026, 11, 30, 6, 0), date(2026, 12, 2)),  # Monday before opening counts from Monday itself
    ],
)
def test_a_request_received_out_of_hours_counts_from_the_next_working_day(received, expected):
    assert due_day(received, 2) == expected


def test_christmas_boxing_day_and_its_substitute_are_skipped():
    # 2026: Christmas Friday 25, Boxing Day Saturday 26, substitute Monday 28 December.
    assert not is_working_day(date(2026, 12, 25)) and not is_working_day(date(2026, 12, 28))
    assert due_day(at(2026, 12, 24), 2) == date(2026, 12, 30)  # Thu 24 → Tue 29 (1), Wed 30 (2)
    assert due_day(at(2026, 12, 24, 17, 30), 1) == date(2026, 12, 30)  # after hours: counts from Tue 29
    # 2027: both fall at the weekend, so Monday 27 and Tuesday 28 are the substitutes.
    assert due_day(at(2027, 12, 24), 1) == date(2027, 12, 29)


def test_easter_good_friday_and_easter_monday_are_skipped():
    assert due_day(at(2026, 4, 2), 1) == date(2026, 4, 7)  # Thursday before Easter → Tuesday after
    assert due_day(at(2026, 4, 3), 1) == date(2026, 4, 8)  # received on Good Friday: counts from Tuesday


def test_a_moved_bank_holiday_is_the_day_it_moved_to():
    # 2020: the early May bank holiday moved from Monday 4 May to Friday 8 May (VE Day 75).
    assert is_working_day(date(2020, 5, 4)) and not is_working_day(date(2020, 5, 8))
    assert due_day(at(2020, 5, 1), 1) == date(2020, 5, 4)
    assert due_day(at(2020, 5, 7), 1) == date(2020, 5, 11)


def test_one_off_bank_holidays_come_from_the_library():
    # The State Funeral of Queen Elizabeth II, Monday 19 September 2022.
    assert due_day(at(2022, 9, 16), 1) == date(2022, 9, 20)


def test_the_councils_own_closures_are_added(settings):
    settings.COUNCIL_CLOSED_DAYS = ["2026-12-24", "2026-12-31"]
    assert due_day(at(2026, 12, 23), 1) == date(2026, 12, 29)
    assert due_day(at(2026, 12, 30), 1) == date(2027, 1, 4)  # not 31 Dec (closed), not 1 Jan (bank holiday)


def test_bad_calendar_settings_are_refused_with_a_message(settings):
    settings.COUNCIL_CLOSED_DAYS = ["24/12/2026"]
    with pytest.raises(ImproperlyConfigured, match="COUNCIL_CLOSED_DAYS"):
        is_working_day(date(2026, 12, 23))
    settings.COUNCIL_CLOSED_DAYS = []
    settings.WORKING_DAY_ENDS = "5pm"
    with pytest.raises(ImproperlyConfigured, match="WORKING_DAY_ENDS"):
        counting_day(at(2026, 12, 23))


def test_the_end_of_the_working_day_is_a_setting(settings):
    settings.WORKING_DAY_ENDS = "17:30"
    assert due_day(at(2026, 11, 27, 17, 15), 1) == date(2026, 11, 30)
    assert due_day(at(2026, 11, 27, 17, 30), 1) == date(2026, 12, 1)


def test_working_days_between_counts_the_days_after_the_first_up_to_the_last():
    assert working_days_between(date(2026, 11, 27), date(2026, 11, 30)) == 1  # Fri → Mon
    assert working_days_between(date(2026, 11, 30), date(2026, 11, 27)) == -1
    assert working_days_between(date(2026, 11, 27), date(2026, 11, 28)) == 0  # Fri → Sat
    assert working_days_between(date(2026, 12, 24), date(2027, 1, 4)) == 4  # 29, 30, 31 Dec, 4 Jan
    assert add_working_days(date(2026, 12, 24), 4) == date(2027, 1, 4)


# --- calendar days and hours ---------------------------------------------------------------


def test_calendar_days_count_every_day_and_end_at_midnight_across_the_clock_change():
    assert due_day(at(2026, 10, 20, 23, 0), 14, "calendar_days") == date(2026, 11, 3)
    due = due_at(at(2026, 10, 20), Target(7, "calendar_days"))  # BST → GMT on Sunday 25 October
    assert due.astimezone(LONDON) == datetime(2026, 10, 27, 23, 59, 59, tzinfo=LONDON)
    assert due.astimezone(UTC).hour == 23  # GMT then


def test_hours_are_clock_hours_whatever_the_day_or_time():
    assert due_at(at(2026, 11, 28, 22, 0), Target(2, "hours")) == at(2026, 11, 29, 0, 0)  # Saturday night
    assert due_at(at(2026, 12, 25, 9, 0), Target(24, "hours")) == at(2026, 12, 26, 9, 0)  # Christmas Day


def test_hours_across_the_clock_changes_are_elapsed_time():
    # Spring forward, Sunday 29 March 2026 01:00 GMT → 02:00 BST: 00:30 + 2 hours is 03:30 on the wall clock.
    spring = due_at(at(2026, 3, 29, 0, 30), Target(2, "hours")).astimezone(LONDON)
    assert (spring.hour, spring.minute, spring.utcoffset()) == (3, 30, timedelta(hours=1))
    # Fall back, Sunday 25 October 2026 02:00 BST → 01:00 GMT: 00:30 BST + 2 hours is 01:30 GMT.
    autumn = due_at(at(2026, 10, 25, 0, 30), Target(2, "hours")).astimezone(LONDON)
    assert (autumn.hour, autumn.minute, autumn.utcoffset()) == (1, 30, timedelta(0))


# --- pausing ------------------------------------------------------------------------------


def test_a_pause_counts_whole_working_days_and_moves_the_due_date_on_by_them():
    target = Target(5, WORKING)
    paused = time_paused(target, at(2026, 11, 23, 10), at(2026, 11, 25, 15))  # Mon → Wed
    assert paused == timedelta(days=2)
    assert paused_text(target, paused) == "2 working days"
    due = due_at(at(2026, 11, 20), target)  # Fri 20 → Fri 27 November
    assert moved_on(due, target, paused).astimezone(LONDON).date() == date(2026, 12, 1)
    # The same day, or over a weekend only: no working day lost.
    assert time_paused(target, at(2026, 11, 23, 9), at(2026, 11, 23, 16)) == timedelta(0)
    assert time_paused(target, at(2026, 11, 27, 18), at(2026, 11, 30, 8)) == timedelta(0)
    # Over Easter: stopped Thursday, restarted Tuesday loses one working day (Thursday), not four.
    assert time_paused(target, at(2026, 4, 2, 11), at(2026, 4, 7, 11)) == timedelta(days=1)


def test_a_pause_of_an_hours_target_is_clock_time_across_the_clock_change():
    target = Target(4, "hours")
    paused = time_paused(target, at(2026, 3, 28, 23, 0), at(2026, 3, 29, 3, 0))  # 23:00 GMT → 03:00 BST
    assert paused == timedelta(hours=3)
    assert paused_text(target, paused) == "3 hours"


def test_a_pause_of_a_calendar_days_target_counts_days():
    target = Target(14, "calendar_days")
    assert time_paused(target, at(2026, 11, 23, 23), at(2026, 11, 26, 1)) == timedelta(days=3)


def request_with(target: Target | None, received: datetime, **fields) -> ServiceRequest:
    """An unsaved request with a clock started at `received`."""
    request = ServiceRequest(status=fields.pop("status", Status.RECEIVED), created_at=received, **fields)
    if target is not None:
        request.target_amount, request.target_unit = target.amount, target.unit
        request.due_at = due_at(received, target)
    return request


def test_following_status_changes_stops_and_restarts_the_clock():
    target = Target(3, WORKING)
    request = request_with(target, at(2026, 11, 23))  # due Thursday 26 November
    assert follow_status_change(request, Status.WAITING, at(2026, 11, 24, 11)) is None
    assert request.paused_at == at(2026, 11, 24, 11)
    assert follow_status_change(request, Status.WAITING, at(2026, 11, 25)) is None  # still waiting
    paused = follow_status_change(request, Status.IN_PROGRESS, at(2026, 11, 27, 9))  # Tue → Fri: 3 days
    assert paused == timedelta(days=3) and request.time_paused == timedelta(days=3)
    assert request.paused_at is None
    assert request.due_at.astimezone(LONDON).date() == date(2026, 12, 1)
    # A second pause adds to the first.
    follow_status_change(request, Status.WAITING, at(2026, 11, 30, 10))
    follow_status_change(request, Status.RESOLVED, at(2026, 12, 1, 10))
    assert request.time_paused == timedelta(days=4)
    assert request.due_at.astimezone(LONDON).date() == date(2026, 12, 2)


def test_a_request_without_a_target_keeps_no_clock():
    request = request_with(None, at(2026, 11, 23))
    assert follow_status_change(request, Status.WAITING, at(2026, 11, 24)) is None
    assert request.paused_at is None and request.due_at is None
    assert due_state(request, at(2026, 11, 24)) is None


# --- in words -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "text", "overdue"),
    [
        (at(2026, 11, 20, 12), "Due in 5 working days", False),  # Fri 20 → due Fri 27 November
        (at(2026, 11, 21, 12), "Due in 5 working days", False),  # Saturday: still 5 working days
        (at(2026, 11, 26, 12), "Due in 1 working day", False),
        (at(2026, 11, 27, 23, 59), "Due today", False),
        (at(2026, 11, 28, 0, 1), "Overdue since Fri 27 Nov", True),  # the weekend after
        (at(2026, 11, 30, 9), "Overdue by 1 working day", True),
        (at(2026, 12, 2, 9), "Overdue by 3 working days", True),
    ],
)
def test_due_state_of_a_working_day_target(now, text, overdue):
    request = request_with(Target(5, WORKING), at(2026, 11, 20, 9))
    state = due_state(request, now)
    assert (state.text, state.overdue) == (text, overdue)


def test_due_state_of_hours_and_calendar_days_targets():
    hours = request_with(Target(2, "hours"), at(2026, 11, 20, 9))
    assert due_state(hours, at(2026, 11, 20, 9, 30)).text == "Due in 1 hour"
    assert due_state(hours, at(2026, 11, 20, 10, 45)).text == "Due in 15 minutes"
    assert due_state(hours, at(2026, 11, 20, 14)).text == "Overdue by 3 hours"
    days = request_with(Target(14, "calendar_days"), at(2026, 11, 20, 9))
    assert due_state(days, at(2026, 11, 21)).text == "Due in 13 calendar days"
    assert due_state(days, at(2026, 12, 7)).text == "Overdue by 3 calendar days"


def test_due_state_of_a_paused_or_finished_request():
    paused = request_with(Target(2, WORKING), at(2026, 11, 20), status=Status.WAITING, paused_at=at(2026, 11, 23))
    state = due_state(paused, at(2026, 12, 20))
    assert (state.text, state.paused, state.overdue) == ("Paused: waiting for the citizen", True, False)
    late = request_with(Target(2, WORKING), at(2026, 11, 20), status=Status.RESOLVED, resolved_at=at(2026, 11, 30))
    assert (due_state(late).text, due_state(late).overdue) == ("Finished late", True)
    in_time = request_with(Target(2, WORKING), at(2026, 11, 20), status=Status.CLOSED, resolved_at=at(2026, 11, 23))
    assert (due_state(in_time).text, due_state(in_time).overdue) == ("Finished within target", False)
