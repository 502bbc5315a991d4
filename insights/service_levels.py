"""Service-level figures for team leaders: each queue now, and week by week.

Everything is counted in the database, in a fixed number of queries whatever the number of
requests: one for the queues' figures now, one for requests received by week, one for those
resolved by week, and one for the median time to resolve (the middle rows of each week,
found with window functions, so SQLite and PostgreSQL give the same answer).

A request is *resolved* when it has left the open statuses (resolved, closed or rejected);
it was resolved *within target* when that happened by its due date. Weeks start on Monday in
the council's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from backoffice.models import Queue, ServiceRequest, Status
from backoffice.models.requests import OPEN_STATUSES
from backoffice.service_levels import end_of_today

WEEKS = 8


@dataclass
class QueueNow:
    """A queue's open requests now: how many, overdue, due today, and paused (waiting for the citizen)."""

    label: str
    open: int = 0
    overdue: int = 0
    due_today: int = 0
    paused: int = 0


@dataclass
class Week:
    """One week's requests: received, resolved, the median time to resolve, and resolved within target."""

    starts: date
    received: int = 0
    resolved: int = 0
    with_target: int = 0
    within_target: int = 0
    median: timedelta | None = None

    @property
    def label(self) -> str:
        return date_format(self.starts, "j M Y")

    @property
    def percent(self) -> int | None:
        """Per cent of the resolved requests that had a target and met it (None when none had one)."""
        return round(100 * self.within_target / self.with_target) if self.with_target else None

    # The names insights.charts.bar_chart reads: "<within> of <with a target> (<percent>%)".
    @property
    def online(self) -> int:
        return self.within_target

    @property
    def transactional(self) -> int:
        return self.with_target


def queues_now(
    requests: QuerySet[ServiceRequest], queues: list[Queue], now: datetime
) -> tuple[list[QueueNow], QueueNow]:
    """One row per queue (every queue given, in that order, with zeros where nothing is open), and the total."""
    running = ~Q(status=Status.WAITING)
    counts = {
        row["queue"]: row
        for row in requests.filter(status__in=OPEN_STATUSES)
        .values("queue")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=running & Q(due_at__lt=now)),
            due_today=Count("pk", filter=running & Q(due_at__gte=now, due_at__lte=end_of_today(now))),
            paused=Count("pk", filter=Q(status=Status.WAITING)),
        )
        .order_by()
    }
    rows = [QueueNow(label=str(queue), **_figures(counts.get(queue.pk))) for queue in queues]
    total = QueueNow(label=gettext("All your queues"))
    for row in rows:
        total.open += row.open
        total.overdue += row.overdue
        total.due_today += row.due_today
        total.paused += row.paused
    return rows, total


def _figures(row: dict | None) -> dict[str, int]:
    names = ("open", "overdue", "due_today", "paused")
    return {name: row[name] for name in names} if row else {}


def first_week(now: datetime, weeks: int = WEEKS) -> datetime:
    """The start (Monday 00:00, local) of the earliest of the last `weeks` weeks, this one included."""
    today = timezone.localdate(now)
    monday = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    return timezone.make_aware(datetime.combine(monday, datetime.min.time()))


def week_starts(now: datetime, weeks: int = WEEKS) -> list[datetime]:
    """The start (Monday 00:00, local) of each of the last `weeks` weeks, earliest first."""
    first = timezone.localdate(first_week(now, weeks))
    return [
        timezone.make_aware(datetime.combine(first + timedelta(weeks=number), datetime.min.time()))
        for number in range(weeks)
    ]


def week_of_field(field: str, starts: list[datetime]) -> Case:
    """The start of the week (of `starts`) a date-time field falls in, by comparisons the database makes itself.

    Django's `TruncWeek` is a Python function on SQLite, called for every row and every use:
    at 100,000 requests it was most of the view's 9 seconds. The weeks are known, so a CASE of
    plain comparisons gives the same answer on every engine.
    """
    return Case(
        *(When(**{f"{field}__gte": start}, then=Value(start)) for start in reversed(starts)),
        output_field=DateTimeField(),
    )


def by_week(
    requests: QuerySet[ServiceRequest], now: datetime, weeks: int = WEEKS, per_queue: bool = False
) -> dict[tuple, Week]:
    """Each week's figures keyed by (week start,), or by (queue id, week start) with `per_queue`.

    Only keys with requests are present (see `week_rows` to fill the others with zeros).
    """
    starts = week_starts(now, weeks)
    start = starts[0]
    group = ["queue"] if per_queue else []
    figures: dict[tuple, Week] = {}

    def week_of(row: dict) -> Week:
        starts = timezone.localtime(row["week"]).date()
        return figures.setdefault((*(row[name] for name in group), starts), Week(starts=starts))

    received = (
        requests.filter(created_at__gte=start)
        .annotate(week=week_of_field("created_at", starts))
        .values(*group, "week")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in received:
        week_of(row).received = row["count"]

    finished = requests.filter(resolved_at__gte=start).exclude(status__in=OPEN_STATUSES)
    resolved = (
        finished.annotate(week=week_of_field("resolved_at", starts))
        .values(*group, "week")
        .annotate(
            count=Count("pk"),
            with_target=Count("pk", filter=Q(due_at__isnull=False)),
            within_target=Count("pk", filter=Q(resolved_at__lte=F("due_at"))),
        )
        .order_by()
    )
    for row in resolved:
        week = week_of(row)
        week.resolved, week.with_target, week.within_target = row["count"], row["with_target"], row["within_target"]

    middles: dict[int, tuple[Week, list[timedelta]]] = {}
    for row in middle_rows(finished, group, week_of_field("resolved_at", starts)):
        week = week_of(row)
        middles.setdefault(id(week), (week, []))[1].append(row["took"])
    for week, took in middles.values():
        week.median = sum(took, timedelta(0)) / len(took)
    return figures


def middle_rows(finished: QuerySet[ServiceRequest], group: list[str], week: Case):
    """The one or two middle requests (by time to resolve) of each week and group: their mean is the median."""
    partition = [*(F(name) for name in group), week]
    ranked = finished.annotate(
        week=week,
        took=ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField()),
    ).annotate(
        position=Window(RowNumber(), partition_by=partition, order_by=[F("took").asc(), F("pk").asc()]),
        size=Window(Count("pk"), partition_by=partition),
    )
    middle = ranked.filter(position__gte=(F("size") + 1) / 2, position__lte=(F("size") + 2) / 2)
    return middle.values(*group, "week", "took").order_by()


def week_rows(figures: dict[tuple, Week], now: datetime, weeks: int = WEEKS, queue_id=None) -> list[Week]:
    """The last `weeks` weeks, newest first, from `by_week`'s figures (zeros where there were none)."""
    first = timezone.localdate(first_week(now, weeks))
    prefix = () if queue_id is None else (queue_id,)
    starts = [first + timedelta(weeks=number) for number in range(weeks)]
    return [figures.get((*prefix, day)) or Week(starts=day) for day in reversed(starts)]
