"""Fixtures of the back-office staff and tracking tests: staff of two departments, admins."""

import pytest

from .factories import HIGHWAYS, WASTE, make_staff, make_user, make_web_team_member


@pytest.fixture
def waste_officer(db):
    """A member of Waste and Recycling's staff group."""
    return make_staff("wendy", WASTE)


@pytest.fixture
def waste_colleague(db):
    return make_staff("walter", WASTE)


@pytest.fixture
def highways_officer(db):
    """A member of Highways' staff group: must never reach Waste and Recycling's requests."""
    return make_staff("harry", HIGHWAYS)


@pytest.fixture
def superuser(db):
    return make_user("admin", superuser=True)


@pytest.fixture
def web_team(db):
    """A web-team admin with `backoffice.manage_deliveries`, in no queue's group."""
    return make_web_team_member()
