from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    """Service requests: intake, queues, delivery to departments, staff case handling, tracking."""

    name = "backoffice"
    verbose_name = _("Back office")
