"""Project checks: migrations, system checks, production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean_env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
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
    result = run_manage("check", "--fail-level", "WARNING", env={"DJANGO_SETTINGS_MODULE": "portal.settings.dev"})
    assert result.returncode == 0, result.stderr


def test_production_check_deploy_is_clean():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "SECRET_KEY": "a-real-production-secret-" + "x7Kq9Lm2Np4Rs6Tv8Wy0Za3Bc5De7Fg9Hj",
            "ALLOWED_HOSTS": "portal.example.gov.uk",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_required_settings(missing):
    env = {"DJANGO_SETTINGS_MODULE": "portal.settings.production", "SECRET_KEY": "s" * 60, "ALLOWED_HOSTS": "a.example"}
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
