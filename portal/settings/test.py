"""Test settings: fast hashing, in-memory email, plain static storage."""

from .base import *  # noqa: F403
from .base import STORAGES

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# API tests make many requests from one address; the tests of the limit itself set a small one.
API_RATE_LIMIT = (1_000_000, 60)
# The same for citizens' submissions and saved journeys (tests/forms_catalogue/test_abuse_limits.py
# sets small limits and proves they hold).
SUBMIT_RATE_LIMIT = SAVE_RATE_LIMIT = SAVE_EMAIL_RATE_LIMIT = (1_000_000, 60)
# Uploads are not virus-scanned in the rest of the suite; the scanning tests turn clamd (or a
# scanner that cannot be reached) on with override_settings and prove it works.
VIRUS_SCAN = "off"
VIRUS_SCANNER = "none"
# Staff sign-in: most tests sign staff in with `force_login`, which passes no second factor and no
# request for the lock-out to count. Both protections are on in the browser tier's server and turned
# on by the tests of each (tests/security/test_staff_auth.py).
STAFF_SECOND_FACTOR_REQUIRED = False
AXES_ENABLED = False
# WhiteNoise otherwise reads every file of STATIC_ROOT each time a middleware chain is built, which
# the test client does once per test (half a second, half of a typical test's time). Looking each
# file up when it is asked for serves the same files with the same headers
# (tests/portal/test_static_files.py).
WHITENOISE_AUTOREFRESH = True
# The shared demo-council test database is English only: most tests look demo pages up by slug, which
# the Welsh copies share. The Welsh content's own tests load it into their database
# (tests/home/test_welsh_content.py) and prove the command loads it when DEMO_WELSH is on.
DEMO_WELSH = False
