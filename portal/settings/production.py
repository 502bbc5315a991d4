"""Production settings: everything comes from environment variables.

Refuses to start without SECRET_KEY and ALLOWED_HOSTS.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from . import scale
from .base import *  # noqa: F403
from .base import env_bool, env_list


def required_env(name: str) -> str:
    """Return an environment variable, or stop start-up with a clear message."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set in production.")
    return value


DEBUG = False
SECRET_KEY = required_env("SECRET_KEY")
if VIRUS_SCANNER == "none" and VIRUS_SCAN != "off":  # noqa: F405
    raise ImproperlyConfigured(
        "Uploads must be scanned for viruses in production: set CLAMD_SOCKET (or CLAMD_HOST and CLAMD_PORT), "
        "or VIRUS_SCAN=off to run without a scanner on purpose."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("The environment variable ALLOWED_HOSTS must be set in production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Keys of the encryption at rest: never derived from SECRET_KEY here (SECURITY.md, "Keys and rotation").
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS") or [required_env("FIELD_ENCRYPTION_KEYS")]
FIELD_INDEX_KEY = required_env("FIELD_INDEX_KEY")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

# Several machines: persistent PostgreSQL connections with health checks (DB_CONN_MAX_AGE,
# base settings) and a connect timeout; Redis for the cache and sessions when REDIS_URL is
# set; uploads and journeys' temporary uploads on object storage when a bucket is named.
DATABASES = {**DATABASES, "default": scale.database_options(os.environ, DATABASES["default"])}  # noqa: F405
if REDIS_URL:  # noqa: F405
    for alias in ("default", "sessions"):
        CACHES[alias]["OPTIONS"] = scale.redis_cache_options(os.environ)  # noqa: F405
# Rate limits must count every worker's and node's hits together: without Redis, in the database.
if not REDIS_URL:  # noqa: F405
    CACHES["ratelimit"] = {  # noqa: F405
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "portal_rate_limits",
    }
    RATE_LIMIT_CACHE = "ratelimit"
RATE_LIMIT_NEEDS_SHARED_CACHE = True  # portal.checks
STORAGES = scale.object_storages(os.environ, STORAGES)  # noqa: F405
