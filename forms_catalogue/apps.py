from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormsCatalogueConfig(AppConfig):
    """E-form definitions, the citizen wizard and form patterns."""

    name = "forms_catalogue"
    verbose_name = _("E-forms")

    def ready(self):
        from django.core import checks

        from . import routing, scanning, signals

        checks.register(scanning.scanner_configured, checks.Tags.security)

        signals.connect()
        routing.connect()
