"""Management command: delete expired saved journeys and abandoned temporary uploads (run daily).

`manage.py purge_expired` (the delivery worker's daily purge) runs it with `--json`.
"""

import json
import logging

from django.core.management.base import BaseCommand

from forms_catalogue.cleanup import purge_abandoned_journeys

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Delete expired 'save and come back later' journeys and temporary uploads no journey can use any more."

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="Return the counts as JSON instead of printing them."
        )

    def handle(self, *args, as_json=False, **options):
        report = purge_abandoned_journeys()
        counts = {"saved_journeys": report.saved_journeys, "temporary_uploads": report.files}
        logger.info("purge_journeys: %s", counts, extra={"counts": counts})
        if as_json:
            return json.dumps(counts)
        self.stdout.write(
            f"Deleted {report.saved_journeys} expired saved journeys and {report.files} temporary uploads."
        )
        return None
