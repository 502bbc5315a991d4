from django.apps import AppConfig


class StaffAccountsConfig(AppConfig):
    """Staff sign-in: lock-out after failed attempts, password rules, the second factor (TOTP)."""

    name = "staff_accounts"
    verbose_name = "Staff accounts"

    def ready(self):
        from . import signin_log

        signin_log.connect_signals()
