"""Taking the day's coverage snapshot and reading the trend."""

import datetime

from django.utils import timezone

from .coverage import coverage
from .models import CoverageSnapshot

TREND_DAYS = 365


def take_snapshot(day: datetime.date | None = None) -> tuple[CoverageSnapshot, bool]:
    """Store the figures now as the snapshot of `day` (today by default); a second run that day updates it.

    Returns the snapshot and whether it was created.
    """
    figures = coverage()
    return CoverageSnapshot.objects.update_or_create(
        date=day or timezone.localdate(),
        defaults={
            "total": figures.overall.total,
            "transactional": figures.overall.transactional,
            "online": figures.overall.online,
            "by_category": [tally.as_json() for tally in figures.by_category],
            "by_department": [tally.as_json() for tally in figures.by_department],
        },
    )


def trend(days: int = TREND_DAYS) -> list[CoverageSnapshot]:
    """The snapshots of the last `days` days, oldest first."""
    since = timezone.localdate() - datetime.timedelta(days=days)
    return list(CoverageSnapshot.objects.filter(date__gt=since).order_by("date"))
