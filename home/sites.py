"""The Wagtail Site's address: where the portal is really served, so absolute links work."""

from urllib.parse import urlsplit

from wagtail.models import Site

DEFAULT_PORTS = {"http": 80, "https": 443}


def point_default_site_at(site_url: str) -> Site | None:
    """Give the default Site the hostname and port of `site_url` (e.g. http://127.0.0.1:8000).

    Wagtail builds every absolute page URL (sitemap `<loc>`, emails, file links) from the
    Site, so it must match the address the portal answers on. Returns the Site, or None when
    there is no default site or `site_url` has no hostname (then nothing changes).
    """
    parts = urlsplit(site_url)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None or not parts.hostname:
        return None
    try:
        port = parts.port or DEFAULT_PORTS.get(parts.scheme, 80)
    except ValueError:  # a port that is not a number
        return None
    if (site.hostname, site.port) != (parts.hostname, port):
        site.hostname, site.port = parts.hostname, port
        site.save(update_fields=["hostname", "port"])
    return site
