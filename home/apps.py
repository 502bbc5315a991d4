from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The public site: home, category and service pages, departments, demo council."""

    name = "home"
    verbose_name = _("Service catalogue")
