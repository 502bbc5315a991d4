"""Public back-office views: "Track a request", and signed file links for department systems."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from forms_catalogue.translations import translated
from portal.file_encryption import UndecryptableFile
from portal.language import DEFAULT_LANGUAGE, language_code

from .file_links import InvalidFileLink, check_destination_token
from .files import attachment_response
from .forms import TrackForm
from .staff import audit
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
                audit.record(found, audit.TRACK_REQUEST, None, via=audit.CITIZEN_WEB, via_kind="citizen")
                updates = public_updates(found)
                service = translated(found.service, language_code(get_language()) or DEFAULT_LANGUAGE)
                context = {"found": found, "updates": updates, "service_title": service.title}
                return render(request, "backoffice/track_result.html", context)
            # The same empty form whichever of the two was wrong: the page must not tell them apart.
            form = TrackForm()
            problem = _(NOT_FOUND)
    return render(request, "backoffice/track.html", {"form": form, "problem": problem})


def file_download(request, token: str):
    """A file for the receiving system its signed link was made for (see `file_links`); always an attachment.

    Logged in the audit log with the destination's name; any link that may not be used is a 404.
    A file no key decrypts is a 503 (the storage logs it): the link works again once the key is back.
    """
    try:
        download = check_destination_token(token, request.headers)
        response = attachment_response(download.item)
    except UndecryptableFile:
        return HttpResponse(
            _("The file cannot be read at the moment."), status=503, content_type="text/plain; charset=utf-8"
        )
    except (InvalidFileLink, OSError, ValueError):
        raise Http404(_("This link is not valid or has expired.")) from None
    item = download.item
    audit.record(
        item.request,
        audit.DOWNLOAD_FILE,
        None,
        file_id=item.pk,
        question_id=item.question_id,
        via=str(download.destination),
        via_kind="destination",
    )
    return response
