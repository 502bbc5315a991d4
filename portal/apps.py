"""The project's own app: wires the page cache's invalidation and the page map's generation to the models."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Project-wide behaviour that belongs to no one content area (the page cache, the map of pages)."""

    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from . import page_cache, page_routes

        page_cache.connect_signals(self)
        page_routes.connect()
