"""Signed, short-lived links to a request's files, each tied to the one party that may use it.

- **Staff**: a request's page links each file with a token naming the file, the user and a
  fingerprint of their session. The download view refuses the token in any other session
  (another browser, another person, the same person after signing out and in again) and after
  `FILE_LINK_STAFF_MAX_AGE` seconds, and still checks that the request is in the user's queues.
- **Receiving systems**: a message's links are made when it is sent, so every attempt and
  every replay carries fresh ones; each names the destination and works for
  `FILE_LINK_DESTINATION_MAX_AGE` seconds while that destination is enabled and still belongs
  to the request's queue. A webhook destination's system must also sign the fetch with the
  destination's signing secret (`X-Portal-Signature-256: sha256=<HMAC-SHA256 of the token>`),
  so a link copied out of a log is useless on its own. A mailbox gets a link to the request's
  page in the admin instead (its readers sign in), never a bearer link.

Every check fails closed: a token that is forged, expired, for another file, session or
destination, or of a destination that was disabled, raises `InvalidFileLink`.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from .adapters.webhook import SIGNATURE_HEADER, sign
from .models import Destination, DestinationKind, RequestFile

STAFF_SALT = "backoffice.file-link.staff"
DESTINATION_SALT = "backoffice.file-link.destination"
SESSION_SALT = "backoffice.file-link.session"


class InvalidFileLink(Exception):
    """The link is forged, expired, or not for this file, session or destination."""


def session_fingerprint(http_request) -> str:
    """A keyed hash of the session key: it ties a link to this session without putting the key in a URL."""
    session_key = http_request.session.session_key or ""
    if not session_key:
        return ""
    return salted_hmac(SESSION_SALT, session_key).hexdigest()[:32]


# --- staff ---------------------------------------------------------------------------------


def staff_token(http_request, item: RequestFile) -> str:
    """A token for `item` that works only in this user's current session, for a few minutes."""
    if not http_request.session.session_key:
        http_request.session.save()  # a session without a key yet (rare for a signed-in user) gets one now
    payload = {"f": item.pk, "u": http_request.user.pk, "s": session_fingerprint(http_request)}
    return signing.dumps(payload, salt=STAFF_SALT, compress=True)


def check_staff_token(http_request, token: str, item: RequestFile) -> None:
    """Raise InvalidFileLink unless `token` was made for `item`, in this session, by this user, recently."""
    try:
        data = signing.loads(token or "", salt=STAFF_SALT, max_age=settings.FILE_LINK_STAFF_MAX_AGE)
    except signing.BadSignature:
        raise InvalidFileLink("forged or expired") from None
    fingerprint = session_fingerprint(http_request)
    if not isinstance(data, dict) or data.get("f") != item.pk or data.get("u") != http_request.user.pk:
        raise InvalidFileLink("another file or user")
    if not fingerprint or not constant_time_compare(str(data.get("s", "")), fingerprint):
        raise InvalidFileLink("another session")


# --- receiving systems ---------------------------------------------------------------------


@dataclass(frozen=True)
class DestinationDownload:
    """A file a destination's link may fetch, and the destination that fetches it."""

    item: RequestFile
    destination: Destination


def destination_token(file_id: int, destination: Destination) -> str:
    return signing.dumps({"f": file_id, "d": destination.pk}, salt=DESTINATION_SALT, compress=True)


def destination_url(file_id: int, destination: Destination) -> str:
    """The absolute link a receiving system fetches `file_id` with."""
    token = destination_token(file_id, destination)
    return settings.WAGTAILADMIN_BASE_URL + reverse("backoffice:file_download", args=[token])


def admin_request_url(request_id: int) -> str:
    """The request's page in the admin, where staff sign in to see its files."""
    return settings.WAGTAILADMIN_BASE_URL + reverse("backoffice_requests:detail", args=[request_id])


def fetch_signature(token: str, destination: Destination) -> str:
    """What a webhook destination's system sends in X-Portal-Signature-256 to fetch with `token`."""
    return sign(token.encode(), destination.secret)


def check_destination_token(token: str, headers) -> DestinationDownload:
    """The file and destination of a receiving system's link; InvalidFileLink if it may not be used."""
    try:
        data = signing.loads(token or "", salt=DESTINATION_SALT, max_age=settings.FILE_LINK_DESTINATION_MAX_AGE)
        file_id, destination_id = int(data["f"]), int(data["d"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvalidFileLink("forged or expired") from None
    item = RequestFile.objects.select_related("request").filter(pk=file_id, request__anonymised_at__isnull=True).first()
    destination = Destination.objects.filter(pk=destination_id, enabled=True).first()
    if item is None or destination is None or destination.queue_id != item.request.queue_id:
        raise InvalidFileLink("no such file, or the destination no longer receives this queue")
    if destination.kind == DestinationKind.WEBHOOK:
        given = headers.get(SIGNATURE_HEADER, "")
        if not destination.secret or not constant_time_compare(given, fetch_signature(token, destination)):
            raise InvalidFileLink("not signed with the destination's secret")
    elif destination.kind != DestinationKind.RABBITMQ:
        raise InvalidFileLink("this kind of destination gets no file links")
    return DestinationDownload(item=item, destination=destination)


def with_file_links(delivery) -> dict:
    """A department delivery's document as its destination receives it now, each file with a link made for it.

    Webhooks and RabbitMQ get short-lived links tied to the destination; a mailbox gets the
    request's page in the admin. The stored payload keeps no link.
    """
    document, destination = delivery.payload, delivery.destination
    if destination is None or not isinstance(document, dict) or not document.get("files"):
        return document
    files = []
    for entry in document["files"]:
        if destination.kind == DestinationKind.EMAIL:
            url = admin_request_url(delivery.request_id)
        else:
            url = destination_url(entry["id"], destination)
        files.append({**entry, "url": url})
    return {**document, "files": files}
