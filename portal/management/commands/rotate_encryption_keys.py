"""Re-encrypt every encrypted field, database session and stored file with the first key of FIELD_ENCRYPTION_KEYS.

It also recomputes the blind indexes with FIELD_INDEX_KEY.
"""

from importlib import import_module

from cryptography.fernet import Fernet
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal.encryption import UndecryptableValue, blind_index, encrypted_fields, index_fields
from portal.file_encryption import encrypt_files, resident_files

BATCH = 500


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value (and the sessions in the database, and every resident's stored file: "
        "request files, journeys' temporary uploads, quarantine) with the first key of FIELD_ENCRYPTION_KEYS and "
        "recompute the blind indexes with FIELD_INDEX_KEY. Run it after putting a new key first; remove the old "
        "key after. "
        "--new-key prints a fresh key and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--new-key", action="store_true", help="Print a new Fernet key and stop.")

    def handle(self, *args, new_key: bool = False, **options):
        if new_key:
            self.stdout.write(Fernet.generate_key().decode())
            return
        failures = 0
        for model in apps.get_models():
            fields, indexes = encrypted_fields(model), index_fields(model)
            if fields:
                rotated, failed = self.rotate_model(model, fields, indexes)
                failures += failed
                self.stdout.write(f"{model._meta.label}: {rotated} rows re-encrypted, {failed} could not be read")
        failures += self.rotate_sessions()
        file_failures = self.rotate_files()
        if failures or file_failures:
            raise CommandError(
                f"{failures} rows could not be decrypted with any key in FIELD_ENCRYPTION_KEYS, nor "
                f"{file_failures} stored files; they were left as they were. "
                "Put the key they were written with back in the list."
            )

    def rotate_files(self) -> int:
        """Re-encrypt every stored file with the first key (one in clear is encrypted); the number no key reads."""
        request_files = apps.get_model("backoffice", "RequestFile")
        names = request_files.objects.order_by("pk").values_list("file", flat=True).iterator()
        failures = 0
        for alias, storage, stored in resident_files(names):
            report = encrypt_files(storage, stored, rotate=True)
            failures += len(report.unreadable)
            self.stdout.write(
                f"{alias}: {report.rewritten} files re-encrypted, {len(report.unreadable)} could not be read"
            )
            for name in report.unreadable:
                self.stderr.write(f"  {alias}: {name} cannot be decrypted")
        return failures

    def rotate_model(self, model, fields, indexes) -> tuple[int, int]:
        """Read each row through its fields (any key decrypts) and write it back (the first key encrypts)."""
        names = [field.name for field in fields]
        rotated = failed = 0
        pks = list(model._base_manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), BATCH):
            with transaction.atomic():
                for pk in pks[start : start + BATCH]:
                    try:
                        values = model._base_manager.filter(pk=pk).values(*names).get()
                    except UndecryptableValue:
                        failed += 1
                        continue
                    except model.DoesNotExist:
                        continue  # deleted meanwhile
                    for index in indexes:
                        values[index.attname] = blind_index(values.get(index.source) or "")
                    model._base_manager.filter(pk=pk).update(**values)
                    rotated += 1
        return rotated, failed

    def rotate_sessions(self) -> int:
        """Re-encrypt the sessions the database holds; cached ones are rewritten as they are saved, or expire."""
        store = import_module(settings.SESSION_ENGINE).SessionStore
        if hasattr(store, "rotate_keys"):
            rotated, failed = store.rotate_keys()
            self.stdout.write(f"Sessions: {rotated} re-encrypted, {failed} could not be read")
            return failed
        self.stdout.write(
            f"Sessions: not in the database (SESSION_ENGINE={settings.SESSION_ENGINE}); each is written with the "
            f"first key when next saved and expires within SESSION_COOKIE_AGE ({settings.SESSION_COOKIE_AGE} s)."
        )
        return 0
