"""Daily snapshots of service coverage, for the trend over time."""

from django.db import models
from django.utils.translation import gettext_lazy as _

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
