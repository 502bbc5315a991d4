"""Sessions in the cache (Redis), encrypted at rest: the cache holds the token instead of the session's dictionary.

Django's cache store puts the dictionary itself in the cache (pickled by the cache) and never
calls `encode`; this one stores `encode(...)` and decodes what it loads. The keys are Django's,
so sessions written before the change are found, and read as they are until next saved.
Nothing re-encrypts the cache: each session is written with the first key when next saved and
expires within SESSION_COOKIE_AGE.
"""

from asgiref.sync import sync_to_async
from django.contrib.sessions.backends import cache
from django.contrib.sessions.backends.base import CreateError, UpdateError

from . import EncryptedSession


class SessionStore(EncryptedSession, cache.SessionStore):
    def load(self):
        stored = super().load()  # the token; a dictionary from before encryption; {} when there is none
        return stored if isinstance(stored, dict) else self.decode(stored)

    def save(self, must_create=False):
        """Django's save, storing the encoded session (and asking only whether it exists, not for its data)."""
        if self.session_key is None:
            return self.create()
        if must_create:
            store = self._cache.add
        elif self._cache.has_key(self.cache_key):
            store = self._cache.set
        else:
            raise UpdateError
        stored = store(self.cache_key, self.encode(self._get_session(no_load=must_create)), self.get_expiry_age())
        if must_create and not stored:
            raise CreateError

    # Django's asynchronous versions would store the dictionary in clear: go through the ones above.
    async def aload(self):
        return await sync_to_async(self.load)()

    async def asave(self, must_create=False):
        return await sync_to_async(self.save)(must_create)
