"""The content API (Wagtail API v2 at /api/v2/): the catalogue's pages for headless front ends.

One endpoint, `pages`, on Wagtail's `PagesAPIViewSet`. The fields each page type offers are
declared here (`PAGE_API_FIELDS`), not on the models, so the page models carry no API code.
A service page carries its department, online status, LGSL code, keywords, offline channels,
e-form link (web address and portal API code) and external link.

Filters on top of Wagtail's (`type`, `child_of`, `descendant_of`, field filters, `order`,
`search`): `category=<slug>` lists one category's services, and the service-only filters
(`category`, `online_status`, `department`, `lgsl_code`) imply `type=home.ServicePage`.
Every bad query is a 400 RFC 9457 problem document (with Wagtail's `message` kept), never a
500. A listing takes the same number of SQL queries however many services it holds.
"""

import re
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from rest_framework import serializers
from rest_framework.exceptions import APIException
from rest_framework.filters import BaseFilterBackend
from wagtail.api import APIField
from wagtail.api.utils import get_full_url
from wagtail.api.v2.filters import (
    AncestorOfFilter,
    ChildOfFilter,
    DescendantOfFilter,
    FieldsFilter,
    OrderingFilter,
)
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.search.backends import get_search_backend
from wagtail.search.backends.base import FilterFieldError, OrderByFieldError

from forms_catalogue.models import EFormPage
from home.models import CategoryPage, HomePage, InformationPage, OnlineStatus, ServicePage
from home.views import clean_search_query

from .v1.problems import problem_response

PORTAL_API_FORM_PATH = "/api/v1/forms/{code}"
SERVICE_ONLY_FILTERS = frozenset({"category", "online_status", "department", "lgsl_code"})
SEARCH_OPERATORS = ("and", "or")
SLUG_PATTERN = re.compile(r"^[-\w]{1,255}$")
WHOLE_NUMBER_PARAMETERS = frozenset({"offset", "limit", "child_of", "descendant_of", "ancestor_of", "id"})
LARGEST_WHOLE_NUMBER = 2**63 - 1  # what a database integer column holds


class DepartmentSerializer(serializers.Serializer):
    """The department that runs a service: who to contact."""

    name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()


class OfflineChannelsField(serializers.Field):
    """The other ways to do a service (the service's own, else its department's)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, service: ServicePage) -> dict[str, str]:
        return {
            "phone": service.contact_phone,
            "email": service.contact_email,
            "address": service.contact_address,
            "opening_hours": service.contact_opening_hours,
        }


class ServiceLevelField(serializers.Field):
    """The service's target: amount, unit and in words (`{"amount": 10, "unit": "working_days", ...}`); or null."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, service: ServicePage) -> dict[str, Any] | None:
        target = service.service_level
        return {"amount": target.amount, "unit": target.unit, "text": str(target)} if target else None


class EFormLinkField(serializers.Field):
    """The service's live e-form: its web address, its portal API code and the portal API's link; or null."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, service: ServicePage) -> dict[str, str] | None:
        eform = self.context["view"].live_eform_of(service)
        if eform is None:
            return None
        request = self.context["request"]
        return {
            "code": service.slug,
            "url": eform.get_full_url(request),
            "api_url": get_full_url(request, PORTAL_API_FORM_PATH.format(code=service.slug)),
        }


PAGE_API_FIELDS: dict[type, list[APIField]] = {
    HomePage: [APIField("intro")],
    CategoryPage: [APIField("summary"), APIField("intro")],
    ServicePage: [
        APIField("summary"),
        APIField("online_status"),
        APIField("department", serializer=DepartmentSerializer(read_only=True)),
        APIField("lgsl_code"),
        APIField("keywords", serializer=serializers.ListField(source="keyword_list", read_only=True)),
        APIField("offline_channels", serializer=OfflineChannelsField()),
        APIField("eform", serializer=EFormLinkField()),
        APIField("external_url"),
        APIField("external_url_label"),
        APIField("information_only"),
        APIField("body"),
        APIField("eligibility"),
        APIField("what_you_need"),
        APIField("how_long"),
        APIField("service_level", serializer=ServiceLevelField()),
        APIField("what_happens_next"),
    ],
    InformationPage: [APIField("body")],
}
SERVICE_LISTING_FIELDS = ["summary", "online_status", "lgsl_code", "department", "eform", "external_url"]


def live_eforms_by_service(services: list[ServicePage]) -> dict[int, EFormPage]:
    """The live, public e-form of each service that has one, by service id (one query)."""
    paths = {service.path: service.pk for service in services}
    if not paths:
        return {}
    under_services = Q()
    for path in paths:
        under_services |= Q(path__startswith=path)
    eforms = EFormPage.objects.live().public().filter(under_services, depth__in={s.depth + 1 for s in services})
    found: dict[int, EFormPage] = {}
    for eform in eforms.order_by("path"):
        found.setdefault(paths[eform.path[: -EFormPage.steplen]], eform)
    return found


def is_whole_number_field(model, name: str) -> bool:
    """True when `name` is an integer or foreign key column of `model`."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return isinstance(field, (models.IntegerField, models.AutoField, models.ForeignKey))


class ServiceFilter(BaseFilterBackend):
    """`category=<slug>`: the services of one category; checks `online_status` names a status."""

    def filter_queryset(self, request, queryset, view):
        if "online_status" in request.GET and request.GET["online_status"] not in OnlineStatus.values:
            raise BadRequestError(
                gettext("online_status must be one of: %(values)s") % {"values": ", ".join(OnlineStatus.values)}
            )
        if "category" not in request.GET:
            return queryset
        if not issubclass(queryset.model, ServicePage):
            raise BadRequestError(
                gettext("category filters service pages: leave out type or use type=home.ServicePage")
            )
        slug = request.GET["category"]
        category = None
        if SLUG_PATTERN.match(slug):
            category = CategoryPage.objects.live().public().filter(slug=slug).first()
        if category is None:
            raise BadRequestError(gettext("there is no category with the slug '%(slug)s'") % {"slug": slug[:100]})
        return queryset.child_of(category)


class CatalogueSearchFilter(BaseFilterBackend):
    """`search=`: Wagtail search over what is left after the other filters; any input gives a result or a 400."""

    def filter_queryset(self, request, queryset, view):
        if "search" not in request.GET:
            return queryset
        query = clean_search_query(request.GET["search"])
        if not query:
            raise BadRequestError(gettext("search must contain at least one letter or number"))
        operator = request.GET.get("search_operator", "and")
        if operator not in SEARCH_OPERATORS:
            raise BadRequestError(gettext("search_operator must be 'and' or 'or'"))
        try:
            return get_search_backend().search(
                query, queryset, operator=operator, order_by_relevance="order" not in request.GET
            )
        except (FilterFieldError, OrderByFieldError) as error:
            raise BadRequestError(
                gettext("search cannot be combined with '%(field)s'") % {"field": error.field_name}
            ) from error


class CataloguePagesAPIViewSet(PagesAPIViewSet):
    """Wagtail's pages endpoint with the catalogue's fields, filters, problem documents and fixed query count."""

    filter_backends = [
        ServiceFilter,
        FieldsFilter,
        ChildOfFilter,
        AncestorOfFilter,
        DescendantOfFilter,
        OrderingFilter,
        CatalogueSearchFilter,  # last: search results cannot be filtered further
    ]
    known_query_parameters = PagesAPIViewSet.known_query_parameters.union({"category"}) - {"translation_of", "locale"}

    @classmethod
    def get_body_fields(cls, model):
        return cls._convert_api_fields(cls.body_fields + PAGE_API_FIELDS.get(model, []))

    @classmethod
    def get_listing_default_fields(cls, model):
        fields = super().get_listing_default_fields(model)
        if issubclass(model, ServicePage):
            fields += SERVICE_LISTING_FIELDS
        elif issubclass(model, CategoryPage):
            fields.append("summary")
        return fields

    def check_query_parameters(self, queryset):
        """Wagtail's check of the parameters' names, then: no whole number too large for the database."""
        super().check_query_parameters(queryset)
        for name, value in self.request.GET.items():
            whole_number = name in WHOLE_NUMBER_PARAMETERS or is_whole_number_field(queryset.model, name)
            if whole_number and value.strip().lstrip("-").isdigit() and abs(int(value)) > LARGEST_WHOLE_NUMBER:
                raise BadRequestError(gettext("%(name)s is too large") % {"name": name})

    def get_queryset(self):
        if "type" not in self.request.GET and SERVICE_ONLY_FILTERS & self.request.GET.keys():
            queryset = ServicePage.objects.filter(pk__in=self.get_base_queryset().values_list("pk", flat=True))
        else:
            queryset = super().get_queryset()
        if issubclass(queryset.model, ServicePage):
            queryset = queryset.select_related("department")
        return queryset.select_related("locale")

    def paginate_queryset(self, queryset):
        """One page of results, with the live e-forms of its services found in one query."""
        page = super().paginate_queryset(queryset)
        self._live_eforms = live_eforms_by_service([item for item in page if isinstance(item, ServicePage)])
        return page

    def live_eform_of(self, service: ServicePage) -> EFormPage | None:
        """The service's live, public e-form, from the listing's look-up when there is one."""
        known = getattr(self, "_live_eforms", None)
        if known is None:
            known = self._live_eforms = live_eforms_by_service([service])
        return known.get(service.pk)

    def find_object(self, queryset, request):
        """`find/?html_path=` or `find/?id=` (a positive whole number: anything else is a 400)."""
        if "id" in request.GET and not request.GET["id"].isdigit():
            raise BadRequestError(gettext("id must be a positive integer"))
        return super().find_object(queryset, request)

    def handle_exception(self, exc):
        """Every error as an RFC 9457 problem document; Wagtail's `message` is kept for its clients."""
        if isinstance(exc, BadRequestError):
            return self.problem(400, "invalid-query", gettext("The query is not valid"), str(exc))
        if isinstance(exc, Http404):
            return not_found(self.request)
        if isinstance(exc, APIException):
            return self.problem(exc.status_code, "http-error", str(exc.detail), str(exc.detail))
        return super().handle_exception(exc)

    def problem(self, status: int, kind: str, title: str, detail: str):
        return problem_response(self.request, status, kind, title, detail, message=detail)


@csrf_exempt
def not_found(request):
    """The problem document for an address under /api/v2/ that names no live, public page or endpoint."""
    detail = gettext("There is no live, public page or endpoint at this address.")
    return problem_response(request, 404, "not-found", gettext("Not found"), detail, message=detail)


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", CataloguePagesAPIViewSet)
