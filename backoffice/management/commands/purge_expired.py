"""Management command: delete what the portal no longer needs to keep (run daily by the delivery worker).

1. Requests past their form's retention period: personal data deleted, anonymous rows kept
   (`backoffice.retention`).
2. Expired sessions (`clearsessions`: journeys' answers in database sessions).
3. Expired "save and come back later" journeys and abandoned temporary uploads
   (`purge_journeys`, of the forms catalogue).
"""

import io
import json
import logging
from dataclasses import asdict

from django.core.management import call_command
from django.core.management.base import BaseCommand

from backoffice.retention import purge_expired_requests

logger = logging.getLogger("backoffice.retention")


class Command(BaseCommand):
    help = (
        "Delete the personal data of requests past their retention period (keeping anonymous figures), "
        "expired sessions, expired saved journeys and abandoned temporary uploads."
    )
    stealth_options = ("stop_event",)

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=None, help="Requests per transaction (RETENTION_BATCH_SIZE).")
        parser.add_argument("--json", dest="as_json", action="store_true", help="Print the counts as one JSON object.")

    def handle(self, *args, batch=None, as_json=False, stop_event=None, **options):
        should_stop = stop_event.is_set if stop_event is not None else (lambda: False)
        requests = purge_expired_requests(batch_size=batch, should_stop=should_stop)
        call_command("clearsessions")
        journeys = call_command("purge_journeys", "--json", stdout=io.StringIO())  # returns its counts as JSON
        counts = {**asdict(requests), **json.loads(journeys or "{}")}
        logger.info("purge_expired: %s", counts, extra={"counts": counts})
        if as_json:
            self.stdout.write(json.dumps(counts, sort_keys=True))
        else:
            self.stdout.write(
                "Deleted the personal data of {requests} requests past their retention period "
                "({files} files, {deliveries} deliveries, {events} history events); "
                "cleared expired sessions; deleted {saved_journeys} expired saved journeys "
                "and {temporary_uploads} temporary uploads.".format(**counts)
            )
