"""The front-door tier: `make run` from a fresh clone, as a newcomer runs it.

Every test here gets the `frontdoor` marker. They take minutes (a new virtualenv, npm
packages, the demo council), so `make test` leaves them out; `make frontdoor` (bin/frontdoor)
runs them and CI (`.ci/run`) runs that after `make test`. PORTAL_FRONTDOOR=1 selects them.
"""

import os
from pathlib import Path

import pytest

FRONTDOOR_DIR = Path(__file__).resolve().parent


def in_frontdoor_folder(item) -> bool:
    return FRONTDOOR_DIR in Path(str(item.path)).resolve().parents


def pytest_itemcollected(item):
    """Mark every test in this folder `frontdoor` as it is collected, so `-m` sees the marker."""
    if in_frontdoor_folder(item):
        item.add_marker(pytest.mark.frontdoor)


def pytest_collection_modifyitems(config, items):
    """Deselect the front-door tests unless PORTAL_FRONTDOOR=1."""
    mine = [item for item in items if in_frontdoor_folder(item)]
    if os.environ.get("PORTAL_FRONTDOOR") != "1" and mine:
        config.hook.pytest_deselected(items=mine)
        items[:] = [item for item in items if not in_frontdoor_folder(item)]
