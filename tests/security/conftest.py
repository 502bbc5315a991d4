"""The attack tests use the back office's staff fixtures; the sign-in tests turn the lock-out on."""

import pytest

from tests.backoffice.conftest import highways_officer, superuser, waste_officer  # noqa: F401


@pytest.fixture
def lockout_on(settings):
    """The lock-out (django-axes) on, at 10 failures, as in production (the test settings turn it off)."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 10
