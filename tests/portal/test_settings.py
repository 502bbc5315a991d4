"""Project checks: migrations, system checks, production settings."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


PRODUCTION_REQUIRED = {
    "SECRET_KEY": "a-real-production-secret-" + "x7Kq9Lm2Np4Rs6Tv8Wy0Za3Bc5De7Fg9Hj",
    "ALLOWED_HOSTS": "portal.example.gov.uk",
    "FIELD_ENCRYPTION_KEYS": "Dd6JNbdjNrUkgSTkqQyfRJ0JTa6yaRmA7g9gW8WEAJk=",
    "FIELD_INDEX_KEY": "a-real-index-key-" + "p3Lq8Rs7Tv6Wx5Yz4Ab3Cd2Ef1Gh0",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean_env = {key: value for key, value in os.environ.items() if key not in PRODUCTION_REQUIRED}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_system_check_is_clean():
    # Without clamd, development warns that uploads are not scanned (tests/forms_catalogue/test_scanning.py).
    env = {"DJANGO_SETTINGS_MODULE": "portal.settings.dev", "VIRUS_SCAN": "off"}
    result = run_manage("check", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr


def test_production_check_deploy_is_clean():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            **PRODUCTION_REQUIRED,
            "CLAMD_SOCKET": "/run/clamav/clamd.ctl",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("missing", sorted(PRODUCTION_REQUIRED))
def test_production_refuses_to_start_without_required_settings(missing):
    env = {"DJANGO_SETTINGS_MODULE": "portal.settings.production", **PRODUCTION_REQUIRED, "VIRUS_SCAN": "off"}
    del env[missing]
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert f"The environment variable {missing} must be set in production." in result.stderr


def test_json_logging_emits_one_object_per_line():
    import json
    import logging

    from portal.logging import JsonFormatter

    record = logging.makeLogRecord(
        {"name": "x", "levelname": "INFO", "msg": "hello %s", "args": ("world",), "reference": "ABC"}
    )
    line = JsonFormatter().format(record)
    assert json.loads(line) == {**json.loads(line), "message": "hello world", "reference": "ABC", "level": "INFO"}


def dev_settings(env: dict[str, str]) -> list:
    """DEBUG, ALLOWED_HOSTS and CSRF_TRUSTED_ORIGINS of the `make run` settings in a clean environment."""
    code = (
        "from django.conf import settings as s; import json; "
        "print(json.dumps([s.DEBUG, s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS]))"
    )
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/")}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings.dev'; django.setup(); {code}",
        ],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_make_run_serves_the_site_as_citizens_meet_it_unless_debug_is_asked_for():
    debug, hosts, origins = dev_settings({})
    assert debug is False, "make run must show the council's own 404 and 500 pages"
    assert "127.0.0.1" in hosts and "http://127.0.0.1:8000" in origins
    assert dev_settings({"DEBUG": "1"})[0] is True


def test_make_run_allows_the_host_of_site_url():
    _, hosts, origins = dev_settings({"SITE_URL": "http://portal.test:8080"})
    assert "portal.test" in hosts
    assert "http://portal.test:8080" in origins
