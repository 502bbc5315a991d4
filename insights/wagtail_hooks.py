"""Admin hooks: the "Service coverage" menu item, its dashboard and CSV, and the permission to see them;
the "Service levels" menu item and view for anyone who works a queue."""

from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from backoffice.staff.access import can_work_requests

from . import service_level_views as service_levels
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


class ServiceLevelMenuItem(MenuItem):
    """Shown to superusers and to members of a queue's staff groups."""

    def is_shown(self, request):
        return can_work_requests(request.user)


@hooks.register("register_admin_urls")
def register_service_level_urls():
    return [
        path("service-levels/", service_levels.ServiceLevelView.as_view(), name="service_levels"),
        path("service-levels/queues.csv", service_levels.QueuesCsvView.as_view(), name="service_levels_queues_csv"),
        path("service-levels/weeks.csv", service_levels.WeeksCsvView.as_view(), name="service_levels_weeks_csv"),
    ]


@hooks.register("register_admin_menu_item")
def register_service_level_menu_item():
    """Next to Requests (order 150) in the menu."""
    return ServiceLevelMenuItem(
        _("Service levels"), reverse("service_levels"), icon_name=service_levels.ICON, order=155
    )


@hooks.register("register_admin_menu_item")
def register_coverage_menu_item():
    return CoverageMenuItem(_("Service coverage"), reverse("service_coverage"), icon_name=ICON, order=900)


@hooks.register("register_permissions")
def register_view_coverage_permission():
    """Offer "Can view the service coverage dashboard" on the admin's group editor."""
    return Permission.objects.filter(content_type__app_label="insights", codename="view_coverage")
