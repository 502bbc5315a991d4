"""Encryption at rest: a key ring from the environment, encrypted model fields, keyed blind indexes and presence flags.

`FIELD_ENCRYPTION_KEYS` is a list of Fernet keys (AES-128-CBC + HMAC-SHA256): the first
encrypts, every one decrypts, so a new key is put first, `manage.py rotate_encryption_keys`
re-encrypts every row with it, and the old key is then removed. `FIELD_INDEX_KEY` keys the
HMAC "blind index" that lets the portal find rows by an encrypted value (a contact email)
without storing the value. Without them (development and tests only) both are derived from
SECRET_KEY; production settings refuse to start without them.

A stolen database dump holds only Fernet tokens and HMACs. A value that cannot be decrypted
(a key removed too early) raises `UndecryptableValue`, never returns garbage.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

# Fernet tokens are URL-safe base64 of a version byte 0x80, so they all start like this.
TOKEN_START = "gAAAAA"  # noqa: S105 (a format marker, not a secret)


class UndecryptableValue(Exception):
    """A stored value none of the configured keys can decrypt (a key was removed before rotation finished)."""


def derived_key(purpose: str) -> str:
    """A development key for `purpose`, derived from SECRET_KEY (never used when the environment sets one)."""
    digest = hashlib.sha256(f"portal.encryption:{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


@cache
def key_ring() -> MultiFernet:
    """The configured keys, first one encrypting; a malformed key stops start-up with a clear message."""
    keys = list(getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or [derived_key("fields")])
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64-encoded bytes each, comma separated); "
            "make one with `manage.py rotate_encryption_keys --new-key`."
        ) from error


@cache
def index_key() -> bytes:
    return (getattr(settings, "FIELD_INDEX_KEY", "") or derived_key("index")).encode()


@receiver(setting_changed)
def forget_keys(*, setting, **kwargs):
    """Tests that override the keys or SECRET_KEY get a key ring made from the new values."""
    if setting in {"FIELD_ENCRYPTION_KEYS", "FIELD_INDEX_KEY", "SECRET_KEY"}:
        key_ring.cache_clear()
        index_key.cache_clear()


def encrypt(text: str) -> str:
    return key_ring().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return key_ring().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise UndecryptableValue(
            "A stored value cannot be decrypted with FIELD_ENCRYPTION_KEYS: was a key removed before "
            "`manage.py rotate_encryption_keys` finished?"
        ) from error


def is_token(value: str) -> bool:
    return value.startswith(TOKEN_START)


def rotate(token: str) -> str:
    """The same value encrypted with the first key (a token already under it is re-encrypted all the same)."""
    try:
        return key_ring().rotate(token.encode()).decode()
    except InvalidToken as error:
        raise UndecryptableValue("A stored value cannot be decrypted with FIELD_ENCRYPTION_KEYS.") from error


def blind_index(value: str) -> str:
    """A keyed HMAC-SHA256 of a normalised value (stripped, lower case): equal values, equal indexes."""
    normalised = value.strip().lower()
    if not normalised:
        return ""
    return hmac.new(index_key(), normalised.encode(), hashlib.sha256).hexdigest()


def matches_blind_index(index_field: str, value: str) -> models.Q:
    """A filter for rows whose `index_field` is the blind index of `value`; matches nothing for a blank value."""
    index = blind_index(value)
    return models.Q(**{index_field: index}) if index else models.Q(pk__in=[])


class EncryptedFieldMixin:
    """Stores the value as a Fernet token in a text column; no lookups but `isnull` (tokens differ each time)."""

    def get_internal_type(self) -> str:
        return "TextField"

    def to_text(self, value) -> str:
        return str(value)

    def from_text(self, text: str):
        return text

    def get_prep_value(self, value):
        if value is None:
            return None
        return encrypt(self.to_text(value))

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return self.from_text(decrypt(value))

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_transform(self, lookup_name):
        return None


class WriteOnlyInput(forms.PasswordInput):
    """A password box that never renders the stored value, only whether one is set."""

    template_name = "portal/widgets/write_only_input.html"

    def __init__(self, attrs=None):
        super().__init__(attrs={"autocomplete": "new-password", **(attrs or {})}, render_value=False)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["is_set"] = bool(value)
        return context


class EncryptedTextField(EncryptedFieldMixin, models.TextField):
    """A text value encrypted at rest (a webhook secret, a broker URL with its password).

    With `write_only=True` forms never show it: the box is empty, says whether a value is set,
    and a blank box keeps the current value.
    """

    description = _("Text (encrypted at rest)")

    def __init__(self, *args, write_only: bool = False, **kwargs):
        self.write_only = write_only
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.write_only:
            kwargs["write_only"] = True
        return name, path, args, kwargs

    def to_python(self, value):
        return value if value is None else str(value)

    def formfield(self, **kwargs):
        if self.write_only:  # whatever widget the admin would choose for text
            kwargs["widget"] = WriteOnlyInput
        return super().formfield(**kwargs)

    def save_form_data(self, instance, data):
        if self.write_only and not data:
            return  # blank keeps the current value
        super().save_form_data(instance, data)


class EncryptedEmailField(EncryptedFieldMixin, models.EmailField):
    """An email address encrypted at rest; pair it with a blind index to find rows by it."""

    description = _("Email address (encrypted at rest)")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 254)
        super().__init__(*args, **kwargs)

    def to_text(self, value) -> str:
        return str(value).strip()


class EncryptedJSONField(EncryptedFieldMixin, models.JSONField):
    """A JSON document (answers, a delivery payload, a saved journey) encrypted at rest as one token."""

    description = _("A JSON object (encrypted at rest)")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("encoder", DjangoJSONEncoder)
        super().__init__(*args, **kwargs)

    def to_text(self, value) -> str:
        return json.dumps(value, cls=self.encoder)

    def from_text(self, text: str):
        return json.loads(text, cls=self.decoder)

    def get_db_prep_value(self, value, connection, prepared=False):
        # JSONField wraps the value for the database's JSON type; here it is plain text.
        return value if prepared else self.get_prep_value(value)

    def get_db_prep_save(self, value, connection):
        return self.get_db_prep_value(value, connection)

    def select_format(self, compiler, sql, params):
        return sql, params


class DerivedFromSource:
    """A field whose value is worked out from another field (`source`) of the same row on every save."""

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def derive(self, value):
        raise NotImplementedError

    def pre_save(self, model_instance, add):
        value = self.derive(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


class BlindIndexField(DerivedFromSource, models.CharField):
    """The keyed HMAC of another field's value, set on every save: filter on it with `blind_index(value)`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def derive(self, value):
        return blind_index(value or "")


class PresenceField(DerivedFromSource, models.BooleanField):
    """Whether another (encrypted) field holds a value, set on every save: filter on it, never on `field=""`.

    An encrypted empty string is a token like any other, so blank and non-blank values can only be
    told apart in the database by this flag.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", False)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def derive(self, value):
        return bool(value)


def encrypted_fields(model) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if isinstance(field, EncryptedFieldMixin)]


def index_fields(model) -> list[BlindIndexField]:
    return [field for field in model._meta.concrete_fields if isinstance(field, BlindIndexField)]


def encrypt_column(connection, table: str, column: str, *, blind_index_column: str = "") -> None:
    """Migration step: encrypt a column's plain values in place (and fill its blind index); tokens are left.

    Runs on raw SQL so it does not depend on the model's field class at the time.
    """
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {quote(column)} FROM {quote(table)}")  # noqa: S608  # nosec B608 (names from the migration, quoted)
        rows = cursor.fetchall()
        for pk, value in rows:
            if value is None or (isinstance(value, str) and is_token(value)):
                continue
            text = value if isinstance(value, str) else json.dumps(value, cls=DjangoJSONEncoder)
            assignments = [f"{quote(column)} = %s"]
            params = [encrypt(text)]
            if blind_index_column:
                assignments.append(f"{quote(blind_index_column)} = %s")
                params.append(blind_index(text))
            cursor.execute(
                f"UPDATE {quote(table)} SET {', '.join(assignments)} WHERE id = %s",  # noqa: S608  # nosec B608
                [*params, pk],
            )


def decrypt_column(connection, table: str, column: str) -> None:
    """Reverse of `encrypt_column`: put the plain values back (for rolling a migration back)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {quote(column)} FROM {quote(table)}")  # noqa: S608  # nosec B608
        for pk, value in cursor.fetchall():
            if isinstance(value, str) and is_token(value):
                cursor.execute(
                    f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s",  # noqa: S608  # nosec B608
                    [decrypt(value), pk],
                )
