"""The coverage dashboard and CSV in the Wagtail admin, and the public "Our online services" page.

The dashboard and the CSV are for superusers and users with `insights.view_coverage` (give it
to a "Web team" group in Settings → Groups); anyone else gets 403.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Page

from forms_catalogue.models import EFormPage
from home.models import CategoryPage
from portal.page_cache import cacheable_page

from . import charts
from .coverage import How, coverage, not_online, services
from .coverage import online_services as online_service_pages
from .snapshots import trend
from .tables import csv_response

PERMISSION = "insights.view_coverage"
PUT_ONLINE_URL_NAME = "put_service_online"  # the "Put this service online" action (forms_catalogue)
ICON = "form"
CSV_HEADER = ("service", "category", "department", "transactional", "online", "how", "form_url", "online_in_welsh")


def url_name_exists(name: str, *args) -> bool:
    """True when `name` is a URL name (asked once, so a missing one costs one failed reverse, not one a row)."""
    try:
        reverse(name, args=args)
    except NoReverseMatch:
        return False
    return True


def can_view_coverage(user, permission: str = PERMISSION) -> bool:
    """Superusers and holders of `insights.view_coverage` (or of another insights permission)."""
    return user.is_active and user.has_perm(permission)


class FiguresAccessMixin:
    """Turn away anyone `may_view(user)` refuses (403)."""

    may_view = staticmethod(can_view_coverage)

    def dispatch(self, request, *args, **kwargs):
        if not self.may_view(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CoverageAccessMixin(FiguresAccessMixin):
    """Holders of `permission` (`insights.view_coverage` unless a view names another); anyone else gets 403."""

    permission = PERMISSION

    def may_view(self, user) -> bool:
        return can_view_coverage(user, self.permission)


class DashboardPage(WagtailAdminTemplateMixin, TemplateView):
    """An insights page in the admin: its title after Home in the breadcrumbs (`breadcrumbs_items` adds between)."""

    header_icon = ICON
    breadcrumbs_items = [{"url": reverse_lazy("wagtailadmin_home"), "label": _("Home")}]

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]


class InsightsPageView(CoverageAccessMixin, DashboardPage):
    """An insights page for holders of `permission`."""


class CoverageDashboardView(InsightsPageView):
    """Headline figures, breakdowns by category and department, the trend, and the services not online."""

    template_name = "insights/coverage_dashboard.html"
    page_title = _("Service coverage")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        figures = coverage(self.request)
        snapshots = trend()
        context.update(
            coverage=figures,
            category_chart=charts.bar_chart(figures.by_category),
            department_chart=charts.bar_chart(figures.by_department),
            snapshots=snapshots,
            trend_chart=charts.line_chart(snapshots),
            not_online=not_online(),
            can_put_online=url_name_exists(PUT_ONLINE_URL_NAME, 0),
            csv_url=reverse("service_coverage_csv"),
        )
        return context


class CoverageCsvView(CoverageAccessMixin, View):
    """Every live service as a CSV row: service, category, department, transactional, online, how, form URL, and
    whether it is online in Welsh."""

    def get(self, request):
        return csv_response("service-coverage.csv", CSV_HEADER, service_rows(request))


def service_rows(request):
    """The CSV's rows, in page-tree order (category by category); a constant number of queries."""
    pages = list(services().select_related("department").defer("body").order_by("path"))
    paths = {page.category_path for page in pages}
    categories = dict(CategoryPage.objects.filter(path__in=paths).values_list("path", "title"))
    forms = {form.path[: -Page.steplen]: form for form in EFormPage.objects.live().defer("steps")}
    yes, no = gettext("yes"), gettext("no")
    for page in pages:
        form = forms.get(page.path)  # None if the form was unpublished between the two queries
        if page.how == How.FORM and form is not None:
            form_url = request.build_absolute_uri(form.get_url(request))
        elif page.how == How.EXTERNAL:
            form_url = page.external_url
        else:
            form_url = ""
        yield (
            page.title,
            categories.get(page.category_path, ""),
            page.department.name,
            yes if page.transactional else no,
            yes if page.online else no,
            page.how,
            form_url,
            yes if page.online_welsh else no,
        )


@cacheable_page
@require_GET
def online_services(request):
    """Public page: the proportion of services online, by category, and the list of what can be done online."""
    figures = coverage(request)
    return render(
        request,
        "insights/online_services.html",
        {
            "coverage": figures,
            "category_chart": charts.bar_chart(figures.by_category),
            "services": online_service_pages().defer("body"),
        },
    )
