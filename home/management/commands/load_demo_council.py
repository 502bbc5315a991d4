"""Management command: build the demo council (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from django.db import transaction

from forms_catalogue.demo import load_demo_forms
from home.demo import load_demo_council


class Command(BaseCommand):
    help = "Create the demo council's departments, categories 96 service pages and demo e-forms. Safe to run again."

    def handle(self, *args, **options):
        with transaction.atomic():
            report = load_demo_council(settings.COUNCIL_NAME)
            forms = load_demo_forms()
        if forms:
            self.stdout.write(self.style.SUCCESS(f"Demo council: published {forms} e-forms."))
        if report.total:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo council: created {report.departments} departments, {report.categories} categories, "
                    f"{report.services} services and {report.other_pages} other pages."
                )
            )
        elif not forms:
            self.stdout.write("Demo council already loaded: nothing to do.")
