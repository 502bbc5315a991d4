"""Assisted digital: a member of staff submits an e-form on a resident's behalf, in the admin.

A contact-centre agent on the phone (or at a counter, or opening a letter) picks any live
e-form, records how the resident got in touch and their contact details, then completes
the citizen's own journey: `AssistedWizard` is `EFormWizard` with its URLs under the admin,
its own storage prefix (an assisted journey can never be carried on at the public URLs, nor
the other way round), the admin's templates and no save and return (the resident is on the
line now; a half-finished request is simply not sent). Steps, conditions, repeats, uploads,
exit pages, validation and check your answers are the wizard's, unchanged.

Sending stores the request through `backoffice.intake.submit` with the channel, the agent
(`entered_by`, also the actor of the "submitted" event and an audit-log entry) and the
resident's contact details; the resident's email gets the same confirmation email as online.
Only superusers and holders of `backoffice.submit_on_behalf` may use any of these views.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Page

from backoffice.intake import Contact
from backoffice.models import ASSISTED_CHANNELS, ServiceRequest
from backoffice.staff.access import can_submit_on_behalf, visible_requests
from backoffice.staff.forms import ErrorListMixin
from home.models import ServicePage
from portal.language import DEFAULT_LANGUAGE, language_choices, language_name

from .answers import RequestAnswers
from .fields import normalise_phone
from .journey import CHECK_STEP, new_journey_id, storage_prefix, submitted_request_id
from .models import EFormPage, FormVersion
from .routing import pinned_version
from .summary import request_sections
from .views import first_step_name
from .wizard import EFormWizard, JourneyStorage, journey_file_storage

ASSISTED = "assisted"  # the storage prefix kind of a journey made for a resident
RESIDENT = "resident"  # the journey's extra data: channel and contact details
ICON = "user"
FORMS_PER_PAGE = 50
MENU_LABEL = _("Submit on behalf of a resident")


def agent_required(view):
    """Turn away (403) anyone who may not submit on a resident's behalf."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not can_submit_on_behalf(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return checked


def live_form(page_id: int) -> tuple[EFormPage, FormVersion]:
    """The live e-form with this id and the version new journeys start on; 404 when there is none."""
    page = EFormPage.objects.live().filter(pk=page_id).first()
    version = page.current_version() if page else None
    if version is None:
        raise Http404(gettext("There is no live e-form with this id."))
    return page, version


def assisted_storage(request, page: EFormPage, journey_id: str) -> JourneyStorage:
    return JourneyStorage(storage_prefix(page.pk, journey_id, ASSISTED), request, journey_file_storage)


def assisted_url(name: str, page: EFormPage, journey_id: str, *rest: str) -> str:
    return reverse(f"assisted_{name}", args=[page.pk, journey_id, *rest])


def first_step_url(page: EFormPage, journey_id: str, version: FormVersion) -> str:
    return assisted_url("step", page, journey_id, first_step_name(version))


# --- the list of forms ---------------------------------------------------------------------


def form_rows(search: str) -> list[dict[str, Any]]:
    """Every live e-form that has a published version, with its service, by title; two queries."""
    pages = list(
        EFormPage.objects.live()
        .filter(versions__isnull=False)
        .distinct()
        .only("pk", "title", "path", "depth", "url_path")
        .order_by("title")
    )
    services = dict(
        ServicePage.objects.filter(path__in={page.path[: -Page.steplen] for page in pages}).values_list("path", "title")
    )
    words = search.casefold().split()
    rows = []
    for page in pages:
        service = services.get(page.path[: -Page.steplen], "")
        haystack = f"{page.title} {service}".casefold()
        if all(word in haystack for word in words):
            rows.append({"page": page, "service": service, "url": reverse("assisted_start", args=[page.pk])})
    return rows


class FormSearch(forms.Form):
    q = forms.CharField(label=_("Search forms"), required=False, max_length=200)


@never_cache
@agent_required
def form_list(request):
    """Every live e-form (searchable by its title or its service's), each opening an assisted journey."""
    search = FormSearch(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    rows = form_rows(query)
    page_obj = Paginator(rows, FORMS_PER_PAGE).get_page(request.GET.get("p"))
    return render(
        request,
        "forms_catalogue/admin/assisted_forms.html",
        {
            "page_title": MENU_LABEL,
            "header_title": MENU_LABEL,
            "header_icon": ICON,
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": gettext("Home")},
                {"url": "", "label": MENU_LABEL},
            ],
            "search_form": search,
            "query": query,
            "page_obj": page_obj,
            "elided_page_range": page_obj.paginator.get_elided_page_range(page_obj.number),
            "rows": page_obj.object_list,
        },
    )


# --- the resident: channel and contact details ----------------------------------------------


class ResidentForm(ErrorListMixin, forms.Form):
    """How the resident got in touch, and how the council can reach them."""

    channel = forms.ChoiceField(
        label=_("How did the resident contact the council?"),
        choices=[(channel.value, channel.label) for channel in ASSISTED_CHANNELS],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select how the resident contacted the council"),
            "invalid_choice": _("Select phone, face to face or post"),
        },
    )
    language = forms.ChoiceField(
        label=_("Which language does the resident want us to use?"),
        help_text=_("Their confirmation and updates are sent in it."),
        choices=language_choices,
        initial=DEFAULT_LANGUAGE,
        required=False,  # English unless the agent chooses otherwise
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Select English or Welsh")},
    )
    name = forms.CharField(
        label=_("Resident's full name"),
        max_length=200,
        error_messages={
            "required": _("Enter the resident's full name"),
            "max_length": _("The name must be 200 characters or less"),
        },
    )
    email = forms.EmailField(
        label=_("Email address (optional)"),
        required=False,
        help_text=_("The resident gets the same confirmation email as online, with the reference and their answers."),
        error_messages={"invalid": _("Enter an email address in the correct format, like name@example.com")},
    )
    phone = forms.CharField(label=_("Phone number (optional)"), required=False, max_length=50)
    address = forms.CharField(
        label=_("Postal address (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("The address must be 500 characters or less")},
    )

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and normalise_phone(phone) is None:
            raise forms.ValidationError(
                gettext("Enter a UK telephone number, like 01632 960 001 or 07700 900 982"), code="invalid"
            )
        return normalise_phone(phone) or ""

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned.get("channel") == "post" and not cleaned.get("address", "").strip():
            self.add_error("address", gettext("Enter the resident's postal address: their request came by post"))
        elif not any(cleaned.get(name, "").strip() for name in ("email", "phone", "address")):
            raise forms.ValidationError(
                gettext(
                    "Enter at least one way to contact the resident: an email address, a phone number or an address"
                ),
                code="no_contact",
            )
        return cleaned

    def resident(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[name].strip()
            for name in ("channel", "language", "name", "email", "phone", "address")
        }


def resident_rows(resident: dict[str, str]) -> list[dict[str, str]]:
    """The resident's details as label/value rows (check your answers, the sent page)."""
    channels = dict((channel.value, channel.label) for channel in ASSISTED_CHANNELS)
    return [
        {"label": gettext("Contacted us by"), "value": str(channels.get(resident.get("channel"), ""))},
        {"label": gettext("Language"), "value": language_name(resident.get("language") or DEFAULT_LANGUAGE)},
        {"label": gettext("Name"), "value": resident.get("name", "")},
        {"label": gettext("Email address"), "value": resident.get("email", "")},
        {"label": gettext("Phone number"), "value": resident.get("phone", "")},
        {"label": gettext("Postal address"), "value": resident.get("address", "")},
    ]


def admin_frame(page: EFormPage, label: str, title: str = "") -> dict[str, Any]:
    """The admin header and breadcrumbs of a page of an assisted journey."""
    return {
        "page_title": title or page.title,
        "header_title": title or page.title,
        "header_icon": ICON,
        "breadcrumbs_items": [
            {"url": reverse("wagtailadmin_home"), "label": gettext("Home")},
            {"url": reverse("assisted_forms"), "label": MENU_LABEL},
            {"url": "", "label": label},
        ],
    }


@never_cache
@agent_required
def resident_details(request, page_id: int, journey_id: str | None = None):
    """Before the questions: the channel and the resident's details; a valid POST starts (or updates) the journey."""
    page, version = live_form(page_id)
    if journey_id and journey_version(request, page, journey_id) is None:
        return ended(request, page, journey_id)  # sent, or the session has expired
    storage = assisted_storage(request, page, journey_id) if journey_id else None
    stored = storage.extra_data.get(RESIDENT) if storage is not None else None
    form = ResidentForm(request.POST if request.method == "POST" else None, initial=stored)
    if request.method == "POST" and form.is_valid():
        if storage is None:
            journey_id = new_journey_id()
            storage = assisted_storage(request, page, journey_id)
            storage.extra_data = {"version_id": version.pk, RESIDENT: form.resident()}
            return redirect(first_step_url(page, journey_id, version))
        storage.extra_data = {**storage.extra_data, RESIDENT: form.resident()}
        return redirect(assisted_url("step", page, journey_id, CHECK_STEP))
    return render(
        request,
        "forms_catalogue/admin/assisted_resident.html",
        {
            **admin_frame(page, page.title),
            "page": page,
            "service": page.get_parent(),
            "form": form,
            "changing": storage is not None,
            "back_url": assisted_url("step", page, journey_id, CHECK_STEP) if storage else reverse("assisted_forms"),
        },
    )


# --- the journey -----------------------------------------------------------------------------


class AssistedWizard(WagtailAdminTemplateMixin, EFormWizard):
    """The citizen's journey in the admin, submitted for a resident with the channel, the agent and their details."""

    template_name = "forms_catalogue/admin/assisted_step.html"
    exit_template_name = "forms_catalogue/admin/assisted_exit.html"
    header_icon = ICON

    def get_prefix(self, request, *args, **kwargs):
        return storage_prefix(self.page.pk, self.journey_id, ASSISTED)

    def journey_url(self) -> str:
        return reverse("assisted_steps", args=[self.page.pk, self.journey_id])

    def start_url(self) -> str:
        return assisted_url("resident", self.page, self.journey_id)

    @property
    def offers_save_and_return(self) -> bool:
        return False  # the resident is there now; an unfinished request is not kept

    @property
    def resident(self) -> dict[str, str]:
        return self.extra.get(RESIDENT, {})

    def submission(self, collected: RequestAnswers) -> dict[str, Any]:
        arguments = super().submission(collected)
        resident = self.resident
        arguments.update(
            channel=resident["channel"],
            language=resident.get("language") or DEFAULT_LANGUAGE,
            entered_by=self.request.user,
            contact=Contact(
                email=resident.get("email") or arguments["contact_email"],
                name=resident.get("name", ""),
                phone=resident.get("phone", ""),
                address=resident.get("address", ""),
            ),
            idempotency_key=f"{ASSISTED}:{self.page.pk}:{self.journey_id}",
        )
        return arguments

    def after_submit(self, service_request):
        return redirect(assisted_url("sent", self.page, self.journey_id))

    def get_template_names(self):
        return [self.exit_template_name if self.is_exit(self.steps.current) else self.template_name]

    def get_page_title(self):
        return self.page.title

    def get_breadcrumbs_items(self):
        return admin_frame(self.page, self.page.title)["breadcrumbs_items"]

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        context.update(
            assisted=True,
            resident_rows=resident_rows(self.resident),
            resident_url=self.start_url(),
        )
        return context


def journey_version(request, page: EFormPage, journey_id: str) -> FormVersion | None:
    data = JourneyStorage.stored_data(request, storage_prefix(page.pk, journey_id, ASSISTED))
    version_id = data[JourneyStorage.extra_data_key].get("version_id") if data else None
    return pinned_version(request, page, version_id) if version_id else None


def ended(request, page: EFormPage, journey_id: str):
    """A journey no longer in the session: its sent page if it was sent, else the start."""
    if submitted_request_id(request.session, journey_id):
        return redirect(assisted_url("sent", page, journey_id))
    return redirect("assisted_start", page.pk)


@never_cache
@agent_required
def journey_step(request, page_id: int, journey_id: str, step: str, remove: bool = False):
    """One step of an assisted journey, handled by the wizard."""
    page, _version = live_form(page_id)
    version = journey_version(request, page, journey_id)
    if version is None:
        return ended(request, page, journey_id)
    if remove and request.method != "POST":
        return render(
            request,
            "forms_catalogue/admin/assisted_remove.html",
            {
                **admin_frame(page, page.title),
                "page": page,
                "back_url": assisted_url("step", page, journey_id, CHECK_STEP),
            },
        )
    view = AssistedWizard.for_journey(page, version, journey_id)
    return view(request, step=step, remove=remove)


@never_cache
@agent_required
def sent(request, page_id: int, journey_id: str):
    """The reference to read to the resident, a link to the request (if the agent works its queue), the answers."""
    page = EFormPage.objects.filter(pk=page_id).first()
    request_id = submitted_request_id(request.session, journey_id)
    service_request = (
        ServiceRequest.objects.filter(pk=request_id, form_page=page, entered_by=request.user)
        .select_related("service", "queue", "form_version")
        .first()
        if page and request_id
        else None
    )
    if service_request is None:
        return redirect("assisted_forms")
    definition = service_request.form_version.definition() if service_request.form_version else None
    can_open = visible_requests(request.user).filter(pk=service_request.pk).exists()
    return render(
        request,
        "forms_catalogue/admin/assisted_sent.html",
        {
            **admin_frame(page, page.title, gettext("Request sent")),
            "page": page,
            "service_request": service_request,
            "request_url": reverse("backoffice_requests:detail", args=[service_request.pk]) if can_open else "",
            "sections": request_sections(definition, service_request.answers) if definition else [],
            "resident_rows": resident_rows(
                {
                    "channel": service_request.channel,
                    "language": service_request.language,
                    "name": service_request.contact_name,
                    "email": service_request.contact_email,
                    "phone": service_request.contact_phone,
                    "address": service_request.contact_address,
                }
            ),
        },
    )
