"""The team leaders' service-level view (admin → Service levels) and its CSV downloads.

For anyone who works a queue (`backoffice.staff.access.can_work_requests`), over the queues
they work and nothing else: each queue's open, overdue, due-today and paused requests now,
and week by week (for all their queues or one) requests received and resolved, the median
time to resolve and the share resolved within target, as a chart and the same figures as a
table. Constant queries whatever the number of requests (see `insights.service_levels`).
"""

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import View

from backoffice.service_levels import duration_text
from backoffice.staff.access import can_work_requests, visible_requests, work_queues

from . import charts
from .service_levels import WEEKS, by_week, queues_now, week_rows
from .tables import csv_response
from .views import DashboardPage, FiguresAccessMixin

ICON = "time"


class QueueChoiceForm(forms.Form):
    """Which of the user's queues the weekly figures cover (blank: all of them)."""

    queue = forms.TypedChoiceField(label=_("Queue"), required=False, coerce=int, empty_value=None)

    def __init__(self, data, *, queues):
        super().__init__(data)
        self.fields["queue"].choices = [("", gettext("All your queues"))] + [(queue.pk, str(queue)) for queue in queues]


class ServiceLevelAccessMixin(FiguresAccessMixin):
    """Anyone who works a queue (superusers see every queue); others are turned away (PermissionDenied)."""

    may_view = staticmethod(can_work_requests)


def median_text(week) -> str:
    return duration_text(week.median) if week.median is not None else ""


class ServiceLevelView(ServiceLevelAccessMixin, DashboardPage):
    """Each queue now, then the chosen queues week by week (chart and table), with CSV links."""

    template_name = "insights/service_levels.html"
    page_title = _("Service levels")
    header_icon = ICON

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, now = self.request.user, timezone.now()
        queues = list(work_queues(user).order_by("department__name", "name"))
        form = QueueChoiceForm(self.request.GET or None, queues=queues)
        chosen = form.cleaned_data.get("queue") if form.is_bound and form.is_valid() else None
        requests = visible_requests(user)
        weekly_requests = requests.filter(queue_id=chosen) if chosen else requests
        queue_rows, queue_total = queues_now(requests, queues, now)
        weeks = week_rows(by_week(weekly_requests, now), now)
        for week in weeks:
            week.median_text = median_text(week)
        context.update(
            form=form,
            chosen=next((queue for queue in queues if queue.pk == chosen), None),
            queue_rows=queue_rows,
            queue_total=queue_total,
            weeks=weeks,
            week_count=WEEKS,
            target_chart=charts.bar_chart([week for week in weeks if week.with_target]),
            queues_csv_url=reverse("service_levels_queues_csv"),
            weeks_csv_url=reverse("service_levels_weeks_csv"),
        )
        return context


class QueuesCsvView(ServiceLevelAccessMixin, View):
    """The user's queues now: open, overdue, due today, paused."""

    def get(self, request):
        queues = list(work_queues(request.user).order_by("department__name", "name"))
        rows, _total = queues_now(visible_requests(request.user), queues, timezone.now())
        return csv_response(
            "service-levels-queues.csv",
            ("queue", "open", "overdue", "due_today", "paused"),
            ((row.label, row.open, row.overdue, row.due_today, row.paused) for row in rows),
        )


class WeeksCsvView(ServiceLevelAccessMixin, View):
    """Every queue of the user's, week by week: received, resolved, median hours to resolve, within target."""

    def get(self, request):
        now = timezone.now()
        queues = list(work_queues(request.user).order_by("department__name", "name"))
        figures = by_week(visible_requests(request.user), now, per_queue=True)
        header = (
            "queue",
            "week_starting",
            "received",
            "resolved",
            "median_hours_to_resolve",
            "resolved_with_target",
            "resolved_within_target",
            "percent_within_target",
        )
        rows = (
            (
                str(queue),
                week.starts.isoformat(),
                week.received,
                week.resolved,
                round(week.median.total_seconds() / 3600, 1) if week.median is not None else "",
                week.with_target,
                week.within_target,
                "" if week.percent is None else week.percent,
            )
            for queue in queues
            for week in week_rows(figures, now, queue_id=queue.pk)
        )
        return csv_response("service-levels-by-week.csv", header, rows)
