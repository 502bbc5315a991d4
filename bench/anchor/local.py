"""Production-like settings of the benchmark's anchor site (imported by the generated settings/production.py)."""

import os

from .base import INSTALLED_APPS

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1").split(",")
INSTALLED_APPS = [*INSTALLED_APPS, "benchforms"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["ANCHOR_DATABASE"]}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
