"""Request bodies capped before they are read: by their Content-Length, then by the bytes that arrive.

`RequestBodyLimitMiddleware` (early in MIDDLEWARE, before anything reads a body) answers 413
with a friendly page when a request's Content-Length is over its limit, without reading a
byte of it. The limit is, in order:
- `API_MAX_BODY_BYTES` under /api/ and /open311/, where `api.body_limit.ApiBodyLimitMiddleware`
  refuses in the API's own formats (a problem document, an Open311 error list);
- what the view says, for a view with a `body_limit(request, **kwargs)` attribute (an e-form's
  journey: the sum of its file questions' size limits plus room for the answers), asked only
  for bodies above `UPLOAD_FORM_FIELDS_BYTES` so that ordinary posts cost nothing;
- `UPLOAD_MAX_BODY_BYTES` (the largest file a question may allow, plus the answers) otherwise.

`BodyLimitUploadHandler` (first in FILE_UPLOAD_HANDLERS) counts the file bytes of a multipart
body as Django parses it and stops at the same limit (raising RequestDataTooBig: 413 from the
API and Open311, 400 elsewhere), so files are never stored past the limit even where the
Content-Length cannot be trusted (a server that does not enforce it, a middleware order changed).
Non-file fields are bounded by Django's DATA_UPLOAD_MAX_MEMORY_SIZE; files above
FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file, never to memory. The proxy in front should
refuse larger bodies first (README: nginx `client_max_body_size`).
"""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

API_PATHS = ("/api/", "/open311/")
MEGABYTE = 1024 * 1024


def declared_length(request: HttpRequest) -> int:
    """The request's Content-Length (0 when absent or not a number: Django then reads no body)."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def path_limit(request: HttpRequest) -> int:
    """The largest body this path may have, before the view is known."""
    if request.path.startswith(API_PATHS):
        return settings.API_MAX_BODY_BYTES
    return settings.UPLOAD_MAX_BODY_BYTES


def too_large_response(request: HttpRequest, limit: int) -> HttpResponse:
    """The 413 page: what was too large and what to do, with the limit in megabytes."""
    megabytes = max(1, limit // MEGABYTE)
    referer = request.headers.get("Referer", "")
    try:
        host = request.get_host()
    except DisallowedHost:
        host = ""
    safe = bool(host) and url_has_allowed_host_and_scheme(referer, {host}, require_https=request.is_secure())
    context = {"limit_mb": megabytes, "back_url": referer if safe else ""}
    return render(request, "413.html", context, status=413)


class RequestBodyLimitMiddleware:
    """Refuses, with 413 and before reading it, a body larger than its path or view allows."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = path_limit(request)
        request.body_limit = limit
        if declared_length(request) > limit and not request.path.startswith(API_PATHS):
            return too_large_response(request, limit)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        """A view's own, tighter limit (asked only for a body that could be over it)."""
        view_limit = getattr(view_func, "body_limit", None)
        length = declared_length(request)
        if view_limit is None or length <= settings.UPLOAD_FORM_FIELDS_BYTES:
            return None
        limit = view_limit(request, **view_kwargs)
        if limit is not None and length > limit:
            return too_large_response(request, limit)
        if limit is not None:
            request.body_limit = min(limit, request.body_limit)
        return None


class BodyLimitUploadHandler(FileUploadHandler):
    """Counts a multipart body's file bytes as they arrive; past the request's limit, stops the parse."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.received = 0

    def _limit(self) -> int:
        return getattr(self.request, "body_limit", None) or settings.UPLOAD_MAX_BODY_BYTES

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self._limit():
            raise RequestDataTooBig("The uploaded files are larger than this request may send.")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
