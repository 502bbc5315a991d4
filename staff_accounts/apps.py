from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffAccountsConfig(AppConfig):
    """Staff sign-in: lock-out after failed attempts, password rules, the second factor (TOTP)."""

    name = "staff_accounts"
    verbose_name = _("Staff accounts")

    def ready(self):
        from . import signin_log

        signin_log.connect_signals()
