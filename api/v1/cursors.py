"""Opaque, signed cursors for keyset paging: where a listing stopped, and the query it belongs to.

A cursor holds the query's scope (e.g. the queue and the filters) and the last row's
`(created_at, pk)`; the next page starts strictly after that row. Rows inserted meanwhile
never shift a page (no duplicates, no row skipped), unlike offset paging. Cursors are
signed with the project's SECRET_KEY, so a client can neither forge nor edit one.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Q

CURSOR_SALT = "api.v1.cursor"


class InvalidCursor(ValueError):
    """The cursor was not made by this API, was altered, or belongs to another query."""


@dataclass(frozen=True)
class Position:
    """The last row of a page, by the keys the listing is ordered on."""

    created_at: datetime
    pk: int

    @classmethod
    def of(cls, row: Any) -> "Position":
        return cls(created_at=row.created_at, pk=row.pk)

    def after(self, newest_first: bool) -> Q:
        """The rows that come after this one in a listing ordered by (created_at, pk), either way."""
        if newest_first:
            return Q(created_at__lt=self.created_at) | Q(created_at=self.created_at, pk__lt=self.pk)
        return Q(created_at__gt=self.created_at) | Q(created_at=self.created_at, pk__gt=self.pk)


def make_cursor(scope: dict[str, Any], position: Position) -> str:
    """A cursor for the page after `position` of the listing `scope` describes (JSON-safe values)."""
    payload = {"scope": scope, "at": position.created_at.isoformat(), "pk": position.pk}
    return signing.dumps(payload, salt=CURSOR_SALT, compress=True)


def read_cursor(cursor: str) -> tuple[dict[str, Any], Position]:
    """The scope and position a cursor holds; raises InvalidCursor for anything this API did not make."""
    try:
        payload = signing.loads(cursor, salt=CURSOR_SALT)
        scope, pk = payload["scope"], payload["pk"]
        created_at = datetime.fromisoformat(payload["at"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise InvalidCursor(str(error)) from None
    if not isinstance(scope, dict) or not isinstance(pk, int) or created_at.tzinfo is None:
        raise InvalidCursor("malformed cursor")
    return scope, Position(created_at=created_at, pk=pk)
