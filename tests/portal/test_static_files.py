"""Static files: whitenoise serves collectstatic's hashed names for a year, immutable, and others briefly."""

import json

import pytest
from django.test import Client

HASHED_NAME = "css/site.0123456789ab.css"


@pytest.fixture
def manifest_static_root(settings, tmp_path):
    """A STATIC_ROOT as `collectstatic` leaves it with the manifest storage production uses."""
    (tmp_path / "css").mkdir()
    for name in ("css/site.css", HASHED_NAME):
        (tmp_path / name).write_text("body { color: #0b0c0c; }\n")
    (tmp_path / "staticfiles.json").write_text(json.dumps({"paths": {"css/site.css": HASHED_NAME}, "version": "1.1"}))
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    return tmp_path


def test_production_settings_use_the_manifest_storage():
    from portal.settings import base

    assert base.STORAGES["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert base.MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") == 1


def test_a_hashed_file_is_cached_for_a_year_and_immutable(manifest_static_root):
    response = Client().get(f"/static/{HASHED_NAME}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert "X-Page-Cache" not in response  # whitenoise answers before the page cache


def test_a_name_without_its_hash_is_cached_briefly(manifest_static_root):
    response = Client().get("/static/css/site.css")
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=60, public"
