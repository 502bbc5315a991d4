"""Authentication of the portal API: `Authorization: Bearer <key>` with a queue API key.

A missing, malformed, unknown or revoked key gives the 401 problem document (see
`api.v1.unauthenticated`); a valid one puts its `QueueApiKey` record in `request.auth`.
"""

from django.http import HttpRequest
from ninja.security import HttpBearer

from api.keys import authenticate
from api.models import QueueApiKey


class QueueKeyAuth(HttpBearer):
    """A department system's key: it sees, acknowledges and updates the requests of its own queue only."""

    def __call__(self, request: HttpRequest) -> QueueApiKey | None:
        # Unlike HttpBearer's own, never log what was presented: it may be a key.
        scheme, _, token = request.headers.get(self.header, "").strip().partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> QueueApiKey | None:
        """The live key record for `token`, or None."""
        return authenticate(QueueApiKey, token)
