from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The headless portal: content API, portal API (/api/v1/), back-office pull and the Open311 server."""

    name = "api"
    verbose_name = "API"
