"""The attack tests use the back office's staff fixtures."""

from tests.backoffice.conftest import highways_officer, superuser, waste_officer  # noqa: F401
