"""Management command: lift the sign-in lock-out of an account (and an address), as Settings → Sign-in lock-outs."""

from django.core.management.base import BaseCommand, CommandError

from backoffice.management.commands.erase_personal_data import operator
from staff_accounts.forms import LockoutForm
from staff_accounts.unlocking import unlock, unlocked_message


class Command(BaseCommand):
    help = (
        "Clear the failed sign-ins counted for USERNAME (and, with --address, for that address), so signing in "
        "works again at once. The password and the second factor are not changed (reset_second_factor removes "
        "the second factor). Written to the audit log with your login."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--address", default="", help="An address to unlock too, e.g. 192.0.2.10.")

    def handle(self, *args, username, address="", **options):
        form = LockoutForm({"username": username, "address": address})
        if not form.is_valid():
            raise CommandError(" ".join(form.messages()))
        for lockout in unlock(**form.cleaned_data, via=f"unlock_account by {operator()}", via_kind="command"):
            self.stdout.write(self.style.SUCCESS(unlocked_message(lockout)))
