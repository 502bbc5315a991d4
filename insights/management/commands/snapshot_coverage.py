"""Management command: store today's service coverage figures (run daily by cron)."""

from django.core.management.base import BaseCommand

from insights.snapshots import take_snapshot


class Command(BaseCommand):
    help = "Store today's service coverage (services, transactional, online, breakdowns). Safe to run again."

    def handle(self, *args, **options):
        snapshot, created = take_snapshot()
        verb = "Took" if created else "Updated"
        self.stdout.write(
            f"{verb} the snapshot of {snapshot.date}: {snapshot.online} of {snapshot.transactional} "
            f"transactional services online ({snapshot.percent}%), {snapshot.total} services in all."
        )
