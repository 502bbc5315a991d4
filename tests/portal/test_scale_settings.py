"""Production configuration for several machines: object storage, Redis sessions, database options, gunicorn."""

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.test import override_settings

from forms_catalogue.wizard import JourneyUploadStorage, journey_file_storage
from portal.settings import scale

ROOT = Path(__file__).resolve().parents[2]
BUCKET_ENV = {
    "AWS_STORAGE_BUCKET_NAME": "council-uploads",
    "AWS_S3_ENDPOINT_URL": "https://objects.example.net",
    "AWS_S3_REGION_NAME": "uk-london-1",
    "AWS_LOCATION": "portal",
    "AWS_ACCESS_KEY_ID": "example-key-id",
    "AWS_SECRET_ACCESS_KEY": "example-secret",
}
# Prints the class, bucket and location of the upload storages as the settings build them.
DESCRIBE_STORAGES = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
described = {}
for alias in ("default", "request_files", "journey_uploads", "quarantine"):
    storage = storages[alias]
    described[alias] = {
        "class": type(storage).__module__ + "." + type(storage).__name__,
        "bucket": getattr(storage, "bucket_name", None),
        "location": getattr(storage, "location", None),
        "endpoint": getattr(storage, "endpoint_url", None),
    }
described["session_engine"] = settings.SESSION_ENGINE
described["cache_options"] = settings.CACHES["default"].get("OPTIONS", {})
print(json.dumps(described))
"""


def run_production(env: dict[str, str]) -> subprocess.CompletedProcess:
    """DESCRIBE_STORAGES run under the production settings with `env` (and nothing else set)."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "REDIS_", "SESSION_"))}
    base = {
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "production-secret-" + "q" * 50,
        "FIELD_ENCRYPTION_KEYS": "Dd6JNbdjNrUkgSTkqQyfRJ0JTa6yaRmA7g9gW8WEAJk=",
        "FIELD_INDEX_KEY": "production-index-" + "k" * 40,
        "ALLOWED_HOSTS": "portal.example.gov.uk",
        "REDIS_URL": "",
        "VIRUS_SCAN": "off",
    }
    return subprocess.run(
        [sys.executable, "-c", DESCRIBE_STORAGES],
        cwd=ROOT,
        env={**clean, **base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_settings(env: dict[str, str]) -> dict:
    """What DESCRIBE_STORAGES prints under the production settings with `env`."""
    result = run_production(env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_puts_uploads_and_journey_uploads_on_the_bucket_when_one_is_named():
    described = production_settings(BUCKET_ENV)
    assert described["default"] == {
        "class": "storages.backends.s3.S3Storage",
        "bucket": "council-uploads",
        "location": "portal",
        "endpoint": "https://objects.example.net",
    }
    # Residents' files on the same bucket, encrypted by the portal; images and documents (default) are not.
    encrypted = "portal.encrypted_s3.EncryptedS3Storage"
    assert described["request_files"] == {**described["default"], "class": encrypted}
    assert described["journey_uploads"]["class"] == encrypted
    assert described["journey_uploads"]["bucket"] == "council-uploads"
    assert described["journey_uploads"]["location"] == "portal/journey-uploads"
    assert described["quarantine"] == {**described["journey_uploads"], "location": "portal/quarantine"}


def test_production_keeps_uploads_on_the_file_system_without_a_bucket():
    described = production_settings({})
    assert described["default"]["class"] == "django.core.files.storage.filesystem.FileSystemStorage"
    assert described["request_files"]["class"] == "portal.file_encryption.EncryptedFileSystemStorage"
    assert described["journey_uploads"]["class"] == "forms_catalogue.wizard.JourneyUploadStorage"
    assert described["quarantine"]["class"] == "forms_catalogue.scanning.QuarantineStorage"
    assert described["session_engine"] == "portal.sessions.db"  # encrypted at rest
    assert described["cache_options"] == {}


def test_production_uses_redis_for_sessions_with_short_timeouts_when_redis_is_set():
    described = production_settings({"REDIS_URL": "redis://127.0.0.1:6379/3"})
    assert described["session_engine"] == "portal.sessions.cache"  # encrypted at rest
    assert described["cache_options"]["socket_timeout"] == 2.0
    assert described["cache_options"]["socket_connect_timeout"] == 2.0
    chosen = production_settings(
        {"REDIS_URL": "redis://127.0.0.1:6379/3", "SESSION_ENGINE": "django.contrib.sessions.backends.cached_db"}
    )
    assert chosen["session_engine"] == "django.contrib.sessions.backends.cached_db"


@pytest.mark.parametrize("engine", ["portal.sessions.cache", "django.contrib.sessions.backends.cached_db"])
def test_production_refuses_sessions_in_a_per_process_cache_without_redis(engine):
    refused = run_production({"SESSION_ENGINE": engine})
    assert refused.returncode != 0
    assert f"SESSION_ENGINE={engine} needs REDIS_URL" in refused.stderr


def test_object_storages_without_a_location_puts_journey_uploads_in_their_own_prefix():
    storages = scale.object_storages({"AWS_STORAGE_BUCKET_NAME": "uploads"}, {"staticfiles": {"BACKEND": "x"}})
    assert storages["staticfiles"] == {"BACKEND": "x"}
    assert storages["default"]["OPTIONS"]["location"] == storages["request_files"]["OPTIONS"]["location"] == ""
    assert storages["journey_uploads"]["OPTIONS"]["location"] == "journey-uploads"
    assert storages["quarantine"]["OPTIONS"]["location"] == "quarantine"
    assert storages["default"]["OPTIONS"]["default_acl"] is None
    assert storages["default"]["OPTIONS"]["querystring_auth"] is True
    assert scale.object_storages({"AWS_STORAGE_BUCKET_NAME": "  "}, {"default": {}}) == {"default": {}}


def test_database_options_add_a_connect_timeout_for_postgresql_only():
    postgres = {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {"sslmode": "require"}}
    assert scale.database_options({"DB_CONNECT_TIMEOUT": "3"}, postgres)["OPTIONS"] == {
        "connect_timeout": 3,
        "sslmode": "require",
    }
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "OPTIONS": {"timeout": 20}}
    assert scale.database_options({}, sqlite) == sqlite


@pytest.mark.django_db
def test_journey_uploads_go_to_the_storage_named_in_settings(tmp_path):
    file_system = "django.core.files.storage.FileSystemStorage"
    storages = {
        "default": {"BACKEND": file_system},
        "journey_uploads": {"BACKEND": file_system, "OPTIONS": {"location": tmp_path}},
    }
    with override_settings(STORAGES=storages):
        name = journey_file_storage.save("evidence.txt", ContentFile(b"kept across web nodes"))
        assert (tmp_path / name).read_bytes() == b"kept across web nodes"
        journey_file_storage.delete(name)
        assert not (tmp_path / name).exists()


def test_journey_uploads_default_to_a_folder_under_media_root(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        assert journey_file_storage.path("a.png") == str(tmp_path / "journey-uploads" / "a.png")
    assert issubclass(JourneyUploadStorage, FileSystemStorage)


def gunicorn_config(env: dict[str, str], monkeypatch) -> dict:
    """The settings gunicorn.conf.py defines under `env`."""
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_PRELOAD", "PORT", "GUNICORN_MAX_REQUESTS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_config_sizes_workers_from_the_cpu_count_unless_told(monkeypatch):
    config = gunicorn_config({}, monkeypatch)
    assert config["workers"] == max(2, 2 * (os.cpu_count() or 1) + 1)
    assert config["default_workers"](4) == 9
    assert config["worker_class"] == "sync"
    assert config["preload_app"] is True
    assert config["bind"] == "0.0.0.0:8000"
    assert 0 < config["max_requests_jitter"] < config["max_requests"]
    told = gunicorn_config(
        {"WEB_CONCURRENCY": "3", "GUNICORN_THREADS": "4", "GUNICORN_PRELOAD": "0", "PORT": "5000"}, monkeypatch
    )
    assert (told["workers"], told["threads"], told["worker_class"]) == (3, 4, "gthread")
    assert told["preload_app"] is False
    assert told["bind"] == "0.0.0.0:5000"


def test_procfile_web_process_reads_the_gunicorn_config():
    procfile = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line)
    assert "--config gunicorn.conf.py" in procfile["web"]
