"""Admin hooks: "Service coverage", "Form performance" and "Channel shift" in the menu, their pages and CSVs,
and the permissions; "Service levels" and its view for anyone who works a queue."""

from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from backoffice.staff.access import can_work_requests

from . import channel_shift_views, performance_views
from . import service_level_views as service_levels
from .performance_views import FormPerformanceCsvView, FormPerformanceView, FormReportCsvView, FormReportView
from .views import ICON, PERMISSION, CoverageCsvView, CoverageDashboardView, can_view_coverage


class CoverageMenuItem(MenuItem):
    """Shown only to users who may see the figures (`permission`: the coverage one unless another is given)."""

    def __init__(self, *args, permission: str = PERMISSION, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return can_view_coverage(request.user, self.permission)


@hooks.register("register_admin_urls")
def register_coverage_urls():
    return [
        path("coverage/", CoverageDashboardView.as_view(), name="service_coverage"),
        path("coverage/coverage.csv", CoverageCsvView.as_view(), name="service_coverage_csv"),
        path("form-performance/", FormPerformanceView.as_view(), name="form_performance"),
        path("form-performance/forms.csv", FormPerformanceCsvView.as_view(), name="form_performance_csv"),
        path("form-performance/<int:page_id>/", FormReportView.as_view(), name="form_performance_report"),
        path(
            "form-performance/<int:page_id>/<slug:table>.csv",
            FormReportCsvView.as_view(),
            name="form_performance_report_csv",
        ),
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


@hooks.register("register_admin_menu_item")
def register_form_performance_menu_item():
    return CoverageMenuItem(
        _("Form performance"),
        reverse("form_performance"),
        icon_name="list-ul",
        order=901,
        permission=performance_views.PERMISSION,
    )


@hooks.register("register_permissions")
def register_insights_permissions():
    """Offer "Can view the service coverage dashboard", "Can view form performance and feedback" and "Can view the
    channel-shift dashboard" on the admin's group editor (changing the channel costs is the setting's own
    permission, offered by Wagtail)."""
    return Permission.objects.filter(
        content_type__app_label="insights",
        codename__in=["view_coverage", "view_form_performance", "view_channel_shift"],
    )


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
        _("Channel shift"), reverse("channel_shift"), icon_name=channel_shift_views.ICON, order=902
    )
