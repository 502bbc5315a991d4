"""Reading Open311's own parameters: W3C datetimes, coordinates, comma lists and the search window.

These are the spec's rules only; what a question accepts is checked by the form engine.
Every function raises Open311Error (400) with a message naming the parameter.
"""

import math
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext

from portal.language import language_code, preferred_language

from .errors import Open311Error, field_error

MAX_WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
MAX_LIST_ITEMS = 100


def parse_w3c_datetime(name: str, value: str) -> datetime:
    """A W3C datetime ('2026-03-27', '2026-03-27T09:30:00Z', '…+01:00') as an aware datetime.

    A date alone means its midnight, and a time without an offset the council's local time.
    """
    text = value.strip()
    try:
        parsed = (
            datetime.fromisoformat(text)
            if "T" in text or " " in text
            else datetime.combine(date.fromisoformat(text), time.min)
        )
    except ValueError:
        raise Open311Error.bad_input(
            field_error(name, gettext("Use a W3C datetime, for example 2026-03-27T09:30:00Z."))
        ) from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def w3c(moment: datetime | None) -> str | None:
    """A datetime as the spec writes it: W3C format, in the council's time zone, to the second."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def parse_coordinate(name: str, value: str, limit: int) -> float:
    """A latitude (limit 90) or longitude (limit 180) in decimal degrees (WGS84)."""
    try:
        number = float(value.strip())
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not -limit <= number <= limit:
        raise Open311Error.bad_input(
            field_error(name, gettext("Enter a number of degrees from -%(limit)s to %(limit)s.") % {"limit": limit})
        )
    return number


def comma_list(name: str, value: str | None) -> list[str]:
    """The items of a comma-separated parameter, blanks dropped (at most 100)."""
    items = [item.strip() for item in (value or "").split(",") if item.strip()]
    if len(items) > MAX_LIST_ITEMS:
        raise Open311Error.bad_input(
            field_error(name, gettext("Give at most %(count)s values.") % {"count": MAX_LIST_ITEMS})
        )
    return items


def search_window(start: str | None, end: str | None) -> tuple[datetime, datetime]:
    """The [start, end] of a search: by default the 90 days to now; never longer than 90 days."""
    end_at = parse_w3c_datetime("end_date", end) if end else timezone.now()
    start_at = parse_w3c_datetime("start_date", start) if start else end_at - MAX_WINDOW
    if start_at > end_at:
        raise Open311Error.bad_input(field_error("start_date", gettext("It must be before end_date.")))
    if end_at - start_at > MAX_WINDOW:
        raise Open311Error.bad_input(
            field_error("start_date", gettext("The dates may not be more than 90 days apart."))
        )
    return start_at, end_at


def request_language(locale: str | None, accept_language: str | None) -> str:
    """The resident's language: the `locale` parameter (this portal's extension: GeoReport v2 defines none),
    else the first language of Accept-Language the portal offers, else English.

    A `locale` the portal does not offer is refused (400), naming it.
    """
    if locale is None or not locale.strip():
        return preferred_language(accept_language)
    code = language_code(locale)
    if code is None:
        message = gettext("'%(locale)s' is not a language the council offers. Use en-gb (English) or cy (Welsh).")
        raise Open311Error.bad_input(field_error("locale", message % {"locale": locale.strip()[:40]}))
    return code
