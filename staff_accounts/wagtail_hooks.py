"""Admin hooks: the second-factor pages (under /admin/, in the admin's look) and the Account menu item."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from . import views


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
