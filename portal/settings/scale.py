"""Production settings for running on several machines, built from environment variables.

Plain functions of an environment mapping, so each can be tested without reloading settings:
object storage for uploads (django-storages, S3-compatible), the Redis cache's connection
options, and the PostgreSQL connection options (sessions: base settings).
"""

from collections.abc import Mapping
from typing import Any

S3_BACKEND = "storages.backends.s3.S3Storage"
ENCRYPTED_S3_BACKEND = "portal.encrypted_s3.EncryptedS3Storage"
JOURNEY_UPLOADS_LOCATION = "journey-uploads"
QUARANTINE_LOCATION = "quarantine"


def object_storages(environ: Mapping[str, str], storages: dict[str, Any]) -> dict[str, Any]:
    """`storages` with uploads on an S3-compatible bucket when AWS_STORAGE_BUCKET_NAME is set.

    Images and documents go to the bucket under AWS_LOCATION, and request files too, all of them
    under `<AWS_LOCATION>/requests/` (their names start with it); journeys' temporary uploads go
    under `<AWS_LOCATION>/journey-uploads` (and infected ones under `<AWS_LOCATION>/quarantine`),
    so any web node can read a file uploaded through another. Residents' files (request files,
    temporary uploads, quarantine) are encrypted by the portal and get no URL; images and
    documents stay private too (signed, expiring URLs; no public ACL).
    Credentials come from boto3's own chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, an
    instance role, ...), never from settings. Without a bucket, `storages` is returned as is.
    """
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if not bucket:
        return storages
    location = environ.get("AWS_LOCATION", "").strip().strip("/")
    options = {
        "bucket_name": bucket,
        "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL", "").strip() or None,
        "region_name": environ.get("AWS_S3_REGION_NAME", "").strip() or None,
        "custom_domain": environ.get("AWS_S3_CUSTOM_DOMAIN", "").strip() or None,
        "addressing_style": environ.get("AWS_S3_ADDRESSING_STYLE", "").strip() or None,
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": True,
        "querystring_expire": int(environ.get("AWS_QUERYSTRING_EXPIRE", "300")),
    }
    journey_location = f"{location}/{JOURNEY_UPLOADS_LOCATION}" if location else JOURNEY_UPLOADS_LOCATION
    quarantine_location = f"{location}/{QUARANTINE_LOCATION}" if location else QUARANTINE_LOCATION
    return {
        **storages,
        "default": {"BACKEND": S3_BACKEND, "OPTIONS": {**options, "location": location}},
        "request_files": {"BACKEND": ENCRYPTED_S3_BACKEND, "OPTIONS": {**options, "location": location}},
        "journey_uploads": {"BACKEND": ENCRYPTED_S3_BACKEND, "OPTIONS": {**options, "location": journey_location}},
        "quarantine": {"BACKEND": ENCRYPTED_S3_BACKEND, "OPTIONS": {**options, "location": quarantine_location}},
    }


def redis_cache_options(environ: Mapping[str, str]) -> dict[str, Any]:
    """Connection options of the Redis cache: short timeouts, so a lost Redis fails fast instead of hanging workers."""
    timeout = float(environ.get("REDIS_TIMEOUT_SECONDS", "2"))
    return {
        "socket_connect_timeout": timeout,
        "socket_timeout": timeout,
        "health_check_interval": 30,
        "max_connections": int(environ.get("REDIS_MAX_CONNECTIONS", "50")),
    }


def database_options(environ: Mapping[str, str], database: dict[str, Any]) -> dict[str, Any]:
    """`database` with a connect timeout for PostgreSQL (a web node whose database is gone fails fast)."""
    if database.get("ENGINE") != "django.db.backends.postgresql":
        return database
    options = {"connect_timeout": int(environ.get("DB_CONNECT_TIMEOUT", "5")), **database.get("OPTIONS", {})}
    return {**database, "OPTIONS": options}
