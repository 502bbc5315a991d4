"""Public back-office views: "Track a request", and signed file links for department systems."""

import hmac

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.ratelimit import client_address, over_limit

from .documents import FILE_LINK_SALT
from .files import attachment_response
from .forms import TrackForm
from .models import RequestEvent, RequestFile, ServiceRequest

NOT_FOUND = gettext_noop("We cannot find a request with that reference and email address. Check both and try again.")
TOO_MANY = gettext_noop("You have tried too many times. Wait 15 minutes and try again.")


def over_rate_limit(request) -> bool:
    """Count one look-up for this address; True once it has made more than the limit in the window."""
    limit, window = settings.TRACK_RATE_LIMIT
    return over_limit("track", client_address(request), limit, window)


def find_request(reference: str, email: str) -> ServiceRequest | None:
    """The request with this reference and contact email; the same work whichever of the two is wrong."""
    found = ServiceRequest.objects.filter(reference=reference).select_related("service").first()
    given = email.strip().lower().encode()
    stored = (found.contact_email if found else "").strip().lower().encode()
    email_matches = hmac.compare_digest(given, stored)
    return found if found and email_matches and stored else None


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    """Look a request up by reference and email; show its status and public notes, never its answers."""
    form = TrackForm(request.POST or None)
    problem = ""
    if request.method == "POST":
        if over_rate_limit(request):
            problem = _(TOO_MANY)
            return render(request, "backoffice/track.html", {"form": form, "problem": problem}, status=429)
        if form.is_valid():
            found = find_request(form.cleaned_data["reference"], form.cleaned_data["email"])
            if found:
                updates = found.events.exclude(public_note="", kind=RequestEvent.Kind.NOTE).filter(
                    kind__in=[RequestEvent.Kind.SUBMITTED, RequestEvent.Kind.STATUS, RequestEvent.Kind.NOTE]
                )
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
