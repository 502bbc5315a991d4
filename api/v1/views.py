"""Plain Django views of the portal API: what answers a path under /api/v1/ that no operation has."""

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from .problems import problem_response


@csrf_exempt
def unknown_path(request: HttpRequest) -> JsonResponse:
    """A 404 problem document (never the website's HTML page) for any unknown path under /api/v1/."""
    return problem_response(
        request,
        404,
        "not-found",
        _("Not found"),
        _("There is no such operation in the portal API. /api/v1/openapi.json lists them; /api/v1/docs shows them."),
    )
