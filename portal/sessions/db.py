"""Sessions in the database (`django_session`), encrypted at rest; `rotate_keys` re-encrypts them all."""

from django.contrib.sessions.backends import db
from django.db import transaction

from portal.encryption import UndecryptableValue, encrypt, is_token, rotate

from . import EncryptedSession

BATCH = 500


class SessionStore(EncryptedSession, db.SessionStore):
    @classmethod
    def rotate_keys(cls) -> tuple[int, int]:
        """Write every stored session with the first key (those from before encryption too): (rotated, unreadable).

        Expired sessions are deleted first, as `clearsessions` does. A session saved meanwhile is
        left as the web request wrote it (already with the first key).
        """
        cls.clear_expired()
        sessions = cls.get_model_class().objects
        rotated = unreadable = 0
        last_key = ""
        while batch := list(
            sessions.filter(session_key__gt=last_key)
            .order_by("session_key")
            .values_list("session_key", "session_data")[:BATCH]
        ):
            with transaction.atomic():
                for key, data in batch:
                    try:
                        new_data = rotate(data) if is_token(data) else encrypt(data)
                    except UndecryptableValue:
                        unreadable += 1
                        continue
                    rotated += sessions.filter(session_key=key, session_data=data).update(session_data=new_data)
            last_key = batch[-1][0]
        return rotated, unreadable
