"""Admin hooks: the "Service coverage" and "Channel shift" menu items, their dashboards and CSVs, and the
permissions to see them."""

from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import channel_shift_views
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


class ChannelShiftMenuItem(MenuItem):
    """Shown only to users who may see the channel-shift figures."""

    def is_shown(self, request):
        return channel_shift_views.can_view_channel_shift(request.user)


@hooks.register("register_admin_urls")
def register_channel_shift_urls():
    return [
        path("channel-shift/", channel_shift_views.ChannelShiftView.as_view(), name="channel_shift"),
        path("channel-shift/months.csv", channel_shift_views.MonthsCsvView.as_view(), name="channel_shift_months_csv"),
        path(
            "channel-shift/services.csv",
            channel_shift_views.ServicesCsvView.as_view(),
            name="channel_shift_services_csv",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_channel_shift_menu_item():
    return ChannelShiftMenuItem(
        _("Channel shift"), reverse("channel_shift"), icon_name=channel_shift_views.ICON, order=901
    )


@hooks.register("register_permissions")
def register_view_channel_shift_permission():
    """Offer "Can view the channel-shift dashboard" on the admin's group editor (changing the costs is the
    setting's own permission, offered by Wagtail)."""
    return Permission.objects.filter(content_type__app_label="insights", codename="view_channel_shift")
