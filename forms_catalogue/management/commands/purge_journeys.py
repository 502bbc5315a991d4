"""Management command: delete expired saved journeys and abandoned temporary uploads (run daily)."""

from django.core.management.base import BaseCommand

from forms_catalogue.cleanup import purge_abandoned_journeys


class Command(BaseCommand):
    help = "Delete expired 'save and come back later' journeys and temporary uploads no journey can use any more."

    def handle(self, *args, **options):
        report = purge_abandoned_journeys()
        self.stdout.write(
            f"Deleted {report.saved_journeys} expired saved journeys and {report.files} temporary uploads."
        )
