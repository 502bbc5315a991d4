"""Management command: write one person's subject access export (requests.json and their files) to a zip."""

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from backoffice.subject_rights import export_zip

from .erase_personal_data import operator


class Command(BaseCommand):
    help = "Export the requests given with an email address (answers by question, history, files) as a zip."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="The contact email address the person gave.")
        parser.add_argument("--output", required=True, help="The zip file to write (not overwritten).")
        parser.add_argument("--case", default="", help="Your case or ticket number, written in the audit log.")

    def handle(self, *args, email, output, case="", **options):
        if "@" not in email.strip():
            raise CommandError(_("Give the email address the person used, e.g. --email sam@example.com."))
        target = Path(output)
        if target.exists():
            raise CommandError(_("%(path)s exists already: choose another file.") % {"path": target})
        try:
            archive, findings = export_zip(
                email, via=f"export_subject_access by {operator()}", via_kind="command", case=case[:100]
            )
            with archive, target.open("xb") as handle:
                shutil.copyfileobj(archive, handle)
        except OSError as error:
            raise CommandError(_("The export could not be written: %(error)s") % {"error": error}) from error
        self.stdout.write(
            _("Wrote %(path)s: %(requests)s requests, %(files)s files, %(saved)s saved journeys.")
            % {
                "path": target,
                "requests": len(findings.requests),
                "files": findings.files,
                "saved": findings.saved_journeys,
            }
        )
