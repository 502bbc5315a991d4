"""Serving a request's uploaded files: always as an attachment, never sniffed, framed or cached."""

from django.http import FileResponse

from .models import RequestFile


def attachment_response(item: RequestFile) -> FileResponse:
    """The stored file as a download with its original name and recorded content type.

    Raises OSError (FileNotFoundError included) or ValueError when the file is no longer stored.
    """
    handle = item.file.open("rb")
    response = FileResponse(handle, as_attachment=True, filename=item.original_name)
    response["Content-Type"] = item.content_type or "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
