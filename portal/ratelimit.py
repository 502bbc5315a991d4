"""Fixed-window rate limits counted in Django's cache (shared between processes when it is Redis)."""

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    """The caller's address as the web server saw it (set TRUSTED_PROXY_HEADER behind a proxy)."""
    header = getattr(settings, "TRUSTED_PROXY_HEADER", "")
    forwarded = request.META.get(header, "") if header else ""
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "unknown")


def over_limit(scope: str, identity: str, limit: int, window: int) -> bool:
    """Count one hit of `identity` in `scope`; True once it has made more than `limit` in `window` seconds."""
    key = f"rate:{scope}:{identity}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit
