"""Management command: remove a staff member's second factor so they set it up again at their next sign-in."""

import logging

from axes.utils import reset as reset_lockout
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from staff_accounts import second_factor

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
        reset_lockout(username=username)
        logger.warning("second factor reset by an administrator", extra={"username": username, "devices": removed})
        self.stdout.write(
            self.style.SUCCESS(
                f"Removed {removed} second-factor device(s) of {username}; they will set up an authenticator app "
                "at their next sign-in."
            )
        )
