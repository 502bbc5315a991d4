"""The project's own app: wires the page cache's invalidation to the models pages show."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Project-wide behaviour that belongs to no one content area (the page cache)."""

    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from . import page_cache

        page_cache.connect_signals(self)
