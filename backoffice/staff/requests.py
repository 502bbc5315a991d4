"""Staff views of requests: the queue listing, a request's page, and the casework actions.

Every view finds its request among `visible_requests(user)`, so one outside the user's
queues is a 404 whichever way it is reached. Changes go through `backoffice.casework`
(which writes the history event and the citizen's email with the change) and are written
to the audit log in the same transaction; each display of a request's answers is logged.
"""

import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn, UserColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import ModelLogEntry

from forms_catalogue.definition import FormDefinition
from forms_catalogue.summary import request_sections
from forms_catalogue.translations import staff_definition
from home.models import ServicePage
from home.service_levels import TargetUnit
from portal.file_encryption import UndecryptableFile
from portal.language import language_choices

from .. import casework, service_levels
from ..file_links import InvalidFileLink, check_staff_token, staff_token
from ..files import UNDECRYPTABLE_FILE, attachment_response
from ..models import Channel, DeliveryState, RequestEvent, ServiceRequest, Status
from ..models.requests import OPEN_STATUSES
from ..references import normalise_reference
from . import audit
from .access import can_manage_deliveries, can_work_requests, user_display_name, visible_requests, work_queues
from .forms import AssignForm, ClaimForm, StatusForm

NAMESPACE = "backoffice_requests"
ICON = "tasks"
REPLAYABLE = (DeliveryState.DEAD, DeliveryState.FAILED)


def request_url(name: str, *args: Any) -> str:
    return reverse(f"{NAMESPACE}:{name}", args=args)


# --- listing -----------------------------------------------------------------------------


def services_in_view(request):
    """The services that have requests the user can see (the choices of the service filter)."""
    return ServicePage.objects.filter(pk__in=visible_requests(request.user).values("service")).order_by("title")


def queues_in_view(request):
    return work_queues(request.user)


class RequestFilterSet(WagtailFilterSet):
    """Filters of the request listing: status, service, queue, age and who has it."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("open", _("Any open status"))] + Status.choices,
        empty_label=_("Any status"),
        method="filter_status",
        widget=forms.RadioSelect,
    )
    service = django_filters.ModelChoiceFilter(label=_("Service"), queryset=services_in_view)
    queue = django_filters.ModelChoiceFilter(label=_("Queue"), queryset=queues_in_view)
    due = django_filters.ChoiceFilter(
        label=_("Due"),
        choices=[
            ("overdue", _("Overdue")),
            ("today", _("Due today")),
            ("week", _("Due this week")),
            ("paused", _("Paused: waiting for the citizen")),
        ],
        empty_label=_("Any"),
        method="filter_due",
        widget=forms.RadioSelect,
    )
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices, empty_label=_("Any channel"))
    language = django_filters.ChoiceFilter(label=_("Language"), choices=language_choices, empty_label=_("Any language"))
    age = django_filters.ChoiceFilter(
        label=_("Submitted"),
        choices=[("today", _("Today")), ("week", _("In the last 7 days")), ("older", _("More than 7 days ago"))],
        empty_label=_("Any time"),
        method="filter_age",
        widget=forms.RadioSelect,
    )
    assignee = django_filters.ChoiceFilter(
        label=_("Assigned to"),
        choices=[("me", _("Me")), ("unassigned", _("Nobody (unassigned)")), ("others", _("Someone else"))],
        empty_label=_("Anyone"),
        method="filter_assignee",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = ServiceRequest
        fields: list[str] = []

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)

    def filter_due(self, queryset, name, value):
        """Open requests by where they stand against their due date (a paused clock is neither due nor overdue)."""
        if value == "paused":
            return queryset.filter(status=Status.WAITING)
        running = queryset.filter(status__in=OPEN_STATUSES).exclude(status=Status.WAITING)
        now = timezone.now()
        if value == "overdue":
            return running.filter(due_at__lt=now)
        end = service_levels.end_of_today(now) if value == "today" else service_levels.end_of_week(now)
        return running.filter(due_at__gte=now, due_at__lte=end)

    def filter_age(self, queryset, name, value):
        now = timezone.now()
        if value == "today":
            start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
            return queryset.filter(created_at__gte=start)
        if value == "week":
            return queryset.filter(created_at__gte=now - timedelta(days=7))
        return queryset.filter(created_at__lt=now - timedelta(days=7))

    def filter_assignee(self, queryset, name, value):
        user = self.request.user
        if value == "me":
            return queryset.filter(assignee=user)
        if value == "unassigned":
            return queryset.filter(assignee__isnull=True)
        return queryset.filter(assignee__isnull=False).exclude(assignee=user)


class DueColumn(Column):
    """Where the request stands against its due date, in words ("Due today", "Overdue by 3 working days")."""

    cell_template_name = "backoffice/admin/due_cell.html"

    def __init__(self, name, *, now, **kwargs):
        super().__init__(name, **kwargs)
        self.now = now

    def get_value(self, instance):
        return service_levels.due_state(instance, self.now)


class RequestIndexView(IndexView):
    """The requests in the user's queues, newest first, filtered and paginated."""

    model = ServiceRequest
    permission_policy = None  # access is by queue, see `visible_requests`
    any_permission_required = None
    filterset_class = RequestFilterSet
    default_ordering = "-created_at"
    paginate_by = 25
    page_title = _("Requests")
    header_icon = ICON
    search_fields = ["reference"]
    search_backend_name = None
    index_url_name = f"{NAMESPACE}:index"
    index_results_url_name = f"{NAMESPACE}:index_results"

    def dispatch(self, request, *args, **kwargs):
        if not can_work_requests(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return visible_requests(self.request.user).select_related("assignee__wagtail_userprofile")

    def order_queryset(self, queryset):
        """The chosen order, newest first for equal keys; requests without a due date last when sorting by it."""
        ordering = self.ordering or self.default_ordering
        if ordering.lstrip("-") == "due_at":
            due = F("due_at")
            return queryset.order_by(
                due.desc(nulls_last=True) if ordering.startswith("-") else due.asc(nulls_last=True), "-pk"
            )
        return queryset.order_by(ordering, "-pk")

    def search_queryset(self, queryset):
        """Search by reference, typed any way: 'k7mq x3pt', 'K7MQ-X3PT-RA'."""
        if not self.is_searching:
            return queryset
        return queryset.filter(reference__contains=normalise_reference(self.search_query))

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "reference",
                label=_("Reference"),
                accessor="display_reference",
                get_url=lambda obj: request_url("detail", obj.pk),
            ),
            Column("service", label=_("Service"), accessor="service.title", sort_key="service__title"),
            StatusTagColumn(
                "status",
                label=_("Status"),
                accessor="get_status_display",
                sort_key="status",
                primary=lambda obj: obj.is_open,
            ),
            Column("queue", label=_("Queue"), accessor="queue"),
            DueColumn("due_at", label=_("Due"), sort_key="due_at", now=timezone.now()),
            Column("channel", label=_("Channel (entered by)"), accessor=channel_text, sort_key="channel"),
            Column("language", label=_("Language"), accessor="language_name", sort_key="language"),
            DateColumn("created_at", label=_("Submitted"), sort_key="created_at"),
            UserColumn("assignee", label=_("Assigned to"), blank_display_name=_("Unassigned")),
        ]

    @cached_property
    def no_results_message(self):
        if self.is_searching or self.is_filtering:
            return _("No requests match these filters.")
        return _("There are no requests in your queues.")


def channel_text(service_request: ServiceRequest) -> str:
    """The channel, and who entered the request when staff did it for a resident: "Phone (Sam Patel)"."""
    channel = service_request.get_channel_display()
    if service_request.entered_by is None:
        return channel
    return f"{channel} ({user_display_name(service_request.entered_by)})"


# --- a request's page --------------------------------------------------------------------


def form_definition(service_request: ServiceRequest) -> FormDefinition | None:
    """The frozen definition the request was made against, or None (no snapshot, or unreadable)."""
    if not service_request.form_snapshot:
        return None
    try:
        return FormDefinition.from_json(service_request.form_snapshot)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def raw_answer_rows(answers: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {"label": key, "value": value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}
        for key, value in answers.items()
    ]


def answer_sections(service_request: ServiceRequest, definition: FormDefinition | None) -> list[dict[str, Any]]:
    """The answers by step as the citizen gave them (one section per repeated item), with labels."""
    answers = service_request.answers if isinstance(service_request.answers, dict) else {}
    if definition is not None:
        try:
            return request_sections(definition, answers)
        except (AttributeError, TypeError, KeyError, ValueError):
            pass  # answers not in the shape of the definition: show them as stored
    return [{"title": gettext("Answers as stored"), "rows": raw_answer_rows(answers)}] if answers else []


def file_url(http_request, item) -> str:
    """The link to download a file: it works in this member of staff's session only, for minutes (`file_links`)."""
    return request_url("file", item.request_id, item.pk) + "?" + urlencode({"link": staff_token(http_request, item)})


def file_rows(http_request, service_request: ServiceRequest, definition: FormDefinition | None) -> list[dict]:
    labels = {question.id: question.label for _step, question in definition.questions()} if definition else {}
    return [
        {
            "file": item,
            "question": labels.get(item.question_id, item.question_id),
            "item_number": None if item.item_index is None else item.item_index + 1,
            "url": file_url(http_request, item),
        }
        for item in service_request.files.order_by("pk")
    ]


def due_date_text(service_request: ServiceRequest, due) -> str:
    """A due date as staff read it: the day for a target in days, the day and time for one in hours."""
    local = timezone.localtime(due)
    if service_request.target_unit == TargetUnit.HOURS:
        return date_format(local, "j F Y, H:i")
    return date_format(local, "l j F Y")


def service_level_rows(service_request: ServiceRequest, now) -> list[dict[str, str]] | None:
    """Target, due date and where it stands, and the time the clock was stopped; None without a target."""
    target = service_request.service_level
    if target is None or service_request.due_at is None:
        return None
    state = service_levels.due_state(service_request, now)
    paused = service_levels.paused_text(target, service_request.time_paused)
    if service_request.paused_at:
        since = date_format(timezone.localtime(service_request.paused_at), "j F Y, H:i")
        message = gettext("%(paused)s, and stopped since %(since)s (waiting for the citizen)")
        paused = message % {"paused": paused, "since": since}
    return [
        {"label": gettext("Target"), "value": str(target)},
        {"label": gettext("Due"), "value": f"{due_date_text(service_request, service_request.due_at)} ({state.text})"},
        {"label": gettext("Time paused"), "value": paused},
    ]


def history(service_request: ServiceRequest):
    """The request's events, newest first, each with `clock_text` when it moved the service-level clock."""
    events = list(service_request.events.select_related("actor", "assignee").order_by("-created_at", "-pk"))
    target = service_request.service_level
    for event in events:
        event.clock_text = ""
        if target is None:
            continue
        if event.clock_paused is not None and event.due_at is not None:
            event.clock_text = gettext("Clock restarted after %(paused)s: now due %(due)s.") % {
                "paused": service_levels.paused_text(target, event.clock_paused),
                "due": due_date_text(service_request, event.due_at),
            }
        elif event.kind == RequestEvent.Kind.STATUS and event.to_status == Status.WAITING:
            event.clock_text = gettext("Clock stopped while waiting for the citizen.")
        elif event.kind == RequestEvent.Kind.SUBMITTED and event.due_at is not None:
            event.clock_text = gettext("Due %(due)s (target: %(target)s).") % {
                "due": due_date_text(service_request, event.due_at),
                "target": target,
            }
    return events


class RequestDetailView(WagtailAdminTemplateMixin, TemplateView):
    """A request: its answers, files, history and deliveries, and the forms to work it."""

    template_name = "backoffice/admin/request_detail.html"
    header_icon = ICON
    page_title = _("Request")

    def dispatch(self, request, *args, **kwargs):
        self.object = get_object_or_404(visible_requests(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.object.display_reference

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": request_url("index"), "label": gettext("Requests")},
            {"url": "", "label": self.object.display_reference},
        ]

    def get(self, request, *args, **kwargs):
        return self.render_page()

    def render_page(self, **forms_in_error):
        """Show the request (logged as a view of its personal data)."""
        audit.record(self.object, audit.VIEW_REQUEST, self.request.user)
        return self.render_to_response(self.get_context_data(**forms_in_error))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        service_request, user = self.object, self.request.user
        definition = staff_definition(form_definition(service_request), service_request)
        context.update(
            service_request=service_request,
            form_title=definition.title if definition else service_request.form_snapshot.get("title", ""),
            sections=answer_sections(service_request, definition),
            files=file_rows(self.request, service_request, definition),
            events=history(service_request),
            service_level=service_level_rows(service_request, timezone.now()),
            deliveries=service_request.deliveries.select_related("destination").order_by("created_at", "pk"),
            replayable=REPLAYABLE,
            can_replay=can_manage_deliveries(user),
            can_claim=service_request.assignee_id != user.pk,
            claim_form=kwargs.get("claim_form") or ClaimForm(service_request=service_request, user=user),
            assign_form=kwargs.get("assign_form") or AssignForm(service_request=service_request),
            status_form=kwargs.get("status_form") or StatusForm(service_request=service_request),
            assignee_name=user_display_name(service_request.assignee),
            entered_by_name=user_display_name(service_request.entered_by),
            audit_entries=(
                ModelLogEntry.objects.for_instance(service_request).select_related("user")[:50]
                if user.is_superuser
                else None
            ),
        )
        return context


class RequestActionView(RequestDetailView):
    """Base of the casework actions: POST only; success redirects to the request's page."""

    http_method_names = ["post"]

    def done(self, message: str):
        messages.success(self.request, message)
        return redirect(request_url("detail", self.object.pk))

    def invalid(self, **forms_in_error):
        messages.error(self.request, gettext("The request was not changed. Correct the problem shown and try again."))
        return self.render_page(**forms_in_error)


class ClaimView(RequestActionView):
    """Assign the request to oneself."""

    def post(self, request, *args, **kwargs):
        form = ClaimForm(request.POST, service_request=self.object, user=request.user)
        if not form.is_valid():
            for _field_id, message in form.error_list:
                messages.warning(request, message)
            return redirect(request_url("detail", self.object.pk))
        with transaction.atomic():
            casework.assign(self.object, request.user, actor=request.user)
            audit.record(
                self.object,
                audit.ASSIGN,
                request.user,
                assignee_id=request.user.pk,
                assignee_name=user_display_name(request.user),
                claimed=True,
            )
        return self.done(gettext("You have claimed this request."))


class AssignView(RequestActionView):
    """Assign the request to another member of its queue's staff."""

    def post(self, request, *args, **kwargs):
        form = AssignForm(request.POST, service_request=self.object)
        if not form.is_valid():
            return self.invalid(assign_form=form)
        assignee = form.cleaned_data["assignee"]
        with transaction.atomic():
            casework.assign(self.object, assignee, actor=request.user)
            audit.record(
                self.object,
                audit.ASSIGN,
                request.user,
                assignee_id=assignee.pk,
                assignee_name=user_display_name(assignee),
                claimed=assignee.pk == request.user.pk,
            )
        return self.done(gettext("Request assigned to %(name)s.") % {"name": user_display_name(assignee)})


class ChangeStatusView(RequestActionView):
    """Change the status and/or add notes; the citizen is emailed when they should hear of it."""

    def post(self, request, *args, **kwargs):
        form = StatusForm(request.POST, service_request=self.object)
        if not form.is_valid():
            return self.invalid(status_form=form)
        try:
            with transaction.atomic():
                event = casework.change_status(
                    self.object,
                    form.cleaned_data["status"],
                    actor=request.user,
                    internal_note=form.cleaned_data["internal_note"],
                    public_note=form.cleaned_data["public_note"],
                )
                emailed = audit.record_status_change(self.object, event, request.user)
        except casework.CaseworkError as error:
            form.add_error(None, str(error))
            return self.invalid(status_form=form)
        if event.from_status == event.to_status:
            message = gettext("Note added.")
        else:
            message = gettext("Status changed to '%(status)s'.") % {"status": self.object.get_status_display()}
        if emailed:
            message += " " + gettext("The citizen will be emailed.")
        return self.done(message)


class RequestFileView(RequestDetailView):
    """One of the request's files, for staff who may see the request, through a link made in their own
    session minutes ago (others go back to the request's page); always an attachment."""

    http_method_names = ["get"]

    def get(self, request, *args, file_pk, **kwargs):
        item = get_object_or_404(self.object.files, pk=file_pk)
        try:
            check_staff_token(request, request.GET.get("link", ""), item)
        except InvalidFileLink:
            messages.warning(request, gettext("That file link has expired or was made for another session. Try again."))
            return redirect(request_url("detail", self.object.pk))
        try:
            response = attachment_response(item)
        except UndecryptableFile:
            messages.error(request, gettext(UNDECRYPTABLE_FILE))
            return redirect(request_url("detail", self.object.pk))
        except (OSError, ValueError):
            raise Http404(gettext("The file is no longer stored.")) from None
        audit.record(self.object, audit.DOWNLOAD_FILE, request.user, file_id=item.pk, question_id=item.question_id)
        return response


class RequestByReferenceView(View):
    """Go to a request by its reference, typed any way (404 outside the user's queues)."""

    http_method_names = ["get"]

    def get(self, request, reference: str):
        found = get_object_or_404(visible_requests(request.user), reference=normalise_reference(reference))
        return redirect(request_url("detail", found.pk))
