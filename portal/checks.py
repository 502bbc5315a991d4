"""System checks of the portal's own settings: rate limits that every worker process shares."""

import os

from django.conf import settings
from django.core.checks import Error, register

PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


def web_workers() -> int:
    """How many gunicorn worker processes gunicorn.conf.py starts (WEB_CONCURRENCY or 2 × cores + 1)."""
    value = os.environ.get("WEB_CONCURRENCY", "").strip()
    if value:
        return int(value)
    return max(2, 2 * (os.cpu_count() or 1) + 1)


@register()
def rate_limits_are_shared(app_configs=None, **kwargs):
    """Production with several workers and a per-process rate-limit cache would give each worker its own count."""
    if not getattr(settings, "RATE_LIMIT_NEEDS_SHARED_CACHE", False):
        return []
    backend = settings.CACHES.get(settings.RATE_LIMIT_CACHE, {}).get("BACKEND", "")
    if backend in PER_PROCESS_CACHES and web_workers() > 1:
        return [
            Error(
                f"The rate-limit cache ({settings.RATE_LIMIT_CACHE}: {backend}) is per process, and "
                f"{web_workers()} worker processes would each count their own hits.",
                hint="Set REDIS_URL, or leave RATE_LIMIT_CACHE to the database cache production uses without it.",
                id="portal.E001",
            )
        ]
    return []
