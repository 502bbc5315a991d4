from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    """Service requests: intake, queues, delivery to departments, staff case handling, tracking."""

    name = "backoffice"
    verbose_name = "Back office"
