"""Housekeeping jobs the delivery workers share: when each last ran, so several workers run it once."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MaintenanceRun(models.Model):
    """One scheduled job (e.g. the daily retention purge): when it last started and finished, and what it did.

    A worker runs the job only after winning a conditional UPDATE of `started_at`
    (`backoffice.maintenance.claim`), so with any number of workers it runs once per interval.
    """

    name = models.CharField(_("job"), max_length=50, unique=True)
    started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    result = models.JSONField(_("last result"), default=dict, blank=True)

    class Meta:
        verbose_name = _("maintenance run")

    def __str__(self) -> str:
        return self.name
