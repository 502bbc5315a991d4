"""The project's own app: wires the page cache's invalidation to the models pages show, and the CSP nonce
into Wagtail's chooser widgets."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Project-wide behaviour that belongs to no one content area (the page cache, browser protections)."""

    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from . import csp, page_cache

        page_cache.connect_signals(self)
        csp.nonce_wagtail_choosers()
