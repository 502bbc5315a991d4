"""Service-level targets as editors set them on a service page: a number and a unit.

The back office turns a target into a due date (`backoffice.service_levels`); this module
only names the units, says a target in words and checks that a page's "How long it takes"
text states it, so citizens are told what staff are measured against.
"""

import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class TargetUnit(models.TextChoices):
    """What a target counts: working days skip weekends and bank holidays; hours are clock hours."""

    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    HOURS = "hours", _("hours")


@dataclass(frozen=True)
class Target:
    """A service-level target, such as 10 working days or 2 hours."""

    amount: int
    unit: str

    @classmethod
    def of(cls, amount: int | None, unit: str | None) -> "Target | None":
        """The target of a page or request's two fields, or None when either is missing."""
        return cls(amount, unit) if amount and unit in TargetUnit.values else None

    def __str__(self) -> str:
        return amount_text(self.amount, self.unit)

    def is_stated_in(self, text: str) -> bool:
        """True when `text` says this target in words ("within 10 working days", "2 hours")."""
        phrases = [amount_text(self.amount, self.unit)]
        if self.unit == TargetUnit.CALENDAR_DAYS:
            phrases.append(ngettext("%(count)d day", "%(count)d days", self.amount) % {"count": self.amount})
        return any(
            re.search(r"(?<![\d.,])" + re.escape(phrase) + r"\b", text, flags=re.IGNORECASE) for phrase in phrases
        )


def amount_text(amount: int, unit: str) -> str:
    """An amount of a unit in words: "1 working day", "10 working days", "3 calendar days", "2 hours"."""
    if unit == TargetUnit.WORKING_DAYS:
        text = ngettext("%(count)d working day", "%(count)d working days", amount)
    elif unit == TargetUnit.CALENDAR_DAYS:
        text = ngettext("%(count)d calendar day", "%(count)d calendar days", amount)
    else:
        text = ngettext("%(count)d hour", "%(count)d hours", amount)
    return text % {"count": amount}
