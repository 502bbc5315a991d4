"""Shared fixtures: the demo council is loaded once per test database and each test rolls back."""

import pytest
from django.conf import settings
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo council into the test database once for the whole run."""
    with django_db_blocker.unblock():
        call_command("load_demo_council", verbosity=0)


@pytest.fixture
def council_name():
    return settings.COUNCIL_NAME


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploads (temporary and stored with requests) go to a folder of this test only."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
