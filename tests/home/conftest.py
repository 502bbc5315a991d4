"""Fixtures of the home app's tests."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.fixture
def welsh_demo(db, settings) -> str:
    """The demo council with its Welsh versions, loaded by the command as `make run` does; what it printed."""
    settings.DEMO_WELSH = True
    out = StringIO()
    call_command("load_demo_council", stdout=out)
    return out.getvalue()
