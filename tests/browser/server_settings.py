"""Settings of the portal server the browser tests drive (a real gunicorn subprocess).

The test settings, plus what the conftest hands over in environment variables: the server's
own SQLite database file (never the database of the pytest process, and SQLite even on the
PostgreSQL pass), a directory the file-based email backend writes each email to (so a test
can read the emailed resume link), and a media directory for uploads. Static files are
served by whitenoise from the finders, so a freshly compiled stylesheet is always the one
tested. The cache is a folder beside the database, shared by the server and the `manage.py`
processes a test runs against it (as web nodes share Redis), so a page a test changes from
a shell is not served from the page cache of the server's process.
"""

import os
from pathlib import Path

from portal.settings.test import *  # noqa: F403

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["BROWSER_TEST_DATABASE"],
        "OPTIONS": {"timeout": 20},
    }
}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(Path(os.environ["BROWSER_TEST_DATABASE"]).parent / "cache"),
    }
}
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["BROWSER_TEST_EMAIL_DIR"]
MEDIA_ROOT = Path(os.environ["BROWSER_TEST_MEDIA_ROOT"])
WHITENOISE_USE_FINDERS = True
SITE_URL = os.environ.get("BROWSER_TEST_BASE_URL", "http://127.0.0.1")
WAGTAILADMIN_BASE_URL = SITE_URL
# Each test plays several visitors in one browser within seconds of an editor's change; with a
# max-age the browser itself would show the page it fetched a moment before the publish (as a
# real browser may, for PAGE_CACHE_MAX_AGE seconds). 0 makes it revalidate (ETag) every time.
PAGE_CACHE_MAX_AGE = 0
# Staff sign in as in production: password, lock-out, then the second factor (tests/staff_signin.py).
STAFF_SECOND_FACTOR_REQUIRED = True
AXES_ENABLED = True
