"""`manage.py import_form <file> --service <slug>`: add a form file as a draft e-form under a service."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from forms_catalogue.exchange import ImportProblem, import_document, parse_document
from home.models import ServicePage


class Command(BaseCommand):
    help = "Import a JSON form file as a draft e-form under a service without one. Nothing is created on any problem."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the form file (JSON)")
        parser.add_argument("--service", required=True, help="the slug of the service page to add the form under")

    def handle(self, *args, file, service, **options):
        page = ServicePage.objects.filter(slug=service).first()
        if page is None:
            raise CommandError(f"There is no service with the slug '{service}'.")
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"The file {file} cannot be read: {error.strerror}.") from None
        try:
            eform = import_document(parse_document(data), page)
        except ImportProblem as problem:
            raise CommandError("\n".join(problem.problems)) from None
        self.stdout.write(f"Imported '{eform.title}' as a draft under '{page.title}' (page id {eform.pk}).")
