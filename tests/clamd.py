"""The real clamd for tests of virus scanning (CLAMD_TEST_SOCKET, set by bin/test when clamd answers).

`.ci/run` starts clamd (bin/lib/test-clamd.sh) with the repository's own signature database,
tests/clamav/portal-test.ndb, which detects the EICAR test file: CI machines cannot download
ClamAV's databases. With REQUIRE_SERVICES=1 the socket is always set, so a clamd that is down
fails these tests instead of skipping them.
"""

import os
from contextlib import contextmanager

import pytest
from django.test import override_settings

CLAMD_TEST_SOCKET = os.environ.get("CLAMD_TEST_SOCKET", "")
needs_clamd = pytest.mark.skipif(
    not CLAMD_TEST_SOCKET, reason="CLAMD_TEST_SOCKET is not set (bin/test sets it when the test clamd runs)"
)


@contextmanager
def scanning_with_clamd(socket_path: str = ""):
    """Uploads scanned by clamd at `socket_path` (the test clamd by default)."""
    with override_settings(VIRUS_SCANNER="clamd", CLAMD_SOCKET=socket_path or CLAMD_TEST_SOCKET, CLAMD_HOST=""):
        yield


@contextmanager
def scanner_unreachable(tmp_path):
    """Uploads to be scanned by a clamd that is not there (a socket path nothing listens on)."""
    with scanning_with_clamd(str(tmp_path / "no-clamd.sock")):
        yield
