"""Django form fields for e-form questions, validated with GOV.UK-style plain-English messages.

Every field keeps the `Question` it was built from (`field.question`). Fields made of several
boxes (date, name, address, location) are `PartsField`s: a `PartsWidget` posts one value per
part as `<name>-<part>` (e.g. `step-dob-day`), and a `PartError` says which boxes to highlight.
Messages are made when a value is cleaned, so they follow the language of the request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal.filenames import display_name

from .address_lookup import find_addresses, get_provider
from .definition import Question
from .scanning import check_for_viruses
from .uploads import FILE_TYPES, UploadRefused, inspect_upload, max_size_mb

MEGABYTE = 1024 * 1024
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
POSTCODE = re.compile(r"^(?:[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}|GIR 0AA)$")
NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
NUMBER_LIMIT = Decimal("1e15")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
FULL_MONTHS = tuple("january february march april may june july august september october november december".split())
WELSH_MONTHS = tuple("ionawr chwefror mawrth ebrill mai mehefin gorffennaf awst medi hydref tachwedd rhagfyr".split())
DEFAULT_FILE_TYPES = ("pdf", "jpeg", "png")


# --- wording ------------------------------------------------------------------------------


def _bare_label(question: Question) -> str:
    return question.label.strip().rstrip("?.:! ").strip()


def label_lower(question: Question) -> str:
    """The label for the middle of a sentence: "Date of birth?" -> "date of birth" (acronyms kept)."""
    text = _bare_label(question)
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


IMPERATIVE_VERBS = {
    "add",
    "choose",
    "confirm",
    "describe",
    "enter",
    "explain",
    "give",
    "list",
    "provide",
    "select",
    "tell",
    "upload",
}
WHAT_IS = re.compile(
    r"^(?:what is|what's|what are|what was)\s+((?:your|their|the|his|her|its|this)\s.+)$", re.IGNORECASE
)
INVERTED = re.compile(
    r"^(?:is|are|was|were|do|does|did|will|would|can|could|should|has|have)\b|"
    r"\b(?:is|are|was|were|do|does|did|will|would|can|could|should|has|have)\s+"
    r"(?:you|your|it|they|their|the|this|there|we|i|he|she|anyone|a|an)\b",
    re.IGNORECASE,
)


def _english_active() -> bool:
    return (get_language() or "en").lower().startswith("en")


def missing_answer_message(question: Question, verb: str) -> str:
    """A GOV.UK-style message for a missing answer, made from the label whatever its shape.

    "What is your name?" -> "Enter your name"; "Tell us what happened" -> itself;
    "Which bin was missed?" -> "Select which bin was missed"; a question that cannot be
    turned into an instruction ("When did it happen?") is quoted: 'Enter an answer to “…”'.
    In Welsh the question is always quoted: 'Rhowch ateb i “…”'.
    """
    if not _english_active():
        # Turning a label into an instruction is English grammar: other languages quote the question.
        return gettext("%(verb)s an answer to “%(question)s”") % {"verb": verb, "question": question.label.strip()}
    text = _bare_label(question).removesuffix("(optional)").strip()
    first_word = text.split(" ", 1)[0].lower()
    if first_word in IMPERATIVE_VERBS:
        return text[:1].upper() + text[1:]
    what_is = WHAT_IS.match(text)
    if what_is:
        return f"{verb} {what_is.group(1)[:1].lower()}{what_is.group(1)[1:]}"
    if INVERTED.search(text):
        return gettext("%(verb)s an answer to “%(question)s”") % {"verb": verb, "question": question.label.strip()}
    return f"{verb} {label_lower(question)}"


def label_title(question: Question) -> str:
    """The label to start a sentence: "date of birth?" -> "Date of birth"."""
    text = _bare_label(question)
    return text[:1].upper() + text[1:]


def field_label(question: Question) -> str | Promise:
    """The label shown on the page, with "(optional)" when the question is not required."""
    return question.label if question.required else format_lazy("{} ({})", question.label, _("optional"))


def format_number(number: Decimal | int | float) -> str:
    """A number as people write it: 1,250 or 2.5 (no trailing zeros)."""
    value = Decimal(str(number))
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def format_day(day: date) -> str:
    """A date as GOV.UK writes it: 24 November 2026."""
    return format_date(day, "j F Y")


def clean_text(value: Any) -> str:
    """Text as submitted, stripped, with Windows line endings and control characters (NUL, ...) removed."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL_CHARACTERS.sub("", text).strip()


def too_long_message(name: str, limit: int) -> str:
    return gettext("%(name)s must be %(limit)s characters or less") % {"name": name, "limit": format_number(limit)}


def normalise_postcode(value: str) -> str | None:
    """A UK postcode in upper case with one space ("sw1a2aa" -> "SW1A 2AA"), or None when it is not one."""
    compact = re.sub(r"\s+", "", value).upper()
    postcode = f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact
    return postcode if POSTCODE.match(postcode) else None


class PartError(ValidationError):
    """A validation error that names the boxes (parts) of a field to highlight."""

    def __init__(self, message: str, parts: tuple[str, ...] | list[str] = (), code: str = "invalid"):
        super().__init__(message, code=code)
        self.parts = tuple(parts)


# --- single-value fields ------------------------------------------------------------------


class QuestionField(forms.Field):
    """Mixin for fields built from a question: keeps it, labels and hints the field, and checks `required`."""

    question: Question

    def setup(self, question: Question) -> None:
        self.question = question
        self.label = field_label(question)
        self.help_text = question.hint
        self.required = question.required

    def required_message(self) -> str:
        return missing_answer_message(self.question, gettext("Enter"))

    def validate(self, value: Any) -> None:
        if value in self.empty_values and self.required:
            raise ValidationError(self.required_message(), code="required")


class TextField(QuestionField, forms.CharField):
    """Short or long text: stripped, control characters removed, at most `max_length` characters."""

    def __init__(self, question: Question, max_length: int, **kwargs: Any):
        super().__init__(**kwargs)
        self.setup(question)
        self.limit = max_length
        self.validators = []  # length and NUL are handled here, with our wording

    def to_python(self, value: Any) -> str:
        return clean_text(value)

    def validate(self, value: str) -> None:
        super().validate(value)
        if len(value) > self.limit:
            raise ValidationError(too_long_message(label_title(self.question), self.limit), code="max_length")


class EmailField(TextField):
    """An email address in the correct format."""

    def __init__(self, question: Question, **kwargs: Any):
        super().__init__(question, max_length=254, **kwargs)

    def validate(self, value: str) -> None:
        super().validate(value)
        if value:
            try:
                validate_email(value)
            except ValidationError:
                raise ValidationError(
                    gettext("Enter an email address in the correct format, like name@example.com"), code="invalid"
                ) from None


class PhoneField(TextField):
    """A UK telephone number (0…, +44…, 0044…), cleaned to a canonical spacing such as "01632 960001"."""

    def __init__(self, question: Question, **kwargs: Any):
        super().__init__(question, max_length=50, **kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return normalise_phone(text) or text

    def validate(self, value: str) -> None:
        super().validate(value)
        if value and normalise_phone(value) != value:
            raise ValidationError(
                gettext("Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"),
                code="invalid",
            )


def normalise_phone(value: str) -> str | None:
    """A UK number as "01632 960001", "020 7946 0000" or "+44 7700 900123"; None when it is not one."""
    compact = re.sub(r"[\s().\-]", "", value.replace("(0)", ""))
    international = compact.startswith(("+44", "0044"))
    if international:
        national = compact.removeprefix("+44").removeprefix("0044").removeprefix("0")
    elif compact.startswith("0"):
        national = compact[1:]
    else:
        return None
    if not national.isdigit() or not national.isascii() or national[0] == "0":
        return None
    if len(national) != 10 and not (len(national) == 9 and national.startswith(("1", "800"))):
        return None  # 10 digits after the 0; 9 only for some area codes and 0800 numbers
    if national[0] == "2":
        groups = [national[:2], national[2:6], national[6:]]
    elif national[0] in "389" or (national[0] == "1" and "1" in national[1:3]):
        groups = [national[:3], national[3:6], national[6:]]
    else:
        groups = [national[:4], national[4:]]
    return ("+44 " if international else "0") + " ".join(groups)


class NumberField(QuestionField):
    """A number, commas allowed as thousands separators; whole or decimal, between optional limits."""

    widget = forms.TextInput

    def __init__(self, question: Question, **kwargs: Any):
        super().__init__(**kwargs)
        self.setup(question)
        rules = question.rules
        self.whole_number = bool(rules.get("whole_number", True))
        self.min_value = _decimal(rules.get("min_value"))
        self.max_value = _decimal(rules.get("max_value"))

    def to_python(self, value: Any) -> str:
        return clean_text(value)

    def clean(self, value: Any) -> Decimal | None:
        text = self.to_python(value)
        self.validate(text)
        if not text:
            return None
        name = label_title(self.question)
        compact = re.sub(r"(?<=\d),(?=\d{3})", "", text).replace(" ", "")
        if not NUMBER.match(compact) or not compact.isascii():
            raise ValidationError(gettext("%(name)s must be a number") % {"name": name}, code="invalid")
        if len(compact.lstrip("+-").split(".")[0].lstrip("0")) > 15:
            number = NUMBER_LIMIT if not compact.startswith("-") else -NUMBER_LIMIT
        else:
            number = Decimal(compact)
        if self.whole_number and number != number.to_integral_value():
            raise ValidationError(gettext("%(name)s must be a whole number") % {"name": name}, code="whole_number")
        low = -NUMBER_LIMIT + 1 if self.min_value is None else max(self.min_value, -NUMBER_LIMIT + 1)
        high = NUMBER_LIMIT - 1 if self.max_value is None else min(self.max_value, NUMBER_LIMIT - 1)
        if number < low:
            message = gettext("%(name)s must be %(limit)s or more")
            raise ValidationError(message % {"name": name, "limit": format_number(low)}, code="min_value")
        if number > high:
            message = gettext("%(name)s must be %(limit)s or less")
            raise ValidationError(message % {"name": name, "limit": format_number(high)}, code="max_value")
        return number.to_integral_value() if self.whole_number else number


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


class SingleChoiceField(QuestionField, forms.ChoiceField):
    """One option of a radios, select or yes/no question; a value that is not an option is rejected."""

    def __init__(self, question: Question, choices: list[tuple[str, Any]], **kwargs: Any):
        super().__init__(choices=choices, **kwargs)
        self.setup(question)

    def required_message(self) -> str:
        return missing_answer_message(self.question, gettext("Select"))

    def validate(self, value: str) -> None:
        super().validate(value)
        if value and not self.valid_value(value):
            raise ValidationError(self.required_message(), code="invalid_choice")


class YesNoField(SingleChoiceField):
    """A yes or no question, answered "yes" or "no"."""

    def __init__(self, question: Question, **kwargs: Any):
        super().__init__(question, choices=[("yes", _("Yes")), ("no", _("No"))], **kwargs)

    def required_message(self) -> str:
        return gettext("Select yes or no")


class MultipleChoiceField(QuestionField, forms.MultipleChoiceField):
    """Checkboxes: any options, at least `min_selections` and at most `max_selections`."""

    def __init__(self, question: Question, **kwargs: Any):
        super().__init__(choices=[(option.value, option.label) for option in question.options], **kwargs)
        self.setup(question)
        self.min_selections = int(question.rules.get("min_selections") or 0)
        self.max_selections = int(question.rules.get("max_selections") or 0)

    def to_python(self, value: Any) -> list[str]:
        values = value if isinstance(value, (list, tuple)) else [value] if value else []
        return list(dict.fromkeys(str(item) for item in values))

    def required_message(self) -> str:
        return missing_answer_message(self.question, gettext("Select"))

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        if any(not self.valid_value(item) for item in value):
            raise ValidationError(self.required_message(), code="invalid_choice")
        count = len(value)
        if count and count < self.min_selections:
            message = ngettext(
                "Select at least %(count)s option", "Select at least %(count)s options", self.min_selections
            )
            raise ValidationError(message % {"count": self.min_selections}, code="min_selections")
        if self.max_selections and count > self.max_selections:
            message = ngettext(
                "Select no more than %(count)s option", "Select no more than %(count)s options", self.max_selections
            )
            raise ValidationError(message % {"count": self.max_selections}, code="max_selections")


class DeclarationField(QuestionField, forms.BooleanField):
    """A single checkbox the citizen ticks to confirm the statement."""

    def __init__(self, question: Question, **kwargs: Any):
        super().__init__(**kwargs)
        self.setup(question)
        self.statement = question.rules.get("statement") or question.label

    def required_message(self) -> str:
        return gettext("You must confirm the declaration")

    def validate(self, value: bool) -> None:
        if not value and self.required:
            raise ValidationError(self.required_message(), code="required")


class UploadField(QuestionField, forms.FileField):
    """One file, at most `max_size_mb`, of an allowed type recognised by its content (not its name)."""

    widget = forms.FileInput

    def __init__(self, question: Question, **kwargs: Any):
        super().__init__(**kwargs)
        self.setup(question)
        self.max_size_mb = max_size_mb(question)
        allowed = [kind for kind in question.rules.get("allowed_types") or DEFAULT_FILE_TYPES if kind in FILE_TYPES]
        self.allowed_types = tuple(allowed) or DEFAULT_FILE_TYPES
        self.widget.attrs["accept"] = ",".join(FILE_TYPES[kind][2] for kind in self.allowed_types)

    def required_message(self) -> str:
        return missing_answer_message(self.question, gettext("Select"))

    def to_python(self, data: Any) -> Any:
        select = self.required_message()
        self.error_messages.update(invalid=select, missing=select, empty=gettext("The selected file is empty"))
        return super().to_python(data)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if not upload:
            return None
        if upload.size > self.max_size_mb * MEGABYTE:
            message = gettext("The selected file must be smaller than %(size)sMB") % {"size": self.max_size_mb}
            raise ValidationError(message, code="too_big")
        try:
            checked = inspect_upload(upload, self.allowed_types)
            check_for_viruses(upload, context=f"question {self.question.id}")  # what was sent, not the re-encoding
        except UploadRefused as refused:
            raise ValidationError(refused.message, code=refused.code) from None
        kept = checked.file
        kept.name = display_name(upload.name, checked.extension)
        kept.content_type = checked.content_type  # what it is, not what the browser said
        return kept


# --- fields of several boxes ----------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One box of a field made of several: its key (name suffix), label and input settings."""

    key: str
    label: str | Promise
    autocomplete: str = ""
    classes: str = ""
    inputmode: str = ""
    hint: str | Promise = ""
    textarea: bool = False
    max_length: int = 200


class PartsWidget(forms.MultiWidget):
    """One text box per part, posted as `<name>-<part key>`; templates render the boxes in GOV.UK markup."""

    def __init__(self, parts: tuple[Part, ...], attrs: dict | None = None):
        self.parts = parts
        super().__init__([forms.TextInput() for _part in parts], attrs)
        self.widgets_names = [f"-{part.key}" for part in parts]

    def decompress(self, value: Any) -> list[str]:
        value = value or {}
        return [str(value.get(part.key) or "") for part in self.parts]


class PartsField(QuestionField):
    """A question answered in several boxes; `compress` turns the cleaned parts into the answer."""

    parts: tuple[Part, ...] = ()

    def __init__(self, question: Question, **kwargs: Any):
        super().__init__(widget=PartsWidget(self.parts), **kwargs)
        self.setup(question)

    def display_parts(self) -> tuple[Part, ...]:
        """The parts in the order they are shown."""
        return self.parts

    def part(self, key: str) -> Part:
        return next(part for part in self.parts if part.key == key)

    def to_python(self, value: Any) -> dict[str, str]:
        values = list(value) if isinstance(value, (list, tuple)) else []
        values += [""] * (len(self.parts) - len(values))
        return {part.key: clean_text(raw) for part, raw in zip(self.parts, values, strict=False)}

    def clean(self, value: Any) -> Any:
        values = self.to_python(value)
        if not any(values.values()) and not self.required:
            return None
        errors = [
            PartError(too_long_message(part.label, part.max_length), [part.key], code="max_length")
            for part in self.parts
            if len(values[part.key]) > part.max_length
        ]
        if errors:
            raise ValidationError(errors)
        return self.compress(values)

    def compress(self, values: dict[str, str]) -> Any:
        raise NotImplementedError

    def missing(self, values: dict[str, str], messages: dict[str, str]) -> list[PartError]:
        """An error for each empty part that must be given, in the order of `messages`."""
        return [PartError(message, [key], code="required") for key, message in messages.items() if not values[key]]


class DateField(PartsField):
    """A GOV.UK date input (day, month, year), with today-relative and earliest/latest rules."""

    def __init__(self, question: Question, **kwargs: Any):
        birth = "birth" in f"{question.id} {question.label}".lower()
        autocomplete = ("bday-day", "bday-month", "bday-year") if birth else ("", "", "")
        self.parts = (
            Part("day", _("Day"), autocomplete[0], "govuk-input--width-2", "numeric"),
            Part("month", _("Month"), autocomplete[1], "govuk-input--width-2", "numeric"),
            Part("year", _("Year"), autocomplete[2], "govuk-input--width-4", "numeric"),
        )
        super().__init__(question, **kwargs)

    def clean(self, value: Any) -> date | None:
        values = self.to_python(value)
        keys = [part.key for part in self.parts]
        if not any(values.values()):
            if self.required:
                raise PartError(self.required_message(), keys, code="required")
            return None
        name = label_title(self.question)
        missing = [key for key in keys if not values[key]]
        if missing:
            raise PartError(self.missing_message(name, missing), missing, code="incomplete")
        day, month, year = values["day"], _month_number(values["month"]), values["year"]
        wrong = [key for key, text in (("day", day), ("month", month), ("year", year)) if not _is_number(text)]
        if wrong:
            raise PartError(gettext("%(name)s must be a real date") % {"name": name}, wrong)
        if len(year) != 4:
            raise PartError(gettext("Year must include 4 numbers"), ["year"])
        try:
            answer = date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            raise PartError(gettext("%(name)s must be a real date") % {"name": name}, keys) from None
        self.check_rules(answer, name)
        return answer

    @staticmethod
    def missing_message(name: str, missing: list[str]) -> str:
        messages = {
            ("day",): gettext("%(name)s must include a day"),
            ("month",): gettext("%(name)s must include a month"),
            ("year",): gettext("%(name)s must include a year"),
            ("day", "month"): gettext("%(name)s must include a day and month"),
            ("day", "year"): gettext("%(name)s must include a day and year"),
            ("month", "year"): gettext("%(name)s must include a month and year"),
        }
        return messages[tuple(missing)] % {"name": name}

    def check_rules(self, answer: date, name: str) -> None:
        rules = self.question.rules
        keys = [part.key for part in self.parts]
        today = timezone.localdate()
        if rules.get("direction") == "past" and answer > today:
            raise PartError(gettext("%(name)s must be today or in the past") % {"name": name}, keys)
        if rules.get("direction") == "future" and answer < today:
            raise PartError(gettext("%(name)s must be today or in the future") % {"name": name}, keys)
        earliest, latest = _iso_date(rules.get("earliest")), _iso_date(rules.get("latest"))
        if earliest and answer < earliest:
            message = gettext("%(name)s must be the same as or after %(date)s")
            raise PartError(message % {"name": name, "date": format_day(earliest)}, keys)
        if latest and answer > latest:
            message = gettext("%(name)s must be the same as or before %(date)s")
            raise PartError(message % {"name": name, "date": format_day(latest)}, keys)


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _month_number(text: str) -> str:
    """A month as digits; month names and three-letter abbreviations ("Nov", "november", "Tachwedd") are accepted."""
    lowered = text.lower().rstrip(".")
    for number, (short, full, welsh) in enumerate(zip(MONTHS, FULL_MONTHS, WELSH_MONTHS, strict=True), start=1):
        if lowered in (short, full, welsh) or (lowered == "sept" and short == "sep"):
            return str(number)
    return text


def _iso_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


class NameField(PartsField):
    """First name and last name, each up to 100 characters."""

    parts = (
        Part("first_name", _("First name"), "given-name", "govuk-!-width-two-thirds", max_length=100),
        Part("last_name", _("Last name"), "family-name", "govuk-!-width-two-thirds", max_length=100),
    )

    def compress(self, values: dict[str, str]) -> dict[str, str]:
        errors = self.missing(
            values,
            {"first_name": gettext("Enter your first name"), "last_name": gettext("Enter your last name")},
        )
        if errors:
            raise ValidationError(errors)
        return values


class AddressField(PartsField):
    """A UK address typed in, or chosen from a postcode lookup when a provider is configured (with its UPRN)."""

    parts = (
        Part("line1", _("Address line 1"), "address-line1"),
        Part("line2", format_lazy("{} ({})", _("Address line 2"), _("optional")), "address-line2"),
        Part("town", _("Town or city"), "address-level2", "govuk-!-width-two-thirds"),
        Part("postcode", _("Postcode"), "postal-code", "govuk-input--width-10", max_length=20),
        Part("uprn", _("Select an address"), max_length=12),
    )

    @staticmethod
    def lookup_enabled() -> bool:
        return get_provider() is not None

    def display_parts(self) -> tuple[Part, ...]:
        """Postcode first when it finds addresses; the GOV.UK address order otherwise (UPRN never typed)."""
        manual = ("line1", "line2", "town", "postcode")
        order = ("postcode", *manual[:3]) if self.lookup_enabled() else manual
        return tuple(self.part(key) for key in order)

    def compress(self, values: dict[str, str]) -> dict[str, str]:
        if values["uprn"] and self.lookup_enabled():
            return self.chosen_address(values)
        errors = self.missing(
            values,
            {
                "line1": gettext("Enter address line 1, typically the building and street"),
                "town": gettext("Enter town or city"),
                "postcode": gettext("Enter postcode"),
            },
        )
        postcode = normalise_postcode(values["postcode"])
        if values["postcode"] and not postcode:
            errors.append(PartError(gettext("Enter a real postcode"), ["postcode"]))
        if errors:
            raise ValidationError(errors)
        return {"line1": values["line1"], "line2": values["line2"], "town": values["town"], "postcode": postcode}

    def chosen_address(self, values: dict[str, str]) -> dict[str, str]:
        """The address with the chosen UPRN among those found at the postcode; an error when it is not one."""
        found = self.found_addresses(values["postcode"])
        chosen = next((address for address in found if address.uprn == values["uprn"]), None)
        if chosen is None:
            raise PartError(gettext("Select an address from the list, or enter the address below"), ["uprn"])
        return {
            "line1": chosen.line1,
            "line2": chosen.line2,
            "town": chosen.town,
            "postcode": chosen.postcode,
            "uprn": chosen.uprn,
        }

    @staticmethod
    def found_addresses(postcode: str) -> list:
        normalised = normalise_postcode(postcode or "")
        return find_addresses(normalised) if normalised else []


class LocationField(PartsField):
    """Where something is: a description, an optional postcode, and optional map coordinates."""

    parts = (
        Part(
            "description",
            _("Describe the location"),
            hint=_("For example, outside 14 Mill Lane, or the lay-by on the A6 north of the roundabout"),
            textarea=True,
            max_length=500,
        ),
        Part(
            "postcode",
            format_lazy("{} ({})", _("Postcode"), _("optional")),
            "postal-code",
            "govuk-input--width-10",
            max_length=20,
        ),
        Part(
            "latitude",
            format_lazy("{} ({})", _("Latitude"), _("optional")),
            classes="govuk-input--width-10",
            hint=_("For example, 52.2053"),
            max_length=30,
        ),
        Part(
            "longitude",
            format_lazy("{} ({})", _("Longitude"), _("optional")),
            classes="govuk-input--width-10",
            hint=_("For example, -1.5256"),
            max_length=30,
        ),
    )
    ranges = {"latitude": (Decimal(49), Decimal(61)), "longitude": (Decimal(-9), Decimal("2.5"))}

    def compress(self, values: dict[str, str]) -> dict[str, Any]:
        errors: list[PartError] = []
        coordinates = {key: self.coordinate(key, values[key], errors) for key in self.ranges}
        given = [key for key in self.ranges if values[key]]
        if len(given) == 1:
            missing = [key for key in self.ranges if key not in given]
            errors.append(PartError(gettext("Enter both latitude and longitude"), missing, code="incomplete"))
        if not given and not values["description"]:
            errors.append(PartError(gettext("Enter a description of the location"), ["description"], code="required"))
        postcode = normalise_postcode(values["postcode"]) if values["postcode"] else ""
        if postcode is None:
            errors.append(PartError(gettext("Enter a real postcode"), ["postcode"]))
        if errors:
            raise ValidationError(errors)
        answer: dict[str, Any] = {key: values[key] for key in ("description",) if values[key]}
        if postcode:
            answer["postcode"] = postcode
        if len(given) == 2:
            answer.update({key: round(float(number), 6) for key, number in coordinates.items()})
        return answer

    def coordinate(self, key: str, text: str, errors: list[PartError]) -> Decimal | None:
        if not text:
            return None
        name = gettext("Latitude") if key == "latitude" else gettext("Longitude")
        if not NUMBER.match(text) or not text.isascii() or len(text) > 30:
            errors.append(PartError(gettext("%(name)s must be a number") % {"name": name}, [key]))
            return None
        number, (low, high) = Decimal(text), self.ranges[key]
        if not low <= number <= high:
            message = gettext("%(name)s must be between %(low)s and %(high)s")
            errors.append(PartError(message % {"name": name, "low": low, "high": high}, [key]))
            return None
        return number
