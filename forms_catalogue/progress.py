"""Anonymous progress of a journey, announced as it happens: started, a step reached, completed.

The start view and the wizard call these functions; each sends a signal that other apps may
count (the insights app turns them into form performance figures, see its `journey_figures`),
so this app records nothing itself and imports nothing of theirs. A signal carries only the
form, the form version, the day the journey started, step ids and, on completion, the seconds
it took: no answers, no session, no request, no address.

The journey keeps what this needs in its own session state (`KEY` in the wizard's extra data):
when it started and the steps it has reached, so each step is announced once per journey
however often it is shown, changed or gone back to. Steps are the definition's step ids (all
items of a repeating step count as that one step) and `check-answers`. A journey without this
state (started before it existed) announces nothing.
"""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.dispatch import Signal
from django.utils import timezone

KEY = "progress"

# Each with page_id, version_id, started_on (the local date the journey started) and:
journey_started = Signal()  # step: the first step
step_reached = Signal()  # step: the step reached for the first time; previous_step: the furthest one before it
journey_completed = Signal()  # last_step: the furthest step; seconds: from start to submit


def now() -> float:
    """Seconds since the epoch (a function, so tests can move the clock of journeys alone)."""
    return time.time()


def started_on(state: dict[str, Any]) -> datetime.date:
    return timezone.localdate(datetime.datetime.fromtimestamp(state["started_at"], tz=datetime.UTC))


def start(page_id: int, version_id: int, first_step: str) -> dict[str, Any]:
    """Announce a new journey; returns the state to keep under `KEY`."""
    state = {"started_at": int(now()), "reached": [first_step]}
    journey_started.send(
        sender=None, page_id=page_id, version_id=version_id, started_on=started_on(state), step=first_step
    )
    return state


def reach(state: dict[str, Any] | None, page_id: int, version_id: int, step: str) -> dict[str, Any] | None:
    """Announce a step reached for the first time; the new state, or None when there is nothing to announce."""
    if not state or step in state["reached"]:
        return None
    step_reached.send(
        sender=None,
        page_id=page_id,
        version_id=version_id,
        started_on=started_on(state),
        step=step,
        previous_step=state["reached"][-1],
    )
    return {**state, "reached": [*state["reached"], step]}


def complete(state: dict[str, Any] | None, page_id: int, version_id: int) -> None:
    """Announce a journey submitted (once: the wizard calls this only when its request is new)."""
    if not state:
        return
    journey_completed.send(
        sender=None,
        page_id=page_id,
        version_id=version_id,
        started_on=started_on(state),
        last_step=state["reached"][-1],
        seconds=max(0.0, now() - state["started_at"]),
    )
