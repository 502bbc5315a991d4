"""`manage.py export_form <service slug or e-form page id> [-o file]`: write an e-form as an exchange file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from forms_catalogue.exchange import export_document, export_json
from forms_catalogue.models import EFormPage
from home.models import ServicePage


def find_eform(reference: str) -> EFormPage:
    """The e-form of a service (by slug) or an e-form page by id; CommandError when there is none."""
    if reference.isdigit():
        page = EFormPage.objects.filter(pk=int(reference)).first()
        if page is None:
            raise CommandError(f"There is no e-form page with the id {reference}.")
        return page
    service = ServicePage.objects.filter(slug=reference).first()
    if service is None:
        raise CommandError(f"There is no service with the slug '{reference}'.")
    page = EFormPage.objects.child_of(service).first()
    if page is None:
        raise CommandError(f"The service '{service.title}' has no e-form.")
    return page


class Command(BaseCommand):
    help = "Export an e-form (by its service's slug or its page id) as a JSON form file."

    def add_arguments(self, parser):
        parser.add_argument("form", help="the service's slug, or the e-form page's id")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, form, output=None, **options):
        text = export_json(export_document(find_eform(form)))
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {output}")
        else:
            self.stdout.write(text, ending="")
