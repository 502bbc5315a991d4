from django.apps import AppConfig


class FormsCatalogueConfig(AppConfig):
    """E-form definitions, the citizen wizard and form patterns."""

    name = "forms_catalogue"
    verbose_name = "E-forms"

    def ready(self):
        from . import routing, signals

        signals.connect()
        routing.connect()
