"""Daily snapshots of service coverage, for the trend; anonymous journey counters for form performance;
the costs per channel of the channel-shift figures."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from .coverage import proportion


class CoverageSnapshot(models.Model):
    """The coverage figures of one day (taken by `manage.py snapshot_coverage`; a later run that day updates it)."""

    date = models.DateField(_("date"), unique=True)
    total = models.PositiveIntegerField(_("services"))
    transactional = models.PositiveIntegerField(_("transactional services"))
    online = models.PositiveIntegerField(_("services online"))
    by_category = models.JSONField(_("by category"), default=list)
    by_department = models.JSONField(_("by department"), default=list)
    taken_at = models.DateTimeField(_("taken at"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("coverage snapshot")
        permissions = [("view_coverage", _("Can view the service coverage dashboard"))]

    def __str__(self) -> str:
        return f"{self.date}: {self.online} of {self.transactional} online"

    @property
    def percent(self) -> int:
        return proportion(self.online, self.transactional)


class JourneyEvent(models.TextChoices):
    """What a counter counts (see insights.journey_figures)."""

    STARTED = "started", _("started")
    REACHED = "reached", _("reached the step")
    LEFT = "left", _("went on from the step")
    COMPLETED = "completed", _("completed")


class JourneyCount(models.Model):
    """How many journeys of one form version that started on one day did one thing: a counter, never a person.

    `step` is a step id or `check-answers` for `reached` and `left`, blank for `started` and
    `completed`. Journeys that stopped at a step = reached − left.
    """

    page = models.ForeignKey(
        "forms_catalogue.EFormPage", on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    version = models.ForeignKey(
        "forms_catalogue.FormVersion", on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    day = models.DateField(_("day the journeys started"), db_index=True)
    event = models.CharField(_("event"), max_length=10, choices=JourneyEvent.choices)
    step = models.CharField(_("step"), max_length=60, blank=True)
    count = models.BigIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("journey count")
        constraints = [
            models.UniqueConstraint(fields=["page", "version", "day", "event", "step"], name="journey_count_key")
        ]
        permissions = [("view_form_performance", _("Can view form performance and feedback"))]

    def __str__(self) -> str:
        return f"{self.day} {self.event} {self.step}: {self.count}"


class CompletionTime(models.Model):
    """How many journeys of one form version that started on one day were completed within one band of time.

    `bucket` is the band's lower bound in seconds (insights.journey_figures.BUCKETS): the
    histogram the median time to complete is read from.
    """

    page = models.ForeignKey(
        "forms_catalogue.EFormPage", on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    version = models.ForeignKey(
        "forms_catalogue.FormVersion", on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    day = models.DateField(_("day the journeys started"), db_index=True)
    bucket = models.PositiveIntegerField(_("completed in at least (seconds)"))
    count = models.BigIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("completion time")
        constraints = [models.UniqueConstraint(fields=["page", "version", "day", "bucket"], name="completion_time_key")]

    def __str__(self) -> str:
        return f"{self.day} ≥{self.bucket}s: {self.count}"


class FlushedBatch(models.Model):
    """A batch of counters moved from Redis to the database, remembered so a retried flush never adds it twice."""

    name = models.CharField(max_length=200, unique=True)
    flushed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("flushed batch of journey figures")
        verbose_name_plural = _("flushed batches of journey figures")

    def __str__(self) -> str:
        return self.name


def cost_field(label: str, default: str, help_text: str) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=7,
        decimal_places=2,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=help_text,
    )


@register_setting(icon="tasks")
class ChannelCosts(BaseGenericSetting):
    """What one request costs the council by each channel, in pounds: the channel-shift dashboard's cost saved.

    Defaults: Socitm's channel-value benchmark (face to face £8.62, phone £2.83, online £0.15);
    Socitm gives no figure for letters, so post is PwC's £12.10 (19 London and South East councils).
    """

    face_to_face = cost_field(_("face to face"), "8.62", _("A visit to a council office (Socitm: £8.62)."))
    phone = cost_field(_("phone"), "2.83", _("A phone call to the contact centre (Socitm: £2.83)."))
    post = cost_field(
        _("post"), "12.10", _("A letter opened, read and keyed in (PwC: £12.10; Socitm gives no figure).")
    )
    online = cost_field(
        _("online"), "0.15", _("A request residents make themselves: web form, API or Open311 (Socitm: £0.15).")
    )

    class Meta:
        verbose_name = _("channel costs")
        permissions = [("view_channel_shift", _("Can view the channel-shift dashboard"))]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
