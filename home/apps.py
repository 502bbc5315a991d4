from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The public site: home, category and service pages, departments, demo council."""

    name = "home"
    verbose_name = "Service catalogue"
