"""Form performance in the Wagtail admin: every form, one form (by week, by version, the funnel, feedback), CSVs.

For superusers and holders of `insights.view_form_performance` ("Can view form performance and
feedback"), a permission of its own rather than the coverage one: coverage is published on the
public site anyway, whereas feedback comments are citizens' own words (they are asked not to, but
may still write personal details), so a council may want a narrower group to read them.
Every table is also a CSV; a bad period or version in the query string is reported on the page.
"""

from __future__ import annotations

import datetime

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import View

from forms_catalogue.models import EFormPage

from . import charts
from .performance import FormReport, Period, describe_seconds, form_report, forms_overview, percent
from .tables import Shown, Table
from .views import CoverageAccessMixin, InsightsPageView

PERMISSION = "insights.view_form_performance"
WEEK_CHOICES = (1, 4, 13, 26, 52)
DEFAULT_WEEKS = 4
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)
REPORT_TABLES = ("weeks", "versions", "funnel", "ratings", "comments")


class PeriodForm(forms.Form):
    """The period shown: a number of whole weeks ending with the week of a day (this week by default)."""

    weeks = forms.TypedChoiceField(
        label=gettext_lazy("Period"),
        choices=lambda: [  # made when shown, in the request's language (not once, at import)
            (number, ngettext("%(count)s week", "%(count)s weeks", number) % {"count": number})
            for number in WEEK_CHOICES
        ],
        coerce=int,
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose one of the periods offered")},
    )
    ending = forms.DateField(
        label=gettext_lazy("Ending with the week of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("Enter a real date, like 2026-11-30")},
    )
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_ending(self):
        ending = self.cleaned_data["ending"]
        if ending and not EARLIEST <= ending <= LATEST:
            raise forms.ValidationError(_("Enter a date between 2000 and 2100"))
        return ending

    def value(self, name: str, default):
        """A choice once the form is checked: the cleaned value, or the default when it was missing or wrong."""
        if not self.is_bound:
            return default
        self.is_valid()  # cleaned_data keeps the fields that are right
        return self.cleaned_data.get(name) or default

    def period(self) -> Period:
        return Period(ending=self.value("ending", timezone.localdate()), weeks=self.value("weeks", DEFAULT_WEEKS))


def period_form(request) -> PeriodForm:
    return PeriodForm(request.GET or None, initial={"weeks": DEFAULT_WEEKS, "ending": timezone.localdate()})


def figure_cells(figures) -> list:
    """Started, completed, completion rate and median time, for a table row."""
    rate, median = figures.completion_rate, figures.median_seconds
    return [
        figures.started,
        figures.completed,
        Shown(f"{rate}%" if rate is not None else "–", rate if rate is not None else ""),
        Shown(describe_seconds(median), round(median, 1) if median is not None else ""),
    ]


def figure_headings() -> list[str]:
    return [_("Started"), _("Completed"), _("Completion rate (%)"), _("Median time to complete (seconds in CSV)")]


def overview_table(rows, query: str) -> Table:
    table_rows = []
    for row in rows:
        title = row.title if row.live else _("%(title)s (not live)") % {"title": row.title}
        score = row.ratings.score
        table_rows.append(
            [
                Shown(title, row.title, url=reverse("form_performance_report", args=[row.page_id]) + query),
                *figure_cells(row.figures),
                row.ratings.total,
                Shown(f"{score}%" if score is not None else "–", score if score is not None else ""),
            ]
        )
    return Table(
        name="forms",
        caption=_("Journeys by form"),
        header=[_("Form"), *figure_headings(), _("Feedback answers"), _("Satisfaction score (%)")],
        rows=table_rows,
        csv_url=reverse("form_performance_csv") + query,
    )


def report_tables(report: FormReport, query: str) -> dict[str, Table]:
    """Every table of a form's page, by name (the names of its CSV URLs)."""
    page_id = report.page.pk

    def csv_url(name: str) -> str:
        return reverse("form_performance_report_csv", args=[page_id, name]) + query

    funnel_rows = [
        [
            Shown(f"{step.title} ({_('exit page')})" if step.is_exit else step.title, step.title),
            step.reached,
            Shown(f"{step.reached_percent}%" if step.reached_percent is not None else "–", step.reached_percent or 0),
            step.stopped,
            Shown(f"{step.stopped_percent}%" if step.stopped_percent is not None else "–", step.stopped_percent or 0),
        ]
        for step in report.funnel
    ]
    ratings = report.ratings
    tables = [
        Table(
            "weeks",
            _("Journeys by the week they started"),
            [_("Week starting"), *figure_headings()],
            [
                [Shown(monday.strftime("%d/%m/%Y"), monday.isoformat()), *figure_cells(figures)]
                for monday, figures in report.weeks
            ],
        ),
        Table(
            "versions",
            _("Journeys by form version"),
            [_("Version"), *figure_headings()],
            [[row.label, *figure_cells(row.figures)] for row in report.versions],
        ),
        Table(
            "funnel",
            _("Journeys that reached each step"),
            [_("Step"), _("Reached"), _("Reached (% of started)"), _("Stopped here"), _("Stopped here (% of started)")],
            funnel_rows,
        ),
        Table(
            "ratings",
            _("Feedback: how people felt about the service"),
            [_("Rating"), _("Answers"), _("Share of answers (%)")],
            [
                [label, count, Shown(f"{share}%" if share is not None else "–", share or 0)]
                for label, count, share in ratings.rows()
            ],
        ),
        Table(
            "comments",
            _("Feedback: how could we improve this service?"),
            [_("Day"), _("Rating"), _("Comment")],
            [
                [Shown(item.day.strftime("%d/%m/%Y"), item.day.isoformat()), item.get_rating_display(), item.comment]
                for item in report.comments
            ],
        ),
    ]
    for table in tables:
        table.csv_url = csv_url(table.name)
    return {table.name: table for table in tables}


class FormPerformanceAccessMixin(CoverageAccessMixin):
    permission = PERMISSION


class FormPerformanceView(FormPerformanceAccessMixin, InsightsPageView):
    """Every e-form with its journeys started and completed, completion rate, median time and feedback."""

    template_name = "insights/form_performance.html"
    page_title = gettext_lazy("Form performance")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = period_form(self.request)
        period = form.period()
        rows = forms_overview(period)
        query = query_string(period)
        started = sum(row.figures.started for row in rows)
        completed = sum(row.figures.completed for row in rows)
        context.update(
            period_form=form,
            period=period,
            started=started,
            completed=completed,
            completion_rate=percent(completed, started),
            table=overview_table(rows, query),
        )
        return context


class FormPerformanceCsvView(FormPerformanceAccessMixin, View):
    def get(self, request):
        period = period_form(request).period()
        return overview_table(forms_overview(period), "").csv_response(f"form-performance-{period.first_day}.csv")


def report_for(request, page_id: int) -> tuple[FormReport, PeriodForm]:
    page = get_object_or_404(EFormPage, pk=page_id)
    form = period_form(request)
    version_id = form.value("version", None)
    report = form_report(page, form.period(), version_id)
    if version_id and report.version is None:
        form.add_error("version", _("That version is not one of this form's: the funnel shows every version."))
    return report, form


class FormReportView(FormPerformanceAccessMixin, InsightsPageView):
    """One form: by week, by version, the funnel (chart and table) and the feedback."""

    template_name = "insights/form_report.html"

    def get_page_title(self):
        return self.report.page.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("form_performance"), "label": _("Form performance")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get(self, request, page_id: int):
        self.report, self.period_form = report_for(request, page_id)
        return super().get(request)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.report
        query = query_string(report.period, report.version.pk if report.version else None)
        context.update(
            report=report,
            period_form=self.period_form,
            period=report.period,
            tables=report_tables(report, query),
            funnel_chart=charts.funnel_chart(report.funnel),
            median_time=describe_seconds(report.total.median_seconds),
            version_links=[
                {"label": row.label, "url": query_string(report.period, row.version_id), "version_id": row.version_id}
                for row in report.versions
            ],
            all_versions_url=query_string(report.period),
            edit_url=reverse("wagtailadmin_pages:edit", args=[report.page.pk]),
        )
        return context


class FormReportCsvView(FormPerformanceAccessMixin, View):
    def get(self, request, page_id: int, table: str):
        if table not in REPORT_TABLES:
            raise Http404("No such table.")
        report, _form = report_for(request, page_id)
        if table == "comments":
            report.comments = list(
                report.page.feedback_answers.filter(report.period.days()).exclude(comment="").order_by("-day")
            )
        return report_tables(report, "")[table].csv_response(
            f"{report.page.slug}-{table}-{report.period.first_day}.csv"
        )


def query_string(period: Period, version_id: int | None = None) -> str:
    """The query string that shows the same period (and version) again, for links and CSVs."""
    query = f"?weeks={period.weeks}&ending={period.ending.isoformat()}"
    return query + (f"&version={version_id}" if version_id else "")
