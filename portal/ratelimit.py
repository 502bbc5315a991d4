"""Fixed-window rate limits counted in a cache every web process shares, and the caller's address behind proxies.

The counts live in the cache named by `settings.RATE_LIMIT_CACHE`: Redis when REDIS_URL is
set, else (production) the database cache, so every worker and every web node counts the same
hits; `portal.checks` refuses a per-process cache in production when more than one worker runs.
"""

from django.conf import settings
from django.core.cache import caches
from django.shortcuts import render


def client_address(request) -> str:
    """The caller's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the nearest one saw.

    Each proxy appends the address it received the request from to X-Forwarded-For, so only the
    right-most TRUSTED_PROXY_COUNT entries were written by the council's own proxies; anything to
    their left came from the client and may be forged. With a count of 2 and
    `X-Forwarded-For: forged, client, proxy1`, the address is `client`.
    """
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    header = getattr(settings, "TRUSTED_PROXY_HEADER", "") or "HTTP_X_FORWARDED_FOR"
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get(header, "").split(",") if hop.strip()]
    # Too few entries: the request did not come through every proxy; count it against the nearest one.
    return hops[-proxies] if len(hops) >= proxies else remote


def over_limit(scope: str, identity: str, limit: int, window: int) -> bool:
    """Count one hit of `identity` in `scope`; True once it has made more than `limit` in `window` seconds."""
    cache = caches[settings.RATE_LIMIT_CACHE]
    key = f"rate:{scope}:{identity}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit


def over_address_limit(request, scope: str, limit_and_window: tuple[int, int]) -> bool:
    """Count one hit of the caller's address in `scope` against a (requests, seconds) setting."""
    limit, window = limit_and_window
    return over_limit(scope, client_address(request), limit, window)


def too_many_requests(request, window: int, back_url: str = ""):
    """The GOV.UK-style "too many attempts" page: 429, with Retry-After the whole window."""
    minutes = max(1, -(-window // 60))
    response = render(request, "429.html", {"minutes": minutes, "back_url": back_url}, status=429)
    response["Retry-After"] = str(window)
    return response
