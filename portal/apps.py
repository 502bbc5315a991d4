"""The project's own app: wires the page cache's invalidation and the page map's generation to the models, and the
CSP nonce into Wagtail's chooser widgets."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """Project-wide behaviour that belongs to no one content area (the page cache, the map of pages, checks,
    cache tables, browser protections)."""

    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import checks, csp, page_cache, page_routes  # noqa: F401 (checks register themselves)

        page_cache.connect_signals(self)
        page_routes.connect()
        csp.nonce_wagtail_choosers()
        # This app has no models, so no post_migrate of its own: any app's will do (the command is idempotent).
        post_migrate.connect(create_cache_tables, dispatch_uid="portal.create_cache_tables")


def create_cache_tables(using="default", **kwargs):
    """`migrate` creates the database cache's table when one is configured (production without Redis)."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)
