"""What staff (and department systems, through the API) do to a request: claim or assign it,
change its status, add notes, acknowledge it.

Each change writes the request, its history event and (for anything the citizen should
hear about) the citizen's email delivery in one transaction. A change made by a member of
staff names them as `actor`; one made through the API names the API key in `via`.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from .models import RequestEvent, ServiceRequest, Status
from .models.requests import OPEN_STATUSES
from .outbox import enqueue_status_update
from .service_levels import CLOCK_FIELDS, follow_status_change


class CaseworkError(ValueError):
    """A change that is not allowed, with a message for the member of staff."""


@transaction.atomic
def change_status(
    request: ServiceRequest,
    status: str,
    *,
    actor,
    internal_note: str = "",
    public_note: str = "",
    via: str = "",
) -> RequestEvent:
    """Move the request to `status`, record it, and queue the citizen's email when they should hear of it.

    Waiting for the citizen stops the service-level clock; leaving "waiting" restarts it and
    moves the due date on by the time paused, which the event records (`service_levels`).

    Raises CaseworkError for an unknown status, or the same status without a note.
    """
    internal_note, public_note = internal_note.strip(), public_note.strip()
    if status not in Status.values:
        raise CaseworkError(gettext("Unknown status '%(status)s'.") % {"status": status})
    locked = ServiceRequest.objects.select_for_update().get(pk=request.pk)
    if status == locked.status and not (internal_note or public_note):
        raise CaseworkError(gettext("The request already has this status. Add a note to record something new."))
    now = timezone.now()
    paused = follow_status_change(locked, status, now)
    event = RequestEvent.objects.create(
        request=locked,
        kind=RequestEvent.Kind.STATUS if status != locked.status else RequestEvent.Kind.NOTE,
        actor=actor,
        via=via,
        from_status=locked.status,
        to_status=status,
        internal_note=internal_note,
        public_note=public_note,
        due_at=locked.due_at if paused is not None else None,
        clock_paused=paused,
    )
    status_changed = status != locked.status
    locked.status = status
    if status in OPEN_STATUSES:
        locked.resolved_at = None
    elif status_changed:
        locked.resolved_at = now
    locked.save(update_fields=["status", "resolved_at", "updated_at", *CLOCK_FIELDS])
    if status_changed or event.public_note:
        enqueue_status_update(locked, event)
    request.refresh_from_db()
    return event


@transaction.atomic
def assign(request: ServiceRequest, assignee, *, actor) -> RequestEvent:
    """Give the request to `assignee` (None to unassign); claiming is assigning to oneself."""
    locked = ServiceRequest.objects.select_for_update().get(pk=request.pk)
    locked.assignee = assignee
    locked.save(update_fields=["assignee", "updated_at"])
    event = RequestEvent.objects.create(
        request=locked, kind=RequestEvent.Kind.ASSIGNED, actor=actor, assignee=assignee, to_status=locked.status
    )
    request.refresh_from_db()
    return event


@transaction.atomic
def acknowledge(request: ServiceRequest, *, by: str) -> bool:
    """Record that the queue's own system has received the request (`by` names its API key).

    Idempotent: True when this call acknowledged it (with an "Acknowledged" event in its
    history), False when it already was; `request.acknowledged_at` is the first time either way.
    """
    locked = ServiceRequest.objects.select_for_update().get(pk=request.pk)
    first_time = locked.acknowledged_at is None
    if first_time:
        locked.acknowledged_at = timezone.now()
        locked.save(update_fields=["acknowledged_at", "updated_at"])
        RequestEvent.objects.create(
            request=locked,
            kind=RequestEvent.Kind.ACKNOWLEDGED,
            via=by,
            from_status=locked.status,
            to_status=locked.status,
        )
    request.refresh_from_db()
    return first_time


@transaction.atomic
def add_citizen_update(request: ServiceRequest, text: str, *, channel: str, via: str = "") -> RequestEvent:
    """Record what the citizen (or a civic client on their behalf) added to the request, for staff.

    The status does not change and nothing is sent: staff read the update in the history and
    decide what to do. `channel` is how it came, `via` the client that sent it. Raises
    CaseworkError for an empty update.
    """
    text = text.strip()
    if not text:
        raise CaseworkError(gettext("The update is empty."))
    locked = ServiceRequest.objects.select_for_update().get(pk=request.pk)
    event = RequestEvent.objects.create(
        request=locked,
        kind=RequestEvent.Kind.CITIZEN,
        from_status=locked.status,
        to_status=locked.status,
        citizen_note=text,
        channel=channel,
        via=via,
    )
    locked.save(update_fields=["updated_at"])
    return event
