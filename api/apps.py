from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The headless portal: content API, portal API (/api/v1/), back-office pull and the Open311 server."""

    name = "api"
    verbose_name = _("API")
