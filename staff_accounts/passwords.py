"""A password validator that refuses passwords an attacker would guess early, offline.

Django's `CommonPasswordValidator` refuses the 20,000 most common passwords exactly. This
one also refuses what is only a little way from them: zxcvbn (the estimator Dropbox wrote,
shipped as a Python package with its lists, so no network call is ever made) matches the
password against 30,000 passwords from breach corpora, English words, names and surnames,
keyboard patterns, sequences, repeats and dates, with l33t substitutions, and estimates
how many guesses it would take, counting the council's name and the words of this site as
known words too. "Password1234", "Ashworth2026!" and "qwertyuiop12" are refused; three or
four random words, or what a password manager makes, are accepted.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from zxcvbn import zxcvbn

# zxcvbn refuses longer input (its matching is quadratic); a longer password is not guessable this way.
ZXCVBN_MAX_LENGTH = 72
SITE_WORDS = ("council", "portal", "admin", "wagtail", "staff")


def site_words() -> list[str]:
    """Words an attacker would try first here: the council's name and the site's own words.

    The same for every call, as it must be: zxcvbn keeps the last call's words in a module global.
    """
    return [*re.findall(r"[a-z]+", settings.COUNCIL_NAME.lower()), *SITE_WORDS]


class GuessablePasswordValidator:
    """Refuse a password whose zxcvbn score is below `min_score` (0-4; 3 = about 10^8 guesses or more)."""

    def __init__(self, min_score: int = 3):
        self.min_score = min_score

    def validate(self, password: str, user=None) -> None:
        if len(password) > ZXCVBN_MAX_LENGTH:
            return
        if zxcvbn(password, user_inputs=site_words())["score"] < self.min_score:
            raise ValidationError(
                _(
                    "This password is too easy to guess: it is, or is close to, a common password, a word, a name, "
                    "a date or a keyboard pattern. Use three or four random words, or a password manager."
                ),
                code="password_too_guessable",
            )

    def get_help_text(self) -> str:
        return _("Your password must not be easy to guess (use three or four random words, or a password manager).")
