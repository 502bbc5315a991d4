"""Admin hooks: the second-factor pages (under /admin/, in the admin's look), the Account menu item,
and Settings → Sign-in lock-outs with its permission and audit log action."""

from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from . import admin_views, unlocking, views


@hooks.register("register_admin_urls")
def register_second_factor_urls():
    return [
        path("second-factor/", views.verify, name="staff_accounts_verify"),
        path("second-factor/set-up/", views.enrol, name="staff_accounts_enrol"),
        path("second-factor/recovery-codes/", views.recovery_codes, name="staff_accounts_recovery_codes"),
    ]


@hooks.register("register_account_menu_item")
def recovery_codes_menu_item(request):
    return {
        "url": reverse("staff_accounts_recovery_codes"),
        "label": _("Recovery codes"),
        "help_text": _("See how many recovery codes you have left, or make new ones."),
    }


@hooks.register("register_admin_urls")
def register_lockout_urls():
    return [
        path("sign-in-lockouts/", admin_views.LockoutsView.as_view(), name=admin_views.INDEX),
        path("sign-in-lockouts/unlock/", admin_views.UnlockView.as_view(), name="staff_accounts_unlock"),
    ]


@hooks.register("register_settings_menu_item")
def register_lockouts_menu_item():
    return admin_views.LockoutsMenuItem(
        _("Sign-in lock-outs"), reverse(admin_views.INDEX), icon_name=admin_views.ICON, order=930
    )


@hooks.register("register_permissions")
def register_unlock_permission():
    """Offer "Can see and lift sign-in lock-outs" on the admin's group editor."""
    return Permission.objects.filter(content_type__app_label="staff_accounts", codename="unlock_accounts")


@hooks.register("register_log_actions")
def register_unlock_log_action(actions):
    unlocking.register_actions(actions)
