"""Channel shift: requests residents make online themselves versus requests staff enter for them, and the saving.

The definitions (also in the README, "Assisted digital and channel shift"):

- *online by residents* (self-service) are the channels `web`, `api` and `open311`: the resident
  (or an app acting for them, such as FixMyStreet) filled the form in, and no member of staff
  keyed it; *entered by staff* are `phone`, `face_to_face` and `post` (assisted digital), and
  `staff`, the channel of requests entered for a caller before the channel was recorded;
- *share online* is online ÷ every request, in whole per cent;
- *cost* is Σ requests × the cost of their channel (`ChannelCosts`; a `staff` request of
  unrecorded channel costs a phone call);
- *cost saved* by a month's online requests is what they would have cost had they come the way
  that month's assisted requests came, minus what they did cost:

      assisted unit cost (month) = (phone × £phone + face to face × £face to face) ÷ (phone + face to face)
      cost saved = online requests × (assisted unit cost of their month − £online)

  where phone and face to face count that month's requests of every service (one mix a month,
  so the services' savings add up to the month's, and the months' to the total). A month with
  no phone or face-to-face request takes the phone cost (the cheaper of the two by default), so
  the saving is never overstated. Post is left out of the mix: a resident who moves online would
  otherwise have phoned or called in; letters are few and not what a form replaces.

Everything is counted in the database in one query grouped by month, service and channel
(rows grow with services × months × channels, not with requests); sums are exact `Decimal`s,
rounded to the penny only when shown.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DateField
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format

from backoffice.models import SELF_SERVICE_CHANNELS, Channel, ServiceRequest

from .coverage import proportion

PERIODS = (3, 6, 12, 24)
DEFAULT_MONTHS = 12
STAFF_COLUMNS = ("phone", "face_to_face", "post", "not_recorded")
PENNY = Decimal("0.01")


def column_of(channel: str) -> str:
    """The dashboard column a channel counts in: `online`, `phone`, `face_to_face`, `post` or `not_recorded`."""
    if channel in SELF_SERVICE_CHANNELS:
        return "online"
    if channel == Channel.STAFF:
        return "not_recorded"
    return channel


@dataclass(frozen=True)
class Costs:
    """What one request costs by each channel, in pounds."""

    online: Decimal
    phone: Decimal
    face_to_face: Decimal
    post: Decimal

    @classmethod
    def from_settings(cls, settings) -> Costs:
        return cls(online=settings.online, phone=settings.phone, face_to_face=settings.face_to_face, post=settings.post)

    def of(self, column: str) -> Decimal:
        return self.phone if column == "not_recorded" else getattr(self, column)

    def assisted_unit_cost(self, phone: int, face_to_face: int) -> Decimal:
        """What one assisted request cost in a month with this many phone and face-to-face requests."""
        if phone + face_to_face == 0:
            return self.phone
        return (phone * self.phone + face_to_face * self.face_to_face) / Decimal(phone + face_to_face)


@dataclass
class ChannelCounts:
    """Requests of one month, one service or all, by column; `saved` is exact (unrounded)."""

    label: str
    key: object = None
    online: int = 0
    phone: int = 0
    face_to_face: int = 0
    post: int = 0
    not_recorded: int = 0
    saved: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)

    @property
    def staff(self) -> int:
        return self.phone + self.face_to_face + self.post + self.not_recorded

    @property
    def total(self) -> int:
        return self.online + self.staff

    @property
    def percent(self) -> int:
        """Share online, whole per cent of every request."""
        return proportion(self.online, self.total)

    def add(self, column: str, count: int, costs: Costs, saving_per_online: Decimal) -> None:
        setattr(self, column, getattr(self, column) + count)
        self.cost += count * costs.of(column)
        if column == "online":
            self.saved += count * saving_per_online

    def merge(self, other: ChannelCounts) -> None:
        for column in ("online", *STAFF_COLUMNS, "saved", "cost"):
            setattr(self, column, getattr(self, column) + getattr(other, column))


@dataclass
class ChannelShift:
    """The dashboard's figures: by month (all services, or the one chosen), by service, and overall."""

    costs: Costs
    months: list[ChannelCounts]
    services: list[ChannelCounts]
    overall: ChannelCounts
    unit_savings: dict[datetime.date, Decimal] = field(default_factory=dict)
    service_id: int | None = None
    service_title: str = ""

    @property
    def shows_not_recorded(self) -> bool:
        """True when some request of the period has the old `staff` channel (the tables then give it a column)."""
        return any(service.not_recorded for service in self.services)


def pounds(value: Decimal) -> Decimal:
    """A sum of money rounded to the penny (half up)."""
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def month_starts(months: int, today: datetime.date | None = None) -> list[datetime.date]:
    """The first days of the last `months` months, oldest first, this month last."""
    today = today or timezone.localdate()
    year, month = today.year, today.month
    starts = []
    for _ in range(months):
        starts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def counted_rows(since: datetime.date):
    """Requests since the first day of a month, counted by month, service and channel: one query."""
    return (
        ServiceRequest.objects.filter(created_at__gte=local_midnight(since))
        .annotate(month=TruncMonth("created_at", output_field=DateField()))
        .values("month", "service_id", "service__title", "channel")
        .annotate(count=Count("pk"))
        .order_by()
    )


def channel_shift(
    costs: Costs, months: int = DEFAULT_MONTHS, service_id: int | None = None, today: datetime.date | None = None
) -> ChannelShift:
    """The figures of the last `months` months (this one included), for every service or the one chosen."""
    starts = month_starts(months, today)
    rows = list(counted_rows(starts[0]))
    mix: dict[datetime.date, dict[str, int]] = {start: {"phone": 0, "face_to_face": 0} for start in starts}
    for row in rows:
        if row["month"] in mix and row["channel"] in mix[row["month"]]:
            mix[row["month"]][row["channel"]] += row["count"]
    unit_savings = {
        start: costs.assisted_unit_cost(counts["phone"], counts["face_to_face"]) - costs.online
        for start, counts in mix.items()
    }
    by_month = {start: ChannelCounts(label=date_format(start, "F Y"), key=start) for start in starts}
    by_service: dict[int, ChannelCounts] = {}
    service_title = ""
    for row in rows:
        saving = unit_savings.get(row["month"])
        if saving is None:  # not in the period (a clock between two months): leave it out
            continue
        column = column_of(row["channel"])
        service = by_service.setdefault(
            row["service_id"], ChannelCounts(label=row["service__title"], key=row["service_id"])
        )
        service.add(column, row["count"], costs, saving)
        if service_id is None or row["service_id"] == service_id:
            by_month[row["month"]].add(column, row["count"], costs, saving)
        if row["service_id"] == service_id:
            service_title = row["service__title"]
    overall = ChannelCounts(label="")
    for month in by_month.values():
        overall.merge(month)
    services = sorted(by_service.values(), key=lambda counts: (-counts.total, counts.label.casefold()))
    return ChannelShift(
        costs=costs,
        months=list(by_month.values()),
        services=services,
        overall=overall,
        unit_savings=unit_savings,
        service_id=service_id,
        service_title=service_title,
    )


CSV_HEADER = (
    "online",
    "phone",
    "face_to_face",
    "post",
    "staff_channel_not_recorded",
    "entered_by_staff",
    "total",
    "share_online_percent",
    "cost",
    "cost_saved",
)


def csv_row(first: str, counts: ChannelCounts) -> tuple:
    """One CSV row: the month or service, then the counts, the share online and the sums in pounds."""
    return (
        first,
        counts.online,
        counts.phone,
        counts.face_to_face,
        counts.post,
        counts.not_recorded,
        counts.staff,
        counts.total,
        counts.percent,
        pounds(counts.cost),
        pounds(counts.saved),
    )
