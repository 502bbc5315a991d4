"""Serving a request's uploaded files: always as an attachment, never sniffed, framed or cached."""

from django.http import FileResponse
from django.utils.translation import gettext_noop

from .models import RequestFile

# What staff are told when no key decrypts a file (the storage logs which one).
UNDECRYPTABLE_FILE = gettext_noop(
    "The file could not be opened because the portal cannot decrypt it. "
    "Tell the portal's administrators: the error is in the portal's log."
)


def attachment_response(item: RequestFile) -> FileResponse:
    """The stored file, decrypted, as a download with its original name and recorded content type.

    Raises `UndecryptableFile` when no key decrypts it (logged by the storage), and another
    OSError (FileNotFoundError included) or ValueError when the file is no longer stored.
    """
    handle = item.file.open("rb")
    response = FileResponse(handle, as_attachment=True, filename=item.original_name)
    response["Content-Type"] = item.content_type or "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
