"""Management command: move the journey figures gathered in Redis into the database now."""

from django.core.management.base import BaseCommand

from insights.journey_figures import flush, redis_client


class Command(BaseCommand):
    help = (
        "Move the anonymous journey counters gathered in Redis into the database (the delivery worker does this "
        "every minute). Safe to run at any time, also beside the worker."
    )

    def handle(self, *args, **options):
        if redis_client() is None:
            self.stdout.write("Nothing to flush: without Redis, journey figures are written to the database directly.")
            return
        moved = flush()
        self.stdout.write(f"Flushed {moved} journey counters into the database.")
