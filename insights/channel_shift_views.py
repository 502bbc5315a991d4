"""The channel-shift dashboard in the Wagtail admin and its CSV downloads.

For superusers and users with `insights.view_channel_shift` (give it to the "Web team" group);
anyone else gets 403. The costs per channel are a Wagtail setting (Settings → Channel costs),
edited by those given `insights.change_channelcosts`.
"""

from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import View

from . import charts
from .channel_shift import (
    CSV_HEADER,
    DEFAULT_MONTHS,
    PERIODS,
    Costs,
    channel_shift,
    csv_row,
    pounds,
)
from .models import ChannelCosts
from .tables import csv_response
from .views import DashboardPage, FiguresAccessMixin

PERMISSION = "insights.view_channel_shift"
ICON = "mobile-alt"
CHOOSE_SERVICE = _("Choose a service from the list")


def can_view_channel_shift(user) -> bool:
    """Superusers and holders of `insights.view_channel_shift`."""
    return user.is_active and user.has_perm(PERMISSION)


def can_edit_costs(user) -> bool:
    return user.is_active and user.has_perm("insights.change_channelcosts")


class ChannelShiftFilters(forms.Form):
    """The period and, optionally, one service (its choices are set from the figures)."""

    months = forms.TypedChoiceField(
        label=_("Period"),
        choices=[(n, ngettext_lazy("The last month", "The last %(count)d months", n) % {"count": n}) for n in PERIODS],
        coerce=int,
        required=False,
        empty_value=DEFAULT_MONTHS,
        error_messages={"invalid_choice": _("Choose a period from the list")},
    )
    service = forms.IntegerField(
        label=_("Service"),
        required=False,
        min_value=1,
        widget=forms.Select,
        error_messages={"invalid": CHOOSE_SERVICE, "min_value": CHOOSE_SERVICE},
    )

    def choice(self, name: str, default):
        """The valid value of a filter, or its default (an invalid one is shown as an error, not a 500)."""
        if name in self.errors:  # `errors` validates the form (once)
            return default
        value = self.cleaned_data.get(name)
        return default if value is None else value


class ChannelShiftAccessMixin(FiguresAccessMixin):
    """Only for those who may see the channel-shift figures; works out the figures the filters ask for."""

    may_view = staticmethod(can_view_channel_shift)

    def figures(self):
        self.filters = ChannelShiftFilters({"months": DEFAULT_MONTHS, **self.request.GET.dict()})
        months = self.filters.choice("months", DEFAULT_MONTHS)
        service_id = self.filters.choice("service", None)
        costs = Costs.from_settings(ChannelCosts.load(request_or_site=self.request))
        return channel_shift(costs, months=months, service_id=service_id)


class ChannelShiftView(ChannelShiftAccessMixin, DashboardPage):
    """Share online and cost saved, by month (chart and table) and by service (table), with the costs used."""

    template_name = "insights/channel_shift.html"
    page_title = _("Channel shift")
    header_icon = ICON

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shift = self.figures()
        self.filters.fields["service"].widget.choices = [("", gettext("Every service"))] + [
            (service.key, service.label) for service in sorted(shift.services, key=lambda s: s.label.casefold())
        ]
        query = urlencode({key: value for key, value in self.request.GET.items() if key in ("months", "service")})
        months = self.filters.choice("months", DEFAULT_MONTHS)
        context.update(
            shift=shift,
            filters=self.filters,
            months=months,
            month_chart=charts.bar_chart(shift.months, whole="total"),
            cost_saved=pounds(shift.overall.saved),
            cost=pounds(shift.overall.cost),
            months_csv_url=f"{reverse('channel_shift_months_csv')}?{query}",
            services_csv_url=f"{reverse('channel_shift_services_csv')}?{query}",
            service_url=f"{reverse('channel_shift')}?{urlencode({'months': months})}&service=",
            costs_url=reverse("wagtailsettings:edit", args=["insights", "channelcosts"])
            if can_edit_costs(self.request.user)
            else "",
        )
        return context


class MonthsCsvView(ChannelShiftAccessMixin, View):
    """The by-month table as CSV (for the chosen service, if any)."""

    def get(self, request):
        shift = self.figures()
        rows = [csv_row(month.key.strftime("%Y-%m"), month) for month in shift.months]
        return csv_response("channel-shift-by-month.csv", ("month", *CSV_HEADER), rows)


class ServicesCsvView(ChannelShiftAccessMixin, View):
    """The by-service table as CSV (every service with requests in the period)."""

    def get(self, request):
        shift = self.figures()
        rows = [csv_row(service.label, service) for service in shift.services]
        return csv_response("channel-shift-by-service.csv", ("service", *CSV_HEADER), rows)
