"""Pluggable UK address lookup by postcode, used by the address question's "Find address" button.

Set `ADDRESS_LOOKUP_PROVIDER` to the dotted path of an `AddressLookupProvider` subclass to turn
the button on; without it (the default) citizens type their address, which always works.
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FoundAddress:
    """One address a provider found for a postcode, with its unique property reference number."""

    uprn: str
    line1: str
    line2: str
    town: str
    postcode: str

    def one_line(self) -> str:
        """The address on one line, e.g. for a list of addresses to choose from."""
        return ", ".join(part for part in (self.line1, self.line2, self.town, self.postcode) if part)


class AddressLookupProvider:
    """Finds the addresses at a postcode. Subclasses call a gazetteer (OS Places, a council LLPG, ...)."""

    def lookup(self, postcode: str) -> list[FoundAddress]:
        """Addresses at a normalised postcode such as "AB1 2CD"; may raise on a network or service failure."""
        raise NotImplementedError(f"{type(self).__name__} must implement lookup()")


class DemoAddressLookup(AddressLookupProvider):
    """Fictional addresses in Ashworth for postcodes starting AB1, for demonstrations and tests."""

    streets = ("Mill Lane", "Church Street", "Orchard Close", "Station Road")

    def lookup(self, postcode: str) -> list[FoundAddress]:
        if not postcode.upper().startswith("AB1"):
            return []
        seed = zlib.crc32(postcode.encode()) % 1_000_000
        street = self.streets[seed % len(self.streets)]
        lines = [(f"{number} {street}", "") for number in (1, 2, 4)] + [("Flat 1", f"6 {street}")]
        return [
            FoundAddress(uprn=f"9{seed:06d}{index:05d}", line1=line1, line2=line2, town="Ashworth", postcode=postcode)
            for index, (line1, line2) in enumerate(lines, start=1)
        ]


def get_provider() -> AddressLookupProvider | None:
    """The configured provider, or None when addresses are entered by hand only.

    A misconfigured dotted path raises ImportError: a deploy mistake should be loud, not hidden.
    """
    path = getattr(settings, "ADDRESS_LOOKUP_PROVIDER", None)
    return import_string(path)() if path else None


def find_addresses(postcode: str) -> list[FoundAddress]:
    """Addresses at the postcode from the configured provider; [] when there is none or it fails (logged)."""
    provider = get_provider()
    if provider is None:
        return []
    try:
        return list(provider.lookup(postcode))
    except Exception:
        logger.warning("Address lookup failed for a postcode", exc_info=True)
        return []
