"""Names and state of one citizen's journey through an e-form.

A journey has its own id (in the URL) and its own storage prefix, so two tabs on two forms,
or the same form twice, never share answers. Step names are the definition's step ids; a
repeating step becomes `<id>-1`, `<id>-2`, … and `<id>-list` ("add another?").
"""

import re
import secrets

JOURNEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{12,40}$")
CHECK_STEP = "check-answers"
LIST_SUFFIX = "-list"
SUBMITTED_SESSION_KEY = "eform_submitted"
FEEDBACK_SESSION_KEY = "eform_feedback_given"
REMEMBERED_JOURNEYS = 20


def new_journey_id() -> str:
    return secrets.token_urlsafe(12)


def storage_prefix(page_id: int, journey_id: str, kind: str = "eform") -> str:
    """The session key prefix of a journey; staff journeys for a resident use the kind "assisted" (never public)."""
    return f"{kind}_{page_id}_{journey_id}"


def item_step_name(step_id: str, number: int) -> str:
    return f"{step_id}-{number}"


def list_step_name(step_id: str) -> str:
    return f"{step_id}{LIST_SUFFIX}"


def parse_item_step(name: str) -> tuple[str, int] | None:
    """('people', 2) for 'people-2'; None for any other step name."""
    step_id, _, number = name.rpartition("-")
    return (step_id, int(number)) if step_id and number.isdigit() else None


def remember_submission(session, journey_id: str, request_id: int) -> None:
    """Note in the session that a journey ended in a request, so a resent POST finds it."""
    submitted = dict(session.get(SUBMITTED_SESSION_KEY, {}))
    submitted[journey_id] = request_id
    session[SUBMITTED_SESSION_KEY] = dict(list(submitted.items())[-REMEMBERED_JOURNEYS:])


def submitted_request_id(session, journey_id: str) -> int | None:
    return session.get(SUBMITTED_SESSION_KEY, {}).get(journey_id)


def remember_feedback(session, journey_id: str) -> None:
    """Note in the session that a journey's feedback was given, so a resent form is not counted twice."""
    given = [*session.get(FEEDBACK_SESSION_KEY, []), journey_id]
    session[FEEDBACK_SESSION_KEY] = given[-REMEMBERED_JOURNEYS:]


def gave_feedback(session, journey_id: str) -> bool:
    return journey_id in session.get(FEEDBACK_SESSION_KEY, [])
