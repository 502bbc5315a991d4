"""The back office in the Wagtail admin: "Requests" for staff, and "Back office" settings for admins.

- Requests (`/admin/requests/`): staff's queues, a request's page and the casework actions.
- Back office → Queues and Routing rules (`/admin/back-office/queues/`, `…/routing-rules/`):
  Wagtail model views, for superusers and groups given the models' permissions. A queue's
  destinations (webhook, email, RabbitMQ) are edited inline on the queue.
- Back office → Deliveries (`/admin/back-office/deliveries/`): the outbox, for web-team admins.
- Back office → Subject rights (`/admin/back-office/subject-rights/`): find, export and erase a
  person's requests, for the information-governance team.
"""

from django.db.models import ProtectedError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import DeleteView, IndexView
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from ..models import Queue, RoutingRule
from . import deliveries, requests, subject_rights
from .access import can_handle_subject_rights, can_manage_deliveries, can_work_requests


class RequestsMenuItem(MenuItem):
    """Shown to superusers and members of a queue's staff groups."""

    def is_shown(self, request):
        return can_work_requests(request.user)


class DeliveriesMenuItem(MenuItem):
    """Shown to web-team admins."""

    def is_shown(self, request):
        return can_manage_deliveries(request.user)


class SubjectRightsMenuItem(MenuItem):
    """Shown to the information-governance team."""

    def is_shown(self, request):
        return can_handle_subject_rights(request.user)


class RequestViewSet(ViewSet):
    """Staff's request queues and casework."""

    name = requests.NAMESPACE
    url_prefix = "requests"
    icon = requests.ICON
    menu_label = _("Requests")
    menu_name = "requests"
    menu_order = 150
    add_to_admin_menu = True
    menu_item_class = RequestsMenuItem

    @cached_property
    def menu_url(self):
        return reverse(f"{self.url_namespace}:index")

    def get_urlpatterns(self):
        return [
            path("", requests.RequestIndexView.as_view(), name="index"),
            path("results/", requests.RequestIndexView.as_view(results_only=True), name="index_results"),
            path("<int:pk>/", requests.RequestDetailView.as_view(), name="detail"),
            path("<int:pk>/claim/", requests.ClaimView.as_view(), name="claim"),
            path("<int:pk>/assign/", requests.AssignView.as_view(), name="assign"),
            path("<int:pk>/status/", requests.ChangeStatusView.as_view(), name="status"),
            path("<int:pk>/files/<int:file_pk>/", requests.RequestFileView.as_view(), name="file"),
            path("reference/<str:reference>/", requests.RequestByReferenceView.as_view(), name="reference"),
        ]


class IndexMenuViewSet(ViewSet):
    """A viewset whose menu item opens its `index` view."""

    @cached_property
    def menu_url(self):
        return reverse(f"{self.url_namespace}:index")


class DeliveryViewSet(IndexMenuViewSet):
    """The outbox for web-team admins: states, errors, replay."""

    name = deliveries.NAMESPACE
    url_prefix = "back-office/deliveries"
    icon = deliveries.ICON
    menu_label = _("Deliveries")
    menu_name = "deliveries"
    menu_item_class = DeliveriesMenuItem

    def get_urlpatterns(self):
        return [
            path("", deliveries.DeliveryIndexView.as_view(), name="index"),
            path("results/", deliveries.DeliveryIndexView.as_view(results_only=True), name="index_results"),
            path("<int:pk>/replay/", deliveries.ReplayView.as_view(), name="replay"),
        ]


class SubjectRightsViewSet(IndexMenuViewSet):
    """Subject-rights requests: a person's requests found by email address, exported or erased."""

    name = subject_rights.NAMESPACE
    url_prefix = "back-office/subject-rights"
    icon = subject_rights.ICON
    menu_label = _("Subject rights")
    menu_name = "subject-rights"
    menu_item_class = SubjectRightsMenuItem

    def get_urlpatterns(self):
        return [path("", subject_rights.SubjectRightsView.as_view(), name="index")]


def staff_groups_text(queue: Queue) -> str:
    return ", ".join(group.name for group in queue.staff_groups.all())


def destinations_text(queue: Queue) -> str:
    return ", ".join(
        str(destination.get_kind_display()) for destination in queue.destinations.all() if destination.enabled
    )


class QueueIndexView(IndexView):
    """Queues with their department, groups and destinations in a fixed number of queries."""

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("department").prefetch_related("staff_groups", "destinations")


class QueueDeleteView(DeleteView):
    """Deleting a queue that still holds requests is refused with a message (requests keep their queue)."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                gettext("'%(queue)s' still holds requests, so it cannot be deleted.") % {"queue": self.object},
            )
            return redirect(reverse(f"{QueueViewSet.name}:edit", args=[self.object.pk]))


class QueueViewSet(ModelViewSet):
    """Departments' queues: who works them and which systems they push requests to."""

    model = Queue
    name = "backoffice_queues"
    url_prefix = "back-office/queues"
    icon = "tasks"
    menu_label = _("Queues")
    list_display = [
        "__str__",
        "department",
        Column("staff_groups", label=_("Staff groups"), accessor=staff_groups_text),
        Column("destinations", label=_("Pushes to"), accessor=destinations_text),
    ]
    list_filter = ["department"]
    search_fields = ["name", "slug", "department__name"]
    search_backend_name = None
    ordering = ["department__name", "name"]
    copy_view_enabled = False

    index_view_class = QueueIndexView
    delete_view_class = QueueDeleteView


class RoutingRuleViewSet(ModelViewSet):
    """Rules sending a service's requests to another queue, e.g. by postcode area."""

    model = RoutingRule
    name = "backoffice_routing_rules"
    url_prefix = "back-office/routing-rules"
    icon = "redirect"
    menu_label = _("Routing rules")
    list_display = ["__str__", "service", "queue", "priority"]
    list_filter = ["queue"]
    ordering = ["service__title", "priority", "pk"]
    copy_view_enabled = True


class BackOfficeViewSetGroup(ViewSetGroup):
    """The "Back office" menu: queues, routing rules, deliveries, subject rights."""

    menu_label = _("Back office")
    menu_icon = "cogs"
    menu_order = 160
    items = (QueueViewSet, RoutingRuleViewSet, DeliveryViewSet, SubjectRightsViewSet)
