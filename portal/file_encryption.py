"""Encryption at rest of residents' files: storages that keep each file as one Fernet token.

Request files (`STORAGES["request_files"]`), journeys' temporary uploads (`journey_uploads`)
and quarantined files (`quarantine`) are written through `EncryptedStorageMixin`: `save()`
stores the file encrypted with the first key of `FIELD_ENCRYPTION_KEYS` (the key ring of
`portal.encryption`), `open()` gives the plain bytes back (any key of the ring decrypts), and
`url()` refuses, so no link to ciphertext is ever made: files are served by the portal's own
views (`backoffice.files`). Editors' images and documents stay on `default`, unencrypted.

A whole file is one token, encrypted and decrypted in memory: about seven times the file's
size at the peak for the moment it takes (a 10 MB upload, the default limit of a question,
takes some 70 MB for 0.1 s; the largest a question may allow, 50 MB, some 350 MB for 0.5 s).

A file no key decrypts raises `UndecryptableFile` (an OSError) and logs an ERROR line naming it.
`encrypt_files` encrypts files stored in clear (the migration) or re-encrypts every file with the
first key (`rotate_encryption_keys`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from cryptography.fernet import InvalidToken
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages

from .encryption import TOKEN_START, key_ring

logger = logging.getLogger(__name__)

# A Fernet token: "gAAAAA" (version byte 0x80 and the start of the timestamp), then URL-safe base64.
TOKEN = re.compile(rb"%s[A-Za-z0-9_-]+={0,2}" % TOKEN_START.encode())
CIPHERTEXT_TYPE = "application/octet-stream"  # what an object store is told the stored bytes are


class UndecryptableFile(OSError):
    """A stored file that no key of FIELD_ENCRYPTION_KEYS decrypts (a key removed before rotation finished).

    An OSError, so code that copes with a file that can no longer be read copes with this one
    too; the routes staff and receiving systems use say what it is.
    """

    def __init__(self, name: str):
        super().__init__(
            f"The stored file {name} cannot be decrypted with FIELD_ENCRYPTION_KEYS: "
            "was a key removed before `manage.py rotate_encryption_keys` finished?"
        )
        self.stored_name = name


def is_token(raw: bytes) -> bool:
    """True when the stored bytes are a Fernet token (an encrypted file) rather than a file in clear."""
    return TOKEN.fullmatch(raw) is not None


def ciphertext(token: bytes) -> ContentFile:
    file = ContentFile(token)
    file.content_type = CIPHERTEXT_TYPE
    return file


class EncryptedStorageMixin:
    """Put before a storage class: it stores Fernet tokens and reads plain bytes; no URLs.

    `read_raw` and `write_raw` reach the stored bytes as they are, for re-encrypting in place;
    a concrete class says how it replaces a file (`write_raw`).
    """

    def _save(self, name, content):
        plain = b"".join(content.chunks())
        return super()._save(name, ciphertext(key_ring().encrypt(plain)))

    def _open(self, name, mode="rb"):
        if any(flag in mode for flag in "wax+"):
            raise ValueError("An encrypted file is written with save(), never opened for writing.")
        return ContentFile(self.decrypt(name, self.read_raw(name)), name=name)

    def size(self, name) -> int:
        """The plain file's size (the stored token is a third larger). It decrypts: the portal keeps sizes itself."""
        return len(self._open(name).read())

    def url(self, name):
        raise NotImplementedError(
            "Files of this storage are encrypted: serve them through the portal's views (backoffice.files), "
            "never by URL."
        )

    def read_raw(self, name) -> bytes:
        with super()._open(name, "rb") as handle:
            return handle.read()

    def write_raw(self, name, data: bytes) -> None:
        raise NotImplementedError

    @staticmethod
    def decrypt(name: str, raw: bytes) -> bytes:
        try:
            return key_ring().decrypt(raw)
        except InvalidToken:
            logger.error("A stored file cannot be decrypted", extra={"stored_file": name})
            raise UndecryptableFile(name) from None


class EncryptedFileSystemStorage(EncryptedStorageMixin, FileSystemStorage):
    """Files under MEDIA_ROOT (or `location`), encrypted."""

    def write_raw(self, name, data: bytes) -> None:
        """Replace the file at once (a reader sees the old bytes or the new, never half), keeping its mode and time."""
        path = self.path(name)
        before = os.stat(path)
        handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".rewrite-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(temporary, before.st_mode & 0o7777)
            os.utime(temporary, ns=(before.st_atime_ns, before.st_mtime_ns))  # journeys' clean-up goes by age
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise


# --- files stored before encryption, and key rotation ---------------------------------------------


@dataclass
class FilesReport:
    """What a pass over stored files did: files rewritten, and those no key could read (left as they were)."""

    rewritten: int = 0
    unreadable: list[str] = field(default_factory=list)


def present_files(storage, names: Iterable[str]) -> Iterator[tuple[str, bytes]]:
    """Each named file still stored, with its stored bytes (blank names and missing files skipped)."""
    for name in filter(None, names):
        try:
            yield name, storage.read_raw(name)
        except FileNotFoundError:
            continue


def encrypt_files(storage, names: Iterable[str], *, rotate: bool = False) -> FilesReport:
    """Encrypt each named file stored in clear; with `rotate`, re-encrypt every token with the first key too.

    Idempotent: without `rotate` a token is left alone. A token no key decrypts is left as it is
    and named in the report; a file that is no longer there is skipped.
    """
    report = FilesReport()
    for name, raw in present_files(storage, names):
        if not is_token(raw):
            stored = key_ring().encrypt(raw)
        elif not rotate:
            continue
        else:
            try:
                stored = key_ring().rotate(raw)
            except InvalidToken:
                report.unreadable.append(name)
                continue
        storage.write_raw(name, stored)
        report.rewritten += 1
    return report


def decrypt_files(storage, names: Iterable[str]) -> FilesReport:
    """Put the named files back in clear (rolling the migration back)."""
    report = FilesReport()
    for name, raw in present_files(storage, names):
        if is_token(raw):
            try:
                storage.write_raw(name, key_ring().decrypt(raw))
            except InvalidToken:
                report.unreadable.append(name)
                continue
            report.rewritten += 1
    return report


def stored_names(storage, folder: str = "") -> Iterator[str]:
    """Every file a storage holds, in every folder."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    prefix = f"{folder}/" if folder else ""
    for name in files:
        yield prefix + name
    for sub in folders:
        yield from stored_names(storage, prefix + sub)


def resident_files(request_file_names: Iterable[str]) -> list[tuple[str, object, Iterable[str]]]:
    """Each encrypted storage with the names of the files it holds: (alias, storage, names).

    Request files are named by their rows (`request_file_names`), never by listing: their storage
    shares its folder (or bucket prefix) with `default`, whose images and documents stay in clear.
    Journeys' temporary uploads and quarantined files have folders of their own, listed whole.
    """
    journey_uploads, quarantine = storages["journey_uploads"], storages["quarantine"]
    return [
        ("request_files", storages["request_files"], request_file_names),
        ("journey_uploads", journey_uploads, stored_names(journey_uploads)),
        ("quarantine", quarantine, stored_names(quarantine)),
    ]
