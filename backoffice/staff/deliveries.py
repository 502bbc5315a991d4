"""The web team's view of the outbox: every delivery, problems first, and replaying failed ones.

Open to superusers and to users with the `backoffice.manage_deliveries` permission (give it
to a "Web team" group in Settings → Groups); anyone else is turned away. A replay puts a
dead or failed delivery back to pending with fresh attempts (`backoffice.relay.replay`),
and is written to the audit log.
"""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import View
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views.generic import IndexView

from .. import relay
from ..models import Delivery, DeliveryKind, DeliveryState
from . import audit
from .access import can_manage_deliveries, work_queues
from .requests import REPLAYABLE, request_url

NAMESPACE = "backoffice_deliveries"
ICON = "mail"
PROBLEMS_FIRST = Case(
    When(state=DeliveryState.DEAD, then=Value(0)),
    When(state=DeliveryState.FAILED, then=Value(1)),
    When(state=DeliveryState.SENDING, then=Value(2)),
    When(state=DeliveryState.PENDING, then=Value(3)),
    default=Value(4),
    output_field=IntegerField(),
)


def delivery_url(name: str, *args) -> str:
    return reverse(f"{NAMESPACE}:{name}", args=args)


class DeliveryManagerMixin:
    """Only web-team admins (see `can_manage_deliveries`)."""

    def dispatch(self, request, *args, **kwargs):
        if not can_manage_deliveries(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class DeliveryFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=DeliveryState.choices, empty_label=_("Any state"), widget=forms.RadioSelect
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=DeliveryKind.choices, empty_label=_("Any kind"), widget=forms.RadioSelect
    )

    class Meta:
        model = Delivery
        fields: list[str] = []


class ReplayColumn(Column):
    """A Replay button (a POST form) for dead and failed deliveries."""

    cell_template_name = "backoffice/admin/replay_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context["request"]
        context.update(
            delivery=instance,
            can_replay=instance.state in REPLAYABLE,
            replay_url=delivery_url("replay", instance.pk),
            next_url=listing_url(request),
            csrf_token=get_token(request),
        )
        return context


def listing_url(request) -> str:
    """The listing with the current filters (also when the table was redrawn by the filters' script)."""
    query = request.GET.copy()
    query.pop("_w_filter_fragment", None)
    return delivery_url("index") + (f"?{query.urlencode()}" if query else "")


def next_attempt(delivery: Delivery):
    """When the worker will try again; nothing for a delivery that is done or dead."""
    if delivery.state in (DeliveryState.DELIVERED, DeliveryState.DEAD):
        return None
    return delivery.next_attempt_at


def short_error(delivery: Delivery) -> str:
    return Truncator(delivery.last_error).chars(160)


class DeliveryIndexView(DeliveryManagerMixin, IndexView):
    """Every delivery: dead and failed ones first, then the newest."""

    model = Delivery
    permission_policy = None  # see DeliveryManagerMixin
    any_permission_required = None
    filterset_class = DeliveryFilterSet
    paginate_by = 50
    page_title = _("Deliveries")
    header_icon = ICON
    index_url_name = f"{NAMESPACE}:index"
    index_results_url_name = f"{NAMESPACE}:index_results"

    def get_base_queryset(self):
        return Delivery.objects.select_related("request", "destination__queue__department").annotate(
            problems_first=PROBLEMS_FIRST
        )

    def order_queryset(self, queryset):
        if self.ordering:
            return queryset.order_by(self.ordering, "-pk")
        return queryset.order_by("problems_first", "-updated_at", "-pk")

    @cached_property
    def visible_queue_ids(self) -> set[int] | None:
        """The queues whose requests the user may open (None: all of them)."""
        if self.request.user.is_superuser:
            return None
        return set(work_queues(self.request.user).values_list("pk", flat=True))

    def request_link(self, delivery: Delivery) -> str | None:
        """A link to the request's page when the user may open it."""
        if self.visible_queue_ids is None or delivery.request.queue_id in self.visible_queue_ids:
            return request_url("detail", delivery.request_id)
        return None

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "request",
                label=_("Request"),
                accessor="request.display_reference",
                get_url=self.request_link,
            ),
            Column("kind", label=_("Kind"), accessor="get_kind_display", sort_key="kind"),
            Column("destination", label=_("Destination"), accessor="destination"),
            StatusTagColumn(
                "state",
                label=_("State"),
                accessor="get_state_display",
                sort_key="state",
                primary=lambda obj: obj.state in REPLAYABLE,
            ),
            Column("attempts", label=_("Attempts"), accessor="attempts", sort_key="attempts"),
            DateColumn("next_attempt_at", label=_("Next attempt"), accessor=next_attempt, sort_key="next_attempt_at"),
            Column("last_error", label=_("Last error"), accessor=short_error),
            DateColumn("updated_at", label=_("Updated"), sort_key="updated_at"),
            ReplayColumn("replay", label=_("Replay")),
        ]

    @cached_property
    def no_results_message(self):
        if self.is_filtering:
            return _("No deliveries match these filters.")
        return _("There are no deliveries.")


class ReplayView(DeliveryManagerMixin, View):
    """Send a dead or failed delivery again now, with fresh attempts; logged."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        delivery = get_object_or_404(Delivery.objects.select_related("request"), pk=pk)
        back = get_valid_next_url_from_request(request) or delivery_url("index")
        if delivery.state not in REPLAYABLE:
            messages.warning(
                request,
                gettext("Delivery %(id)s is %(state)s now: only failed or dead deliveries can be replayed.")
                % {"id": delivery.pk, "state": delivery.get_state_display().lower()},
            )
            return redirect(back)
        with transaction.atomic():
            from_state = delivery.state
            relay.replay(delivery)
            delivery.refresh_from_db()
            if delivery.state != DeliveryState.PENDING:
                messages.warning(request, gettext("The delivery changed meanwhile and was not replayed."))
                return redirect(back)
            audit.record(
                delivery,
                audit.REPLAY_DELIVERY,
                request.user,
                request_id=delivery.request_id,
                reference=delivery.request.reference,
                from_state=from_state,
            )
        messages.success(
            request,
            gettext("Delivery %(id)s for %(reference)s will be sent again shortly.")
            % {"id": delivery.pk, "reference": delivery.request.display_reference},
        )
        return redirect(back)
