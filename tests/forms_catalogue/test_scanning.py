"""Virus scanning (forms_catalogue.scanning): clamd's INSTREAM protocol, quarantine, failing closed, settings."""

from __future__ import annotations

import hashlib
import io
import logging
import socket
import struct
import threading
from pathlib import Path

import pytest
from django.core.checks import Warning as CheckWarning
from django.core.files.storage import storages

from forms_catalogue.scanning import (
    ClamdScanner,
    NoScanner,
    ScannerUnavailable,
    check_for_viruses,
    get_scanner,
    scanner_configured,
)
from forms_catalogue.uploads import UploadRefused
from tests import sample_files
from tests.clamd import CLAMD_TEST_SOCKET, needs_clamd, scanning_with_clamd
from tests.portal.test_settings import PRODUCTION_REQUIRED, run_manage


class ScriptedClamd:
    """A unix-socket server speaking clamd's INSTREAM: it reads the framed chunks, then sends `reply`."""

    def __init__(self, path: Path, reply: bytes | None):
        self.path = str(path)
        self.reply = reply
        self.received: list[bytes] = []
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(1)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        connection, _ = self.server.accept()
        with connection:
            stream = connection.makefile("rb")
            self.received.append(stream.read(len(b"zINSTREAM\0")))
            while True:
                (length,) = struct.unpack("!L", stream.read(4))
                if not length:
                    break
                self.received.append(stream.read(length))
            if self.reply is not None:
                connection.sendall(self.reply)

    def close(self) -> None:
        self.thread.join(timeout=5)
        self.server.close()


@pytest.fixture
def scripted_clamd(tmp_path):
    servers = []

    def start(reply: bytes | None) -> ScriptedClamd:
        servers.append(ScriptedClamd(tmp_path / f"clamd-{len(servers)}.sock", reply))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def test_the_file_is_sent_in_framed_chunks_and_a_clean_reply_passes(scripted_clamd):
    server = scripted_clamd(b"stream: OK\0")
    content = bytes(range(256)) * 600  # more than one 64 KiB chunk

    result = ClamdScanner(socket_path=server.path, timeout=5).scan(io.BytesIO(content))

    assert not result.infected
    server.close()
    assert server.received[0] == b"zINSTREAM\0"
    assert b"".join(server.received[1:]) == content and len(server.received) == 4


def test_a_found_reply_names_the_signature(scripted_clamd):
    server = scripted_clamd(b"stream: Win.Test.EICAR_HDB-1 FOUND\0")
    result = ClamdScanner(socket_path=server.path, timeout=5).scan(io.BytesIO(b"anything"))
    assert (result.infected, result.signature) == (True, "Win.Test.EICAR_HDB-1")


@pytest.mark.parametrize("reply", [b"INSTREAM size limit exceeded. ERROR\0", b"stream: what?\0", b"", None])
def test_an_error_or_an_unclear_reply_is_no_answer(scripted_clamd, reply):
    server = scripted_clamd(reply)
    with pytest.raises(ScannerUnavailable):
        ClamdScanner(socket_path=server.path, timeout=2).scan(io.BytesIO(b"anything"))


def test_a_scanner_nobody_listens_on_is_unavailable(tmp_path):
    with pytest.raises(ScannerUnavailable):
        ClamdScanner(socket_path=str(tmp_path / "none.sock")).scan(io.BytesIO(b"x"))
    with pytest.raises(ScannerUnavailable):
        ClamdScanner(host="127.0.0.1", port=9, timeout=2).scan(io.BytesIO(b"x"))


def test_an_infected_file_is_quarantined_logged_and_refused(settings, media_root, scripted_clamd, caplog):
    server = scripted_clamd(b"stream: Portal.Test.EICAR.UNOFFICIAL FOUND\0")
    settings.VIRUS_SCANNER, settings.CLAMD_SOCKET = "clamd", server.path
    infected = sample_files.eicar()

    with caplog.at_level(logging.WARNING, logger="forms_catalogue.scanning"), pytest.raises(UploadRefused) as refused:
        check_for_viruses(io.BytesIO(infected), context="question photo")

    assert (refused.value.code, refused.value.message) == ("virus", "The selected file contains a virus")
    quarantined = list((media_root / "quarantine").iterdir())
    assert len(quarantined) == 1
    assert b"EICAR" not in quarantined[0].read_bytes()  # encrypted at rest
    with storages["quarantine"].open(quarantined[0].name) as handle:
        assert handle.read() == infected
    record = next(record for record in caplog.records if record.getMessage() == "Infected upload quarantined")
    assert record.signature == "Portal.Test.EICAR.UNOFFICIAL"
    assert record.sha256 == hashlib.sha256(infected).hexdigest()
    assert record.quarantine_name == quarantined[0].name and record.context == "question photo"


def test_when_the_scanner_cannot_answer_the_file_is_refused_not_accepted(settings, media_root, tmp_path, caplog):
    settings.VIRUS_SCANNER, settings.CLAMD_SOCKET = "clamd", str(tmp_path / "gone.sock")

    with caplog.at_level(logging.ERROR), pytest.raises(UploadRefused) as refused:
        check_for_viruses(io.BytesIO(sample_files.pdf()), context="question photo")

    assert refused.value.code == "scan_failed"
    assert refused.value.message == "The selected file could not be checked for viruses – try again later"
    assert any("virus scanner is unavailable" in record.getMessage() for record in caplog.records)
    assert not (media_root / "quarantine").exists()


def test_the_settings_choose_the_scanner(settings):
    settings.VIRUS_SCANNER = "none"
    assert isinstance(get_scanner(), NoScanner)
    settings.VIRUS_SCANNER, settings.CLAMD_SOCKET, settings.CLAMD_HOST = "clamd", "", "clamav.internal"
    scanner = get_scanner()
    assert isinstance(scanner, ClamdScanner) and (scanner.host, scanner.port) == ("clamav.internal", 3310)


def test_check_warns_when_uploads_are_not_scanned_and_nobody_said_so(settings):
    settings.VIRUS_SCANNER, settings.VIRUS_SCAN = "none", ""
    warnings = scanner_configured()
    assert [(type(warning), warning.id) for warning in warnings] == [(CheckWarning, "forms_catalogue.W001")]
    settings.VIRUS_SCAN = "off"
    assert scanner_configured() == []
    settings.VIRUS_SCANNER, settings.VIRUS_SCAN = "clamd", ""
    assert scanner_configured() == []


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    **PRODUCTION_REQUIRED,
    "CLAMD_SOCKET": "",
    "CLAMD_HOST": "",
    "VIRUS_SCAN": "",
}


def test_production_refuses_to_start_without_a_scanner_unless_told_to():
    refused = run_manage("check", env=PRODUCTION)
    assert refused.returncode != 0
    assert "Uploads must be scanned for viruses in production" in refused.stderr

    assert run_manage("check", env={**PRODUCTION, "VIRUS_SCAN": "off"}).returncode == 0
    assert run_manage("check", env={**PRODUCTION, "CLAMD_HOST": "clamav.internal"}).returncode == 0


# --- the real clamd ----------------------------------------------------------------------------


@needs_clamd
def test_the_test_clamd_answers_and_finds_eicar():
    scanner = ClamdScanner(socket_path=CLAMD_TEST_SOCKET, timeout=10)
    assert scanner.ping()
    assert not scanner.scan(io.BytesIO(sample_files.pdf())).infected
    found = scanner.scan(io.BytesIO(b"Some words, then " + sample_files.eicar()))
    assert found.infected and found.signature.startswith("Portal.Test.EICAR")


@needs_clamd
def test_check_for_viruses_with_the_real_clamd(media_root):
    with scanning_with_clamd():
        check_for_viruses(io.BytesIO(sample_files.docx()), context="test")
        with pytest.raises(UploadRefused) as refused:
            check_for_viruses(io.BytesIO(sample_files.eicar()), context="test")
    assert refused.value.code == "virus"
