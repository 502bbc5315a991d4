"""Open311 errors: an exception carrying the spec's error list, and its response document."""

from dataclasses import dataclass

from django.utils.translation import gettext


@dataclass(frozen=True)
class ErrorItem:
    """One `<error>`: the HTTP status as its code and a description naming the field at fault."""

    code: int
    description: str


class Open311Error(Exception):
    """A request the server refuses: an HTTP status and one error per problem found."""

    def __init__(self, status: int, *descriptions: str, headers: dict[str, str] | None = None):
        super().__init__(descriptions[0] if descriptions else str(status))
        self.status = status
        self.errors = [ErrorItem(status, description) for description in descriptions]
        self.headers = headers or {}

    @classmethod
    def bad_input(cls, *descriptions: str) -> "Open311Error":
        return cls(400, *descriptions)

    @classmethod
    def not_found(cls, description: str) -> "Open311Error":
        return cls(404, description)

    @classmethod
    def forbidden(cls) -> "Open311Error":
        return cls(403, gettext("api_key: send a valid, unrevoked Open311 API key."))


def field_error(field: str, message: str) -> str:
    """An error description that names the Open311 field first, e.g. 'lat: Enter a number'."""
    return f"{field}: {message}"
