"""Service coverage: how many of the council's services can be done online, end to end.

The definition (also in the README, "Service coverage"):

- a *service* is a live, public ServicePage;
- it is *transactional* unless it is marked "information only"; information-only services are
  left out of the denominator;
- a transactional service is *online* when it has a live e-form that is *routed* (its
  department has a back-office queue, so `backoffice.routing.route` always finds one: a
  routing rule's queue, else the department's default queue), or a non-blank link to the
  site where it is done ("online on another site", e.g. payments);
- it is *online in Welsh* when, on top of that, the Welsh translation of its e-form (same
  `translation_key`, locale "cy") is live. A link to another site does not count in Welsh:
  the portal cannot tell whether that site speaks Welsh. Only the English (default-locale)
  service pages are counted: their Welsh translations are the same services.

Everything is worked out in the database from the pages' live state (an `Exists` on a live
e-form child and on a queue of the department), with the same handful of queries whatever
the number of services, and no cache: a form published or unpublished changes the figures on
the next request. The stored `ServicePage.online_status` is not used: it knows nothing of
routing and is only refreshed by signals, so a bulk update or a page moved between services
leaves it behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, CharField, Count, Exists, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Concat, Length, Substr
from wagtail.models import Page

from backoffice.models import Queue
from forms_catalogue.models import EFormPage
from home.models import CategoryPage, ServicePage
from portal.language import DEFAULT_LANGUAGE, WELSH


class How:
    """How a service is done online (the CSV's `how` column)."""

    FORM = "form"
    EXTERNAL = "external"
    NONE = "none"


TRANSACTIONAL = Q(information_only=False)
ONLINE_BY_FORM = Q(has_live_form=True, routed=True)
ONLINE_ELSEWHERE = ~Q(external_url="")
ONLINE = TRANSACTIONAL & (ONLINE_BY_FORM | ONLINE_ELSEWHERE)
ONLINE_IN_WELSH = TRANSACTIONAL & Q(has_live_welsh_form=True, routed=True)


def proportion(online: int, transactional: int) -> int:
    """Whole per cent of transactional services online (0 when there are none)."""
    return round(100 * online / transactional) if transactional else 0


@dataclass(frozen=True)
class Tally:
    """Counts for a group of services (all, a category or a department)."""

    label: str
    total: int
    transactional: int
    online: int
    online_welsh: int = 0
    url: str = ""

    @property
    def percent(self) -> int:
        return proportion(self.online, self.transactional)

    @property
    def percent_welsh(self) -> int:
        return proportion(self.online_welsh, self.transactional)

    @property
    def not_online(self) -> int:
        return self.transactional - self.online

    def as_json(self) -> dict:
        return {
            "label": self.label,
            "total": self.total,
            "transactional": self.transactional,
            "online": self.online,
            "online_welsh": self.online_welsh,
        }


@dataclass
class Coverage:
    """The whole picture: headline tally, breakdowns, and the services (annotated pages)."""

    overall: Tally
    by_category: list[Tally] = field(default_factory=list)
    by_department: list[Tally] = field(default_factory=list)


def children_of_outer_path() -> dict:
    """Lookups for pages whose tree path lies under the outer page's: a range on the indexed path column.

    Treebeard paths are steps of Page.steplen characters from 0-9A-Z, so every descendant's path
    is greater than its ancestor's and at most the ancestor's followed by "ZZZZ". (A LIKE 'path%'
    made from another column cannot use the index: it scanned every page for every service.)
    """
    last_child = Concat(OuterRef("path"), Value(Page.alphabet[-1] * Page.steplen), output_field=CharField())
    return {"path__gt": OuterRef("path"), "path__lte": last_child}


def services():
    """Live, public English service pages annotated with `has_live_form`, `has_live_welsh_form`, `routed`,
    `transactional`, `online`, `online_welsh` and `how`."""
    form = EFormPage.objects.filter(depth=OuterRef("depth") + 1, **children_of_outer_path())
    welsh_form = EFormPage.objects.filter(live=True, locale__language_code=WELSH, translation_key=OuterRef("form_key"))
    queue = Queue.objects.filter(department=OuterRef("department_id"))
    return (
        ServicePage.objects.live()
        .public()
        .filter(locale__language_code=DEFAULT_LANGUAGE)
        .annotate(
            has_live_form=Exists(form.filter(live=True)),
            form_key=Subquery(form.values("translation_key")[:1]),
            routed=Exists(queue),
        )
        .annotate(has_live_welsh_form=Exists(welsh_form))
        .annotate(
            transactional=Case(When(TRANSACTIONAL, then=True), default=False, output_field=BooleanField()),
            online=Case(When(ONLINE, then=True), default=False, output_field=BooleanField()),
            online_welsh=Case(When(ONLINE_IN_WELSH, then=True), default=False, output_field=BooleanField()),
            how=Case(
                When(ONLINE_BY_FORM, then=Value(How.FORM)),
                When(ONLINE_ELSEWHERE, then=Value(How.EXTERNAL)),
                default=Value(How.NONE),
                output_field=CharField(),
            ),
            category_path=Substr("path", 1, Length("path") - Page.steplen),
        )
    )


COUNTS = {
    "total": Count("pk"),
    "transactional": Count("pk", filter=TRANSACTIONAL),
    "online": Count("pk", filter=ONLINE),
    "online_welsh": Count("pk", filter=ONLINE_IN_WELSH),
}


def by_category(queryset, request=None) -> list[Tally]:
    """One tally per category (the service's parent page), by title; two queries."""
    rows = queryset.values("category_path").annotate(**COUNTS).order_by()
    categories = {
        page.path: page for page in CategoryPage.objects.filter(path__in=[row["category_path"] for row in rows])
    }
    tallies = []
    for row in rows:
        category = categories.get(row.pop("category_path"))
        if category is not None:
            tallies.append(Tally(label=category.title, url=category.get_url(request) or "", **row))
    return sorted(tallies, key=lambda tally: tally.label.casefold())


def by_department(queryset) -> list[Tally]:
    """One tally per department, by name; one query."""
    rows = queryset.values("department__name").annotate(**COUNTS).order_by("department__name")
    return [Tally(label=row.pop("department__name"), **row) for row in rows]


def coverage(request=None) -> Coverage:
    """The figures now, in a constant number of queries."""
    queryset = services()
    overall = Tally(label="", **queryset.aggregate(**COUNTS))
    return Coverage(overall=overall, by_category=by_category(queryset, request), by_department=by_department(queryset))


def not_online():
    """Transactional services that cannot be done online yet, by title, with their departments."""
    return services().filter(TRANSACTIONAL).exclude(ONLINE).select_related("department").order_by("title")


def online_services():
    """Services that can be done online, by title."""
    return services().filter(ONLINE).order_by("title")
