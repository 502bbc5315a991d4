"""The "Welsh translations" report: which service pages and e-forms have a Welsh version, live or draft, and
which have none, with a link to translate or edit each; filterable, and downloadable as CSV or Excel.

It reads pages in the default locale (English) and finds each one's Welsh version by translation key
in the same query, so it makes the same number of queries however many pages there are.
"""

import datetime

import django_filters
from django.db.models import Case, CharField, F, OuterRef, Subquery, Value, When
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.models import Locale, Page
from wagtail.permissions import policy_registry

from .translation import welsh_locale

MISSING, DRAFT, LIVE = "missing", "draft", "live"
STATUS_LABELS = {MISSING: _("None"), DRAFT: _("Draft"), LIVE: _("Live")}
REPORTED_MODELS = {"servicepage": _("Service page"), "eformpage": _("E-form")}
EDITOR_PERMISSIONS = ["add", "change", "publish"]


def can_see_report(user) -> bool:
    """Editors (anyone who may add, change or publish pages) see the report."""
    return policy_registry.get_by_type(Page).user_has_any_permission(user, EDITOR_PERMISSIONS)


def pages_with_welsh_status():
    """Service pages and e-forms in the default locale, each annotated with its Welsh version's id and status."""
    welsh = Page.objects.filter(translation_key=OuterRef("translation_key"), locale=welsh_locale())
    return (
        Page.objects.filter(
            locale=Locale.get_default(),
            content_type__app_label__in=["home", "forms_catalogue"],
            content_type__model__in=REPORTED_MODELS,
        )
        .annotate(
            welsh_id=Subquery(welsh.values("pk")[:1]),
            welsh_live=Subquery(welsh.values("live")[:1]),
            model_name=F("content_type__model"),
        )
        .annotate(
            welsh_status=Case(
                When(welsh_id__isnull=True, then=Value(MISSING)),
                When(welsh_live=True, then=Value(LIVE)),
                default=Value(DRAFT),
                output_field=CharField(),
            )
        )
        .order_by("path")
    )


class WelshTranslationsFilterSet(WagtailFilterSet):
    welsh_status = django_filters.ChoiceFilter(
        label=_("Welsh version"),
        choices=[(MISSING, _("Missing Welsh")), (DRAFT, _("Draft only")), (LIVE, _("Live"))],
        empty_label=_("Any"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Type"),
        choices=list(REPORTED_MODELS.items()),
        empty_label=_("Any"),
        method="filter_kind",
    )

    class Meta:
        model = Page
        fields = ["welsh_status", "kind"]

    def filter_kind(self, queryset, name, value):
        return queryset.filter(content_type__model=value) if value else queryset


class WelshTranslationsView(ReportView):
    """Every service page and e-form with whether it has a Welsh version, and a link to translate or edit it."""

    page_title = _("Welsh translations")
    header_icon = "globe"
    filterset_class = WelshTranslationsFilterSet
    index_url_name = "welsh_translations"
    index_results_url_name = "welsh_translations_results"
    any_permission_required = EDITOR_PERMISSIONS
    paginate_by = 100
    list_export = ["title", "kind", "welsh_status_label", "english_edit_url", "welsh_url"]
    export_headings = {
        "title": _("Page"),
        "kind": _("Type"),
        "welsh_status_label": _("Welsh version"),
        "english_edit_url": _("Edit the English page"),
        "welsh_url": _("Translate or edit in Welsh"),
    }
    columns = [
        TitleColumn("title", label=_("Page"), get_url=lambda page: page.english_edit_url),
        Column("kind", label=_("Type")),
        Column("welsh_status_label", label=_("Welsh version")),
        TitleColumn("welsh_action", label=_("Action"), get_url=lambda page: page.welsh_url),
    ]

    @cached_property
    def permission_policy(self):
        return policy_registry.get_by_type(Page)

    def get_filename(self):
        return f"welsh-translations-{datetime.date.today():%Y-%m-%d}"

    def get_queryset(self):
        return pages_with_welsh_status()

    def decorate_paginated_queryset(self, pages):
        """Give each row its labels and links (computed from the annotations: no query per row)."""
        for page in pages:
            page.kind = REPORTED_MODELS.get(page.model_name, "")
            page.welsh_status_label = STATUS_LABELS[page.welsh_status]
            page.english_edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
            if page.welsh_id:
                page.welsh_url = reverse("wagtailadmin_pages:edit", args=[page.welsh_id])
                page.welsh_action = _("Edit the Welsh version")
            else:
                page.welsh_url = reverse("simple_translation:submit_page_translation", args=[page.pk])
                page.welsh_action = _("Translate into Welsh")
        return pages
