"""Residents' files on an S3-compatible bucket, encrypted by the portal (see `portal.file_encryption`).

Its own module because importing django-storages' S3 backend loads boto3, which only
production settings with a bucket need.
"""

from storages.backends.s3 import S3Storage

from .file_encryption import EncryptedStorageMixin, ciphertext


class EncryptedS3Storage(EncryptedStorageMixin, S3Storage):
    """S3Storage keeping each file as one Fernet token; objects stay private and get no URL."""

    def write_raw(self, name, data: bytes) -> None:
        """Replace the object (a PUT replaces it whole; readers see the old object or the new one)."""
        S3Storage._save(self, name, ciphertext(data))
