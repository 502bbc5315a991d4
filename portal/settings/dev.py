"""Local settings for `make run`: a fixed local secret, the site as a citizen meets it.

DEBUG is off unless the DEBUG environment variable turns it on, so a newcomer sees the
council's own 404 and 500 pages. The host of SITE_URL is allowed and trusted for forms.
"""

from urllib.parse import urlsplit

from .base import *  # noqa: F403
from .base import WAGTAILADMIN_BASE_URL, env_bool, env_list

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105

_site = urlsplit(WAGTAILADMIN_BASE_URL)
ALLOWED_HOSTS = [
    "127.0.0.1",
    "localhost",
    "[::1]",
    "testserver",
    _site.hostname or "127.0.0.1",
    *env_list("ALLOWED_HOSTS"),
]
CSRF_TRUSTED_ORIGINS = [
    "http://127.0.0.1:8000",
    "http://localhost:8000",
    f"{_site.scheme}://{_site.netloc}",
    *env_list("CSRF_TRUSTED_ORIGINS"),
]
# Serve from the manifest built by collectstatic, as production does.
WHITENOISE_AUTOREFRESH = False
