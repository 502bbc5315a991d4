"""Bodies over API_MAX_BODY_BYTES refused under /api/ and /open311/ before anything reads them.

Placed before the rate limit (which reads Open311 form bodies for their `api_key`), it answers
413 in the format of the API asked: an RFC 9457 problem document under /api/, Open311's error
list under /open311/. The web's limit and its 413 page are portal.upload_limits'.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

from portal.upload_limits import declared_length

from .middleware import API_PATHS, OPEN311_PATH, open311_error
from .v1.problems import problem_response
from .v1.submission_body import too_large


class ApiBodyLimitMiddleware:
    """Answers 413, without reading it, an API or Open311 request whose Content-Length is over the API's limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PATHS) and declared_length(request) > settings.API_MAX_BODY_BYTES:
            refused = too_large()
            if request.path.startswith(OPEN311_PATH):
                return open311_error(request.path, 413, gettext("The request is too large.") + " " + refused.detail)
            return problem_response(request, refused.status, refused.kind, refused.title, refused.detail)
        return self.get_response(request)
