"""Settings shared by every environment; environment-specific modules extend these."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from portal.inline_scripts import INLINE_SCRIPT_HASHES

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a true/false environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable as a list of non-empty items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "Ashworth Borough Council")
# The council's name in Welsh, on Welsh pages and in Welsh emails (empty: the English name, marked lang="en").
COUNCIL_NAME_WELSH = os.environ.get("COUNCIL_NAME_WELSH", "Cyngor Bwrdeistref Ashworth")
# The demo loader (`load_demo_council`) also publishes the Welsh versions of the demo council's pages and forms.
DEMO_WELSH = True
SERVICE_PHASE = os.environ.get("SERVICE_PHASE", "beta")
FEEDBACK_EMAIL = os.environ.get("FEEDBACK_EMAIL", "web@ashworth.example.gov.uk")
# A folder of the council's own form patterns (exchange files, see README "Form files"); none by default.
FORM_PATTERNS_DIR = os.environ.get("FORM_PATTERNS_DIR", "") or None

INSTALLED_APPS = [
    "portal",
    "home",
    "forms_catalogue",
    "backoffice",
    "insights",
    "api",
    "staff_accounts",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "ninja",  # the API docs' Swagger UI from this site's static files, not a CDN (the CSP allows only 'self')
    "wagtail.api.v2",
    "wagtail.contrib.forms",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",  # "Translate" on a page: the Welsh version an editor then writes
    "wagtail.locales",  # Settings → Locales
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.upload_limits.RequestBodyLimitMiddleware",  # before anything reads a body
    "portal.page_cache.PageCacheMiddleware",  # before sessions and CSRF: a hit skips them, a miss sees their cookies
    "api.body_limit.ApiBodyLimitMiddleware",  # before the rate limit reads Open311 bodies
    "portal.csp.ContentSecurityPolicyMiddleware",  # after the page cache, which stores the headers it sets
    "api.middleware.ApiRateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.language.UrlLanguageMiddleware",  # /cy/… is Welsh, anything else English
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "staff_accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lock-out into its page
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "home.context_processors.council",
            ],
        },
    },
]

# SQLite on a laptop; PostgreSQL (or any dj-database-url URL) through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer at a time: take the write lock up front and wait for it, so the web server
    # and the delivery worker can share the file without "database is locked" errors.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Local memory by default; Redis through REDIS_URL.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions (citizens' unfinished journeys, staff logins): in Redis when it is configured, under
# a cache alias of their own (SESSION_REDIS_URL: another Redis database or server, so flushing or
# evicting the cache never ends a journey); else in the database, which every worker shares
# (cache or cached_db on the per-process local memory cache would give workers different copies).
# "Save and come back later" keeps its journeys in the database (SavedJourney) either way.
# The portal's engines (portal/sessions/) encrypt the session data with FIELD_ENCRYPTION_KEYS;
# Django's own engines, which SESSION_ENGINE may still name, store it signed but in clear.
if REDIS_URL:
    CACHES["sessions"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("SESSION_REDIS_URL", REDIS_URL),
        "KEY_PREFIX": "portal-session",
    }
    SESSION_CACHE_ALIAS = "sessions"
SESSION_ENGINE = os.environ.get(
    "SESSION_ENGINE",
    "portal.sessions.cache" if REDIS_URL else "portal.sessions.db",
)
# Django's `cache` and `cached_db` engines and the portal's `cache` engine keep sessions in the cache.
if not REDIS_URL and SESSION_ENGINE.endswith((".cache", ".cached_db")):
    raise ImproperlyConfigured(f"SESSION_ENGINE={SESSION_ENGINE} needs REDIS_URL (a cache all workers share).")

# Full-page cache of anonymous catalogue pages (portal/page_cache.py). Entries are retired on
# every publish through a generation number in the cache; a local-memory cache is one per
# process, so another worker process only sees a change when its own copy expires: keep that short.
PAGE_CACHE_TIMEOUT = int(os.environ.get("PAGE_CACHE_TIMEOUT", "300" if REDIS_URL else "10"))  # 0: off
# Seconds each process uses its map of pages (portal.page_routes): long when Redis shares its changes.
ROUTE_MAP_TIMEOUT = int(os.environ.get("ROUTE_MAP_TIMEOUT", "86400" if REDIS_URL else "10"))
PAGE_CACHE_MAX_AGE = int(os.environ.get("PAGE_CACHE_MAX_AGE", "60"))  # Cache-Control max-age for browsers and CDNs

# Staff sign-in (SECURITY.md "Staff accounts and sign-in"). Passwords: 12 characters or more, not one of
# Django's 20,000 common passwords, and not guessable by zxcvbn (offline lists, no network call).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "staff_accounts.passwords.GuessablePasswordValidator"},
]
# Lock-out (django-axes): STAFF_LOGIN_FAILURE_LIMIT failed sign-ins (password or second-factor code) with
# one username, or from one address, lock that username or address out for STAFF_LOGIN_LOCKOUT_MINUTES.
# Counted in Redis when REDIS_URL is set (every web node shares it), else in the database, never in a
# per-process memory cache.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("STAFF_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("STAFF_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: one account, or one address
AXES_RESET_ON_SUCCESS = False  # a right password must not wipe the count of wrong codes that follow it
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler" if REDIS_URL else "axes.handlers.database.AxesDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "portal.ratelimit.client_address"
AXES_LOCKOUT_CALLABLE = "staff_accounts.lockout.locked_out_response"
AXES_VERBOSE = False  # no start-up banner in the logs (or in `manage.py` output)
# Second factor (django-otp): every signed-in account passes an authenticator-app code or a recovery code.
STAFF_SECOND_FACTOR_REQUIRED = True
OTP_TOTP_ISSUER = COUNCIL_NAME
# The admin fetches nothing from other sites: no Gravatar (staff emails' hashes), no release check.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

# Browser protections (SECURITY.md "Browser protections", portal/csp.py): no inline script but the GOV.UK
# Frontend snippet (by hash) and those with the response's nonce; no framing; CSP_IMG_SRC adds image origins
# (an object store's or CDN's, e.g. https://files.example.gov.uk).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, *INLINE_SCRIPT_HASHES, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *env_list("CSP_IMG_SRC")],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "report-uri": "/csp-report/",
    }
}
CSP_ADMIN_PATH = "/admin/"
CSP_ADMIN_REPLACE = {  # Wagtail's admin: inline styles, image previews, its own page previews in a frame
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:", *env_list("CSP_IMG_SRC")],
    "frame-ancestors": [SELF],
}
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), fullscreen=(self), "
    "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), "
    "publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()"
)

# English and Welsh (Welsh Language Standards). English pages keep their unprefixed URLs; Welsh ones
# are under /cy/ (i18n_patterns in portal/urls.py), so a link or bookmark keeps its language.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# GOV.UK Frontend is installed by npm; only its dist folder is served.
GOVUK_FRONTEND_DIST = BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"
if GOVUK_FRONTEND_DIST.exists():
    STATICFILES_DIRS.append(("govuk", GOVUK_FRONTEND_DIST))

MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Residents' files are encrypted at rest (portal.file_encryption): files sent with requests in
# "request_files" (under MEDIA_ROOT/requests/), unfinished journeys' temporary uploads in
# "journey_uploads", infected uploads in "quarantine". Editors' images and documents, which are
# public, stay in clear in "default". Production puts them all on S3-compatible object storage
# when AWS_STORAGE_BUCKET_NAME is set (portal.settings.scale).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "request_files": {"BACKEND": "portal.file_encryption.EncryptedFileSystemStorage"},
    "journey_uploads": {"BACKEND": "forms_catalogue.wizard.JourneyUploadStorage"},
    "quarantine": {"BACKEND": "forms_catalogue.scanning.QuarantineStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Uploads (SECURITY.md "Uploads and virus scanning"). Bodies are capped before they are read
# (portal.upload_limits): a journey's at its file questions' limits plus UPLOAD_FORM_FIELDS_BYTES,
# any other at UPLOAD_MAX_BODY_BYTES (the largest file a question may allow, 50 MB, plus answers).
UPLOAD_MAX_BODY_BYTES = int(os.environ.get("UPLOAD_MAX_BODY_MB", "52")) * 1024 * 1024
UPLOAD_FORM_FIELDS_BYTES = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # non-file fields of one body (Django's default, stated)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger files go to a temporary file, not memory
FILE_UPLOAD_HANDLERS = [
    "portal.upload_limits.BodyLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
UPLOAD_MAX_IMAGE_PIXELS = int(os.environ.get("UPLOAD_MAX_IMAGE_PIXELS", "50000000"))  # decompression bombs
# Virus scanning (forms_catalogue.scanning): clamd when CLAMD_SOCKET or CLAMD_HOST is set, else
# none, with a warning from `manage.py check`; VIRUS_SCAN=off turns it off on purpose (production
# refuses to start without a scanner unless it is said so).
CLAMD_SOCKET = os.environ.get("CLAMD_SOCKET", "").strip()
CLAMD_HOST = os.environ.get("CLAMD_HOST", "").strip()
CLAMD_PORT = int(os.environ.get("CLAMD_PORT", "3310"))
CLAMD_TIMEOUT = float(os.environ.get("CLAMD_TIMEOUT", "30"))
VIRUS_SCAN = os.environ.get("VIRUS_SCAN", "").strip().lower()
VIRUS_SCANNER = "clamd" if (CLAMD_SOCKET or CLAMD_HOST) and VIRUS_SCAN != "off" else "none"

WAGTAIL_SITE_NAME = COUNCIL_NAME
WAGTAILADMIN_BASE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "rtf", "txt", "xlsx"]
# Pages and forms are translated with Wagtail's simple translation (README: "Welsh and English").
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# Content API (/api/v2/): display HTML in rich text, up to 100 pages a request.
WAGTAILAPI_RICH_TEXT_FORMAT = "html"
WAGTAILAPI_LIMIT_MAX = 100

# Back office: delivery retries (see backoffice.relay.RetryPolicy), tracking look-ups, file links.
DELIVERY_RETRY = {
    "max_attempts": int(os.environ.get("DELIVERY_MAX_ATTEMPTS", "15")),
    "base_seconds": float(os.environ.get("DELIVERY_BACKOFF_SECONDS", "30")),
    "cap_seconds": float(os.environ.get("DELIVERY_BACKOFF_CAP_SECONDS", "7200")),
    "lease_seconds": float(os.environ.get("DELIVERY_LEASE_SECONDS", "120")),
}
TRACK_RATE_LIMIT = (int(os.environ.get("TRACK_RATE_LIMIT", "10")), 15 * 60)  # look-ups per address per window
# Per API key (or per address without one) per minute, on /api/ and /open311/.
API_RATE_LIMIT = (int(os.environ.get("API_RATE_LIMIT", "120")), 60)
# The largest body the portal API reads (a submission with its files, as JSON with base64 or multipart).
API_MAX_BODY_BYTES = int(os.environ.get("API_MAX_BODY_MB", "15")) * 1024 * 1024
# Open311 jurisdiction_id; when set, clients must send it (GeoReport v2).
OPEN311_JURISDICTION_ID = os.environ.get("OPEN311_JURISDICTION_ID", "")
# Behind proxies: how many append to X-Forwarded-For (the address is read that far from the right).
TRUSTED_PROXY_HEADER = os.environ.get("TRUSTED_PROXY_HEADER", "")  # default HTTP_X_FORWARDED_FOR
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1" if TRUSTED_PROXY_HEADER else "0"))
# Citizens' form submissions (the final POST), and "save and come back later" emails per address
# and per email address, per window (portal/ratelimit.py); the cache all processes share counts them.
SUBMIT_RATE_LIMIT = (int(os.environ.get("SUBMIT_RATE_LIMIT", "30")), 10 * 60)
SAVE_RATE_LIMIT = (int(os.environ.get("SAVE_RATE_LIMIT", "10")), 60 * 60)
SAVE_EMAIL_RATE_LIMIT = (int(os.environ.get("SAVE_EMAIL_RATE_LIMIT", "5")), 60 * 60)
RATE_LIMIT_CACHE = "default"  # production without REDIS_URL: the database cache
# Service levels (backoffice.service_levels): a request received after the working day ends, or on a
# weekend or bank holiday, counts from the next working day. COUNCIL_CLOSED_DAYS adds the council's own
# closures to the bank holidays of England and Wales (ISO dates, e.g. "2026-12-24,2026-12-31").
WORKING_DAY_ENDS = os.environ.get("WORKING_DAY_ENDS", "17:00")
COUNCIL_CLOSED_DAYS = env_list("COUNCIL_CLOSED_DAYS")

# Encryption at rest (portal/encryption.py): Fernet keys, comma separated, the first encrypts and
# all decrypt; the key of the blind index used to find requests by contact email. Unset (dev and
# tests only), both are derived from SECRET_KEY; production settings require them.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
FIELD_INDEX_KEY = os.environ.get("FIELD_INDEX_KEY", "").strip()
# Signed file links (backoffice/file_links.py): a member of staff's link works in their own session
# for minutes; a receiving system's link, made when the message is sent, for its destination only.
FILE_LINK_STAFF_MAX_AGE = int(os.environ.get("FILE_LINK_STAFF_MINUTES", "10")) * 60
FILE_LINK_DESTINATION_MAX_AGE = int(os.environ.get("FILE_LINK_DESTINATION_MINUTES", "60")) * 60

# Retention (backoffice/retention.py, run daily by the delivery worker): a closed request's personal
# data is deleted its form's retention_days after it closed; this many days for a request with no form.
RETENTION_DEFAULT_DAYS = int(os.environ.get("RETENTION_DEFAULT_DAYS", "730"))
RETENTION_PURGE_INTERVAL_HOURS = float(os.environ.get("RETENTION_PURGE_INTERVAL_HOURS", "24"))
RETENTION_BATCH_SIZE = int(os.environ.get("RETENTION_BATCH_SIZE", "500"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@ashworth.example.gov.uk")

# Structured logging: one JSON object a line on stdout.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "portal.logging.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},  # one line per search-index task otherwise
        "django.server": {"level": LOG_LEVEL},
    },
}
