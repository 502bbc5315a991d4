"""Management command: make sure an admin account exists and print how to log in."""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the superuser ADMIN_USERNAME (default 'admin') if it does not exist, with ADMIN_PASSWORD "
        "or a random password kept in .run/admin-password, and print the login."
    )

    def handle(self, *args, **options):
        username = os.environ.get("ADMIN_USERNAME", "admin")
        password_file = Path(settings.BASE_DIR) / ".run" / "admin-password"
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            password = os.environ.get("ADMIN_PASSWORD") or secrets.token_urlsafe(12)
            User.objects.create_superuser(username=username, email=f"{username}@example.invalid", password=password)
            password_file.parent.mkdir(exist_ok=True)
            password_file.write_text(password + "\n", encoding="utf-8")
            password_file.chmod(0o600)
        elif password_file.exists():
            password = password_file.read_text(encoding="utf-8").strip()
        else:
            password = "(unchanged; set it with: python manage.py changepassword " + username + ")"
        url = f"{settings.WAGTAILADMIN_BASE_URL}/admin/"
        self.stdout.write(self.style.SUCCESS(f"Admin login: {url}  username: {username}  password: {password}"))
        if getattr(settings, "STAFF_SECOND_FACTOR_REQUIRED", False):
            self.stdout.write(
                "Every staff sign-in also needs a code from an authenticator app (Microsoft or Google Authenticator, "
                "FreeOTP, ...). At the first sign-in the admin shows a QR code to scan (or a key to type): enter "
                "the 6-digit code the app then shows, and keep the recovery codes it gives you. Lost them all? "
                f".venv/bin/python manage.py reset_second_factor {username}"
            )
