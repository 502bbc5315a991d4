"""Management command: the relay worker that sends the outbox's deliveries."""

import signal

from django.core.management.base import BaseCommand, CommandError

from backoffice import maintenance
from backoffice.relay import Worker


class Command(BaseCommand):
    help = (
        "Send due deliveries (webhooks, emails, RabbitMQ messages), and run the daily retention purge when it is due. "
        "Runs until SIGTERM, or drains once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Send what is due now, then exit.")
        parser.add_argument("--batch", type=int, default=20, help="Rows claimed at a time (default 20).")
        parser.add_argument("--poll", type=float, default=1.0, help="Seconds to wait when nothing is due.")
        parser.add_argument(
            "--no-purge",
            dest="purge",
            action="store_false",
            help="Leave the daily retention purge (manage.py purge_expired) to other workers or to cron.",
        )

    def handle(self, *args, once=False, batch=20, poll=1.0, purge=True, **options):
        if batch < 1 or poll <= 0:
            raise CommandError("--batch must be at least 1 and --poll more than 0.")
        worker = Worker(batch=batch, poll_seconds=poll, daily_purge=purge)
        signal.signal(signal.SIGTERM, worker.stop)
        signal.signal(signal.SIGINT, worker.stop)
        if once:
            try:
                sent = worker.drain()
                if worker.daily_purge is not None and maintenance.claim():
                    maintenance.record_finished(maintenance.PURGE, maintenance.run_purge())
            finally:
                worker.close()
            self.stdout.write(f"Attempted {sent} deliveries.")
            return
        worker.run()
