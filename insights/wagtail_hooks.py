"""Admin hooks: the "Service coverage" menu item, its dashboard and CSV, and the permission to see them."""

from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .views import ICON, CoverageCsvView, CoverageDashboardView, can_view_coverage


class CoverageMenuItem(MenuItem):
    """Shown only to users who may see the figures."""

    def is_shown(self, request):
        return can_view_coverage(request.user)


@hooks.register("register_admin_urls")
def register_coverage_urls():
    return [
        path("coverage/", CoverageDashboardView.as_view(), name="service_coverage"),
        path("coverage/coverage.csv", CoverageCsvView.as_view(), name="service_coverage_csv"),
    ]


@hooks.register("register_admin_menu_item")
def register_coverage_menu_item():
    return CoverageMenuItem(_("Service coverage"), reverse("service_coverage"), icon_name=ICON, order=900)


@hooks.register("register_permissions")
def register_view_coverage_permission():
    """Offer "Can view the service coverage dashboard" on the admin's group editor."""
    return Permission.objects.filter(content_type__app_label="insights", codename="view_coverage")
