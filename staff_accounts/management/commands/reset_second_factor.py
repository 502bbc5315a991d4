"""Management command: remove a staff member's second factor so they set it up again at their next sign-in."""

import logging

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from backoffice.management.commands.erase_personal_data import operator
from staff_accounts import second_factor
from staff_accounts.unlocking import unlock

logger = logging.getLogger("staff_accounts.signin")


class Command(BaseCommand):
    help = (
        "Remove every second-factor device (authenticator app, recovery codes) of USERNAME and lift any sign-in "
        "lock-out of that account. At their next sign-in they set up a new authenticator app. Check who is asking "
        "first: anyone who then signs in with the account's password sets up the new app."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no account with the username {username!r}.")
        removed = second_factor.reset(user)
        unlock(username=username, via=f"reset_second_factor by {operator()}", via_kind="command")
        logger.warning("second factor reset by an administrator", extra={"username": username, "devices": removed})
        self.stdout.write(
            self.style.SUCCESS(
                f"Removed {removed} second-factor device(s) of {username}; they will set up an authenticator app "
                "at their next sign-in."
            )
        )
