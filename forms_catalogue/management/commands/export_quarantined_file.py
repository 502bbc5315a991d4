"""Management command: list quarantined (infected) uploads, or write one out in clear for the security team."""

from pathlib import Path

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal.file_encryption import stored_names


class Command(BaseCommand):
    help = (
        "Without a name, list the quarantined uploads. With one (as the 'Infected upload quarantined' log line "
        "gives it) and --output, write that file, decrypted, to a new file."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", default="", help="The file's quarantine name, e.g. 3f2c….quarantined")
        parser.add_argument("--output", default="", help="The file to write (not overwritten).")

    def handle(self, *args, name="", output="", **options):
        storage = storages["quarantine"]
        if not name:
            for found in sorted(stored_names(storage)):
                self.stdout.write(f"{found}  {storage.get_modified_time(found):%Y-%m-%d %H:%M}")
            return
        if not output:
            raise CommandError(_("Give the file to write with --output."))
        target = Path(output)
        if target.exists():
            raise CommandError(_("%(path)s exists already: choose another file.") % {"path": target})
        try:
            with storage.open(name) as handle:  # decrypted by the storage
                data = handle.read()
            with target.open("xb") as out:
                out.write(data)
        except (OSError, SuspiciousFileOperation) as error:
            raise CommandError(_("The file could not be written: %(error)s") % {"error": error}) from error
        self.stdout.write(
            _("Wrote %(path)s (%(size)s bytes). It holds a virus: open it only where that is safe.")
            % {"path": target, "size": len(data)}
        )
