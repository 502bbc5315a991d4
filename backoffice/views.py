"""Public back-office views: "Track a request", and signed file links for department systems."""

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .documents import FILE_LINK_SALT
from .files import attachment_response
from .forms import TrackForm
from .models import RequestFile
from .tracking import NOT_FOUND, TOO_MANY, find_request, over_rate_limit, public_updates


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    """Look a request up by reference and email; show its status and public notes, never its answers."""
    form = TrackForm(request.POST or None)
    problem = ""
    if request.method == "POST":
        if over_rate_limit(request):
            problem = _(TOO_MANY)
            response = render(request, "backoffice/track.html", {"form": form, "problem": problem}, status=429)
            response["Retry-After"] = str(settings.TRACK_RATE_LIMIT[1])
            return response
        if form.is_valid():
            found = find_request(form.cleaned_data["reference"], form.cleaned_data["email"])
            if found:
                updates = public_updates(found)
                return render(request, "backoffice/track_result.html", {"found": found, "updates": updates})
            # The same empty form whichever of the two was wrong: the page must not tell them apart.
            form = TrackForm()
            problem = _(NOT_FOUND)
    return render(request, "backoffice/track.html", {"form": form, "problem": problem})


def file_download(request, token: str):
    """An uploaded file, for the holder of a signed, unexpired link; always as an attachment."""
    try:
        data = signing.loads(token, salt=FILE_LINK_SALT, max_age=settings.FILE_LINK_MAX_AGE)
        return attachment_response(RequestFile.objects.get(pk=data["file"]))
    except (signing.BadSignature, RequestFile.DoesNotExist, KeyError, TypeError, ValueError, OSError):
        raise Http404("This link is not valid or has expired.") from None
