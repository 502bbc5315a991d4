"""Virus scanning of uploads: a `Scanner` interface, clamd over its socket, and quarantine.

`settings.VIRUS_SCANNER` chooses the scanner: "clamd" (set when `CLAMD_SOCKET` or `CLAMD_HOST`
is) or "none". `check_for_viruses(upload, context)` is what the upload field calls:
- a clean file passes;
- an infected file is copied to the quarantine storage (`STORAGES["quarantine"]`), logged at
  WARNING with its signature, SHA-256 and the question it was sent to (never the citizen's
  answers), and refused with `UploadRefused(code="virus")`: it is never kept with a request;
- when the scanner cannot be reached or gives no clear answer, the file is refused with
  `UploadRefused(code="scan_failed")`: it fails closed, nothing is accepted unscanned.

`ClamdScanner` speaks clamd's INSTREAM command (a unix socket or TCP): "zINSTREAM\\0", then the
file in chunks, each preceded by its length as 4 big-endian bytes, then 4 zero bytes; clamd
answers "stream: OK" or "stream: <signature> FOUND".
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import struct
import uuid
from dataclasses import dataclass
from typing import IO, Protocol

from django.conf import settings
from django.core.files.storage import storages
from django.utils.functional import cached_property
from django.utils.translation import gettext

from portal.file_encryption import EncryptedFileSystemStorage

from .uploads import UploadRefused

logger = logging.getLogger(__name__)

CHUNK_SIZE = 64 * 1024


@dataclass(frozen=True)
class ScanResult:
    """What a scanner found: nothing (`infected` False), or the signature of what it found."""

    infected: bool
    signature: str = ""


class ScannerUnavailable(Exception):
    """The scanner could not be reached or did not give a clear answer."""


class Scanner(Protocol):
    """Anything that scans a stream of bytes; raises ScannerUnavailable when it cannot."""

    name: str

    def scan(self, stream: IO[bytes]) -> ScanResult: ...


class NoScanner:
    """No scanning (VIRUS_SCANNER = "none"): every file passes. Development and tests only."""

    name = "none"

    def scan(self, stream: IO[bytes]) -> ScanResult:
        return ScanResult(infected=False)


class ClamdScanner:
    """clamd's INSTREAM command over a unix socket (`socket_path`) or TCP (`host`, `port`)."""

    name = "clamd"

    def __init__(self, *, socket_path: str = "", host: str = "", port: int = 3310, timeout: float = 30.0):
        self.socket_path = socket_path
        self.host = host
        self.port = port
        self.timeout = timeout

    def connect(self) -> socket.socket:
        if self.socket_path:
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            connection.settimeout(self.timeout)
            connection.connect(self.socket_path)
            return connection
        return socket.create_connection((self.host, self.port), timeout=self.timeout)

    def scan(self, stream: IO[bytes]) -> ScanResult:
        try:
            with self.connect() as connection:
                connection.sendall(b"zINSTREAM\0")
                stream.seek(0)
                while chunk := stream.read(CHUNK_SIZE):
                    connection.sendall(struct.pack("!L", len(chunk)) + chunk)
                connection.sendall(struct.pack("!L", 0))
                reply = _read_reply(connection)
        except OSError as error:
            raise ScannerUnavailable(f"clamd could not be reached: {error}") from error
        finally:
            stream.seek(0)
        return parse_reply(reply)

    def ping(self) -> bool:
        """True when clamd answers PING with PONG."""
        try:
            with self.connect() as connection:
                connection.sendall(b"zPING\0")
                return _read_reply(connection) == "PONG"
        except OSError:
            return False


def _read_reply(connection: socket.socket) -> str:
    reply = b""
    while not reply.endswith(b"\0"):
        data = connection.recv(4096)
        if not data:
            break
        reply += data
        if len(reply) > 4096:
            break
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()


def parse_reply(reply: str) -> ScanResult:
    """clamd's answer to INSTREAM as a result; ScannerUnavailable for an error or anything unexpected."""
    if reply == "stream: OK":
        return ScanResult(infected=False)
    if reply.startswith("stream: ") and reply.endswith(" FOUND"):
        return ScanResult(infected=True, signature=reply[len("stream: ") : -len(" FOUND")])
    raise ScannerUnavailable(f"clamd answered: {reply[:200]!r}")


def scanner_configured(app_configs=None, **kwargs) -> list:
    """System check: a warning when uploads are not scanned and nobody said VIRUS_SCAN=off."""
    from django.core.checks import Warning

    if settings.VIRUS_SCANNER == "none" and settings.VIRUS_SCAN != "off":
        return [
            Warning(
                "Uploads are not scanned for viruses.",
                hint="Set CLAMD_SOCKET (or CLAMD_HOST and CLAMD_PORT) to scan them with clamd, "
                "or VIRUS_SCAN=off to run without a scanner on purpose.",
                id="forms_catalogue.W001",
            )
        ]
    return []


def get_scanner() -> Scanner:
    """The scanner the settings choose."""
    if settings.VIRUS_SCANNER == "clamd":
        return ClamdScanner(
            socket_path=settings.CLAMD_SOCKET,
            host=settings.CLAMD_HOST,
            port=settings.CLAMD_PORT,
            timeout=settings.CLAMD_TIMEOUT,
        )
    return NoScanner()


class QuarantineStorage(EncryptedFileSystemStorage):
    """Infected uploads, encrypted, kept apart in `quarantine/` under MEDIA_ROOT for the security team (read when used).

    `manage.py export_quarantined_file` writes one out in clear for them.
    """

    @cached_property
    def base_location(self):
        return os.path.join(settings.MEDIA_ROOT, "quarantine")


def quarantine(upload: IO[bytes], signature: str, context: str) -> str:
    """Copy an infected file into quarantine under a server-chosen name; log it; return its name there."""
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: upload.read(CHUNK_SIZE), b""):
        digest.update(chunk)
    upload.seek(0)
    name = storages["quarantine"].save(f"{uuid.uuid4().hex}.quarantined", upload)
    upload.seek(0)
    logger.warning(
        "Infected upload quarantined",
        extra={"signature": signature, "sha256": digest.hexdigest(), "quarantine_name": name, "context": context},
    )
    return name


def check_for_viruses(upload: IO[bytes], context: str) -> None:
    """Scan an upload; quarantine and refuse it when infected; refuse it when it could not be scanned."""
    scanner = get_scanner()
    try:
        result = scanner.scan(upload)
    except ScannerUnavailable as error:
        logger.error("Upload refused: the virus scanner is unavailable (%s)", error, extra={"context": context})
        raise UploadRefused(
            gettext("The selected file could not be checked for viruses – try again later"), "scan_failed"
        ) from None
    if result.infected:
        quarantine(upload, result.signature, context)
        raise UploadRefused(gettext("The selected file contains a virus"), "virus")
