"""Form performance figures read from the journey counters and the feedback: by form, by week, by version, the funnel.

Every figure is a sum over the counters of the journeys that *started* in the period (see
`journey_figures`), computed in the database in a fixed number of queries whatever the number of
forms, days or steps. The median time to complete is read from the completion-time histogram:
the middle of the bucket holding the middle journey, within half a second or 5% of the true median.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from forms_catalogue.definition import FormDefinition
from forms_catalogue.journey import CHECK_STEP
from forms_catalogue.models import EFormPage, FormVersion, Satisfaction, ServiceFeedback

from .journey_figures import bucket_middle
from .models import CompletionTime, JourneyCount, JourneyEvent

RECENT_COMMENTS = 50


def half_up(number: float) -> int:
    """Rounded as people expect (62.5 → 63), not to even as round() does."""
    return int(number + 0.5) if number >= 0 else -int(-number + 0.5)


def percent(part: int, whole: int) -> int | None:
    """Whole per cent, or None when there is nothing to divide by."""
    return half_up(100 * part / whole) if whole else None


def median_seconds(buckets: dict[int, int]) -> float | None:
    """The median time from a histogram {bucket lower bound: journeys}: the middle of its bucket (the mean of two)."""
    total = sum(buckets.values())
    if not total:
        return None
    wanted = sorted({(total + 1) // 2, total // 2 + 1})  # the middle rank, or the two middle ones
    found, seen = [], 0
    for bucket in sorted(buckets):
        seen += buckets[bucket]
        while wanted and wanted[0] <= seen:
            found.append(bucket_middle(bucket))
            wanted.pop(0)
    return sum(found) / len(found)


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


@dataclass(frozen=True)
class Period:
    """Whole weeks (Monday to Sunday) of journey start days: `weeks` of them, the last holding `ending`."""

    ending: datetime.date
    weeks: int

    @property
    def first_day(self) -> datetime.date:
        return week_start(self.ending) - datetime.timedelta(weeks=self.weeks - 1)

    @property
    def last_day(self) -> datetime.date:
        return week_start(self.ending) + datetime.timedelta(days=6)

    def mondays(self) -> list[datetime.date]:
        return [self.first_day + datetime.timedelta(weeks=number) for number in range(self.weeks)]

    def days(self) -> Q:
        return Q(day__gte=self.first_day, day__lte=self.last_day)


@dataclass
class Figures:
    """Started, completed and the completion-time histogram of a set of journeys."""

    started: int = 0
    completed: int = 0
    times: Counter = field(default_factory=Counter)

    @property
    def completion_rate(self) -> int | None:
        return percent(self.completed, self.started)

    @property
    def median_seconds(self) -> float | None:
        return median_seconds(self.times)

    def add(self, event: str, total: int) -> None:
        if event == JourneyEvent.STARTED:
            self.started += total
        elif event == JourneyEvent.COMPLETED:
            self.completed += total


@dataclass
class Ratings:
    """Feedback answers by rating, and the satisfaction score (GOV.UK: each answer counts (rating − 1) × 25)."""

    counts: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def score(self) -> int | None:
        if not self.total:
            return None
        return half_up(sum((rating - 1) * 25 * count for rating, count in self.counts.items()) / self.total)

    def rows(self) -> list[tuple[str, int, int | None]]:
        """(rating, answers, per cent of answers), from very satisfied down."""
        return [
            (label, self.counts[value], percent(self.counts[value], self.total))
            for value, label in Satisfaction.choices
        ]


@dataclass
class FormRow:
    """One form in the list: its figures and its feedback in the period."""

    page_id: int
    title: str
    live: bool
    figures: Figures
    ratings: Ratings


def forms_overview(period: Period) -> list[FormRow]:
    """Every live e-form and every form with journeys or feedback in the period, by title; four queries."""
    counts = (
        JourneyCount.objects.filter(period.days(), event__in=[JourneyEvent.STARTED, JourneyEvent.COMPLETED])
        .values("page_id", "event")
        .annotate(total=Sum("count"))
        .order_by()
    )
    figures: dict[int, Figures] = defaultdict(Figures)
    for row in counts:
        figures[row["page_id"]].add(row["event"], row["total"])
    times = CompletionTime.objects.filter(period.days()).values("page_id", "bucket").annotate(total=Sum("count"))
    for row in times.order_by():
        figures[row["page_id"]].times[row["bucket"]] += row["total"]
    ratings: dict[int, Ratings] = defaultdict(Ratings)
    answers = ServiceFeedback.objects.filter(period.days()).values("page_id", "rating").annotate(total=Count("pk"))
    for row in answers.order_by():
        ratings[row["page_id"]].counts[row["rating"]] += row["total"]
    pages = EFormPage.objects.filter(
        Q(live=True)
        | Q(pk__in=JourneyCount.objects.filter(period.days()).values("page_id"))
        | Q(pk__in=ServiceFeedback.objects.filter(period.days()).values("page_id"))
    ).values_list("pk", "title", "live")
    return sorted(
        (FormRow(pk, title, live, figures[pk], ratings[pk]) for pk, title, live in pages),
        key=lambda row: (row.title.casefold(), row.page_id),
    )


@dataclass
class FunnelStep:
    """A step of the funnel: how many journeys reached it and how many stopped there (reached − went on)."""

    step: str
    title: str
    reached: int
    stopped: int
    is_exit: bool = False
    started: int = 0

    @property
    def reached_percent(self) -> int | None:
        return percent(self.reached, self.started)

    @property
    def stopped_percent(self) -> int | None:
        return percent(self.stopped, self.started)


@dataclass
class VersionRow:
    version_id: int
    label: str
    figures: Figures


@dataclass
class FormReport:
    """Everything the form's page shows: by week, by version, the funnel, the feedback."""

    page: EFormPage
    period: Period
    total: Figures
    weeks: list[tuple[datetime.date, Figures]]  # (Monday, figures of the journeys started that week)
    versions: list[VersionRow]
    funnel: list[FunnelStep]
    ratings: Ratings
    comments: list[ServiceFeedback]
    version: FormVersion | None = None  # the version the funnel is for, or None for all of them

    @property
    def most_stopped(self) -> FunnelStep | None:
        """The step (not an exit page) where most journeys that went no further stopped."""
        candidates = [step for step in self.funnel if not step.is_exit and step.stopped > 0]
        return max(candidates, key=lambda step: step.stopped, default=None)


def version_label(version: FormVersion) -> str:
    return _("Version of %(date)s (revision %(revision)s)") % {
        "date": timezone.localtime(version.created_at).strftime("%d/%m/%Y %H:%M"),
        "revision": version.revision_id or "–",
    }


def step_titles(definitions: list[FormDefinition]) -> tuple[list[str], dict[str, str], set[str]]:
    """The funnel's step order (the first definition's, then steps only older ones had), titles, exit steps."""
    order, titles, exits = [], {}, set()
    for definition in definitions:
        for step in definition.steps:
            if step.id not in titles:
                order.append(step.id)
                titles[step.id] = step.title
                if step.is_exit:
                    exits.add(step.id)
    titles[CHECK_STEP] = _("Check your answers")
    return [*order, CHECK_STEP], titles, exits


def form_report(page: EFormPage, period: Period, version_id: int | None = None) -> FormReport:
    """The figures of one form in the period (the funnel of one version, or of all); six queries."""
    mine = JourneyCount.objects.filter(period.days(), page=page)
    by_version_step = mine.values("version_id", "event", "step").annotate(total=Sum("count")).order_by()
    rows = list(by_version_step)
    by_week = (
        mine.filter(event__in=[JourneyEvent.STARTED, JourneyEvent.COMPLETED])
        .annotate(week=TruncWeek("day"))
        .values("week", "event")
        .annotate(total=Sum("count"))
        .order_by()
    )
    times = (
        CompletionTime.objects.filter(period.days(), page=page)
        .annotate(week=TruncWeek("day"))
        .values("week", "version_id", "bucket")
        .annotate(total=Sum("count"))
        .order_by()
    )
    week_figures = {monday: Figures() for monday in period.mondays()}
    for row in by_week:
        week_figures[as_date(row["week"])].add(row["event"], row["total"])
    version_figures: dict[int, Figures] = defaultdict(Figures)
    total = Figures()
    for row in rows:
        version_figures[row["version_id"]].add(row["event"], row["total"])
        total.add(row["event"], row["total"])
    for row in times:
        week_figures[as_date(row["week"])].times[row["bucket"]] += row["total"]
        version_figures[row["version_id"]].times[row["bucket"]] += row["total"]
        total.times[row["bucket"]] += row["total"]

    wanted_ids = set(version_figures) | ({version_id} if version_id else set())
    versions = {
        version.pk: version
        for version in FormVersion.objects.filter(
            Q(page=page) & (Q(pk__in=wanted_ids) | Q(pk=current_version_id(page)))
        )
    }
    chosen = versions.get(version_id) if version_id else None
    newest_first = sorted(versions.values(), key=lambda version: (version.created_at, version.pk), reverse=True)
    definitions = [chosen.definition()] if chosen else [version.definition() for version in newest_first]
    funnel = build_funnel(rows, definitions, version_id if chosen else None)

    feedback = ServiceFeedback.objects.filter(period.days(), page=page)
    ratings = Ratings(
        Counter(
            {row["rating"]: row["total"] for row in feedback.values("rating").annotate(total=Count("pk")).order_by()}
        )
    )
    comments = list(feedback.exclude(comment="").order_by("-day")[:RECENT_COMMENTS])
    return FormReport(
        page=page,
        period=period,
        total=total,
        weeks=[(monday, week_figures[monday]) for monday in period.mondays()],
        versions=[
            VersionRow(version.pk, version_label(version), version_figures[version.pk])
            for version in newest_first
            if version.pk in version_figures
        ],
        funnel=funnel,
        ratings=ratings,
        comments=comments,
        version=chosen,
    )


def current_version_id(page: EFormPage):
    """A subquery: the version new journeys start on (so the funnel follows the form as it is now)."""
    return FormVersion.objects.filter(page=page).order_by("-created_at", "-pk").values("pk")[:1]


def as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def build_funnel(rows: list[dict], definitions: list[FormDefinition], version_id: int | None) -> list[FunnelStep]:
    """The funnel from counter rows (version, event, step, total): every step in order, with reached and stopped."""
    reached: Counter = Counter()
    left: Counter = Counter()
    started = 0
    for row in rows:
        if version_id is not None and row["version_id"] != version_id:
            continue
        if row["event"] == JourneyEvent.REACHED:
            reached[row["step"]] += row["total"]
        elif row["event"] == JourneyEvent.LEFT:
            left[row["step"]] += row["total"]
        elif row["event"] == JourneyEvent.STARTED:
            started += row["total"]
    order, titles, exits = step_titles(definitions)
    order += sorted(step for step in reached if step not in titles)  # a step no loaded version has (never expected)
    return [
        FunnelStep(
            step=step,
            title=titles.get(step, step),
            reached=reached[step],
            stopped=reached[step] - left[step],
            is_exit=step in exits,
            started=started,
        )
        for step in order
        if reached[step] or step in titles
    ]


def describe_seconds(seconds: float | None) -> str:
    """A time to complete as people say it: "45 seconds", "3 minutes 20 seconds", "2 hours 5 minutes"."""
    if seconds is None:
        return "–"
    whole = half_up(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": secs}
    return _("%(seconds)s s") % {"seconds": secs}
