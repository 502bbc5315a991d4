"""Management command: build the demo council (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from home.demo import load_demo_council


class Command(BaseCommand):
    help = "Create the demo council's departments, categories and 96 service pages. Safe to run again."

    def handle(self, *args, **options):
        report = load_demo_council(settings.COUNCIL_NAME)
        if report.total:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo council: created {report.departments} departments, {report.categories} categories, "
                    f"{report.services} services and {report.other_pages} other pages."
                )
            )
        else:
            self.stdout.write("Demo council already loaded: nothing to do.")
