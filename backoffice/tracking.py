"""Citizens' look-up of a request by reference and email: finding it, its public history, the rate limit.

Shared by the "Track a request" page and the portal API's status look-up, so both find the
same request, show the same updates (never the answers or staff's internal notes) and count
look-ups against the same limit.
"""

import hmac

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from portal.ratelimit import client_address, over_limit

from .models import RequestEvent, ServiceRequest

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


def public_updates(found: ServiceRequest) -> QuerySet[RequestEvent]:
    """What the citizen may see of a request's history, oldest first: submitted, status changes, public notes."""
    return found.events.exclude(has_public_note=False, kind=RequestEvent.Kind.NOTE).filter(
        kind__in=[RequestEvent.Kind.SUBMITTED, RequestEvent.Kind.STATUS, RequestEvent.Kind.NOTE]
    )
