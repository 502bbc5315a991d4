"""Management command: erase one person's requests and saved journeys, for a subject-rights (erasure) request."""

import getpass

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from backoffice.subject_rights import erase, find


def operator() -> str:
    """Who ran the command, for the audit log."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Command(BaseCommand):
    help = (
        "Show, then with --yes erase, the requests given with an email address: answers, files, messages and "
        "history are deleted (an anonymous row is kept for the figures), and the person's saved journeys."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="The contact email address the person gave.")
        parser.add_argument("--yes", action="store_true", help="Erase; without it, only show what would be erased.")
        parser.add_argument("--case", default="", help="Your case or ticket number, written in the audit log.")

    def handle(self, *args, email, yes=False, case="", **options):
        if "@" not in email.strip():
            raise CommandError(_("Give the email address the person used, e.g. --email sam@example.com."))
        audit_data = {"via": f"erase_personal_data by {operator()}", "via_kind": "command", "case": case[:100]}
        if not yes:
            findings = find(email, **audit_data)
            if not findings.requests and not findings.saved_journeys:
                self.stdout.write(_("Nothing is held for this email address."))
                return
            for request in findings.requests:
                self.stdout.write(
                    f"{request.display_reference}  {request.created_at:%Y-%m-%d}  {request.get_status_display()}  "
                    f"{request.service.title}  ({request.file_count} files)"
                )
            self.stdout.write(
                _(
                    "%(requests)s requests, %(files)s files, %(saved)s saved journeys. "
                    "Run again with --yes to erase them."
                )
                % {"requests": len(findings.requests), "files": findings.files, "saved": findings.saved_journeys}
            )
            return
        report = erase(email, **audit_data)
        self.stdout.write(
            _(
                "Erased %(requests)s requests (%(references)s): %(files)s files, %(deliveries)s deliveries, "
                "%(events)s history events and %(saved)s saved journeys deleted."
            )
            % {
                "requests": len(report.references),
                "references": ", ".join(report.references) or "-",
                "files": report.files,
                "deliveries": report.deliveries,
                "events": report.events,
                "saved": report.saved_journeys,
            }
        )
