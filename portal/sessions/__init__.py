"""Session engines that encrypt session data at rest with FIELD_ENCRYPTION_KEYS.

A session holds a citizen's journey in progress (every answer so far) and a member of staff's
sign-in. `portal.sessions.db` (the `django_session` table) and `portal.sessions.cache` (Redis)
store Django's own signed session string encrypted as one Fernet token: one encryption per
save, one decryption per load. A session written before encryption (Django's signed string, or
in the cache Django's plain dictionary) is still read, and encrypted when next saved. A session
no configured key can decrypt is read as empty: the citizen starts again, never an error page.
"""

import logging

from portal.encryption import UndecryptableValue, decrypt, encrypt, is_token

logger = logging.getLogger(__name__)


class EncryptedSession:
    """Mixed into a Django session store before it: `encode` and `decode` add and remove the encryption."""

    def encode(self, session_dict) -> str:
        return encrypt(super().encode(session_dict))

    def decode(self, session_data) -> dict:
        if isinstance(session_data, str) and is_token(session_data):
            try:
                session_data = decrypt(session_data)
            except UndecryptableValue:
                logger.warning("A session cannot be decrypted with FIELD_ENCRYPTION_KEYS: read as empty.")
                return {}
        return super().decode(session_data)  # checks the signature; from before encryption, as it was
