"""Citizen-facing views of an e-form, routed from EFormPage: start, steps, save and return, confirmation, feedback."""

import base64
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from wagtail.models import Site

from backoffice.models import ServiceRequest
from backoffice.notifications import track_url
from portal.encryption import blind_index
from portal.ratelimit import over_address_limit, over_limit, too_many_requests

from . import progress
from .builder import FormBuilder
from .forms import FeedbackForm, SaveForLaterForm
from .journey import (
    CHECK_STEP,
    gave_feedback,
    item_step_name,
    new_journey_id,
    remember_feedback,
    storage_prefix,
    submitted_request_id,
)
from .models import EFormPage, FormVersion, SavedJourney, ServiceFeedback
from .routing import pinned_version
from .schema import json_schema as build_json_schema
from .summary import request_sections
from .wizard import EFormWizard, JourneyStorage, journey_file_storage

RESUME_SALT = "forms_catalogue.resume"


def journey_storage(request, page, journey_id: str) -> JourneyStorage:
    """The session storage of one journey (formtools' own, under the journey's prefix)."""
    return JourneyStorage(storage_prefix(page.pk, journey_id), request, journey_file_storage)


def first_step_name(version: FormVersion) -> str:
    first = version.definition().steps[0]
    return item_step_name(first.id, 1) if first.repeat else first.id


def step_url(page, journey_id: str, step: str) -> str:
    return f"{page.url}{journey_id}/{step}/"


def start_page(request, page):
    """The form's own page: what you need, then "Start now"."""
    return render(request, "forms_catalogue/e_form_page.html", {"page": page, "service": page.get_parent()})


@never_cache
def start_journey(request, page):
    """Begin a new journey pinned to the current form version, with its own storage."""
    version = page.current_version()
    if version is None:
        raise Http404("This form has not been published.")
    journey_id = new_journey_id()
    storage = journey_storage(request, page, journey_id)
    first_step = version.definition().steps[0].id
    storage.extra_data = {"version_id": version.pk, progress.KEY: progress.start(page.pk, version.pk, first_step)}
    return redirect(step_url(page, journey_id, first_step_name(version)))


def journey_version(request, page, journey_id: str) -> FormVersion | None:
    """The frozen version the journey started on; None when the session has no such journey."""
    data = JourneyStorage.stored_data(request, storage_prefix(page.pk, journey_id))
    version_id = data[JourneyStorage.extra_data_key].get("version_id") if data else None
    return pinned_version(request, page, version_id) if version_id else None


def ended_journey(request, page, journey_id: str):
    """Where a request for a journey that is no longer in the session goes."""
    if submitted_request_id(request.session, journey_id):
        return redirect(f"{page.url}{journey_id}/confirmation/")
    return render(request, "forms_catalogue/journey_expired.html", {"page": page}, status=200)


@never_cache
def journey_step(request, page, journey_id: str, step: str, **extra):
    """One step of the journey, handled by the wizard."""
    version = journey_version(request, page, journey_id)
    if version is None:
        return ended_journey(request, page, journey_id)
    view = EFormWizard.for_journey(page, version, journey_id)
    return view(request, step=step, **extra)


@never_cache
def remove_item(request, page, journey_id: str, step: str):
    """Ask, then remove one item of a repeating step (from check your answers)."""
    if request.method != "POST":
        if journey_version(request, page, journey_id) is None:
            return ended_journey(request, page, journey_id)
        return render(request, "forms_catalogue/remove_item.html", {"page": page, "step_name": step})
    return journey_step(request, page, journey_id, step, remove=True)


@never_cache
def confirmation(request, page, journey_id: str):
    """The reference, what happens next, and a copy of the answers (only in the session that submitted)."""
    request_id = submitted_request_id(request.session, journey_id)
    service_request = ServiceRequest.objects.filter(pk=request_id, form_page=page).first() if request_id else None
    if service_request is None:
        return redirect(page.url)
    definition = service_request.form_version.definition() if service_request.form_version else None
    sections = request_sections(definition, service_request.answers) if definition else []
    return render(
        request,
        "forms_catalogue/confirmation.html",
        {"page": page, "service_request": service_request, "sections": sections, "track_url": track_url()},
    )


@never_cache
def feedback(request, page, journey_id: str):
    """ "How was this service?", once per journey, in the session that submitted it; stored apart from the request."""
    request_id = submitted_request_id(request.session, journey_id)
    if request_id is None:
        return redirect(page.url)
    context = {"page": page, "confirmation_url": f"{page.url}{journey_id}/confirmation/"}
    if gave_feedback(request.session, journey_id):
        return render(request, "forms_catalogue/feedback_sent.html", context)
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        version_id = ServiceRequest.objects.filter(pk=request_id).values_list("form_version_id", flat=True).first()
        ServiceFeedback.objects.create(
            page=page,
            version_id=version_id,
            day=timezone.localdate(),
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
        remember_feedback(request.session, journey_id)
        return redirect(request.path)
    return render(request, "forms_catalogue/feedback.html", {**context, "form": form})


def resume_token(saved: SavedJourney) -> str:
    """A signed token naming the saved journey, in URL-safe base64: Wagtail routes only [A-Za-z0-9_-] segments."""
    signed = signing.dumps({"saved": saved.pk, "page": saved.page_id}, salt=RESUME_SALT, compress=True)
    return base64.urlsafe_b64encode(signed.encode()).decode().rstrip("=")


def read_resume_token(token: str, max_age: timedelta) -> dict:
    """The payload of a resume token; raises signing.SignatureExpired, or BadSignature for anything else wrong."""
    try:
        signed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except ValueError as error:  # bad base64 (binascii.Error) or not UTF-8
        raise signing.BadSignature("Not a resume token.") from error
    return signing.loads(signed, salt=RESUME_SALT, max_age=max_age)


def resume_link(request, saved: SavedJourney) -> str:
    return request.build_absolute_uri(f"{saved.page.url}resume/{resume_token(saved)}/")


def copy_journey_data(data: dict) -> dict:
    """A copy of wizard storage data whose temporary uploads are copies too (so each copy can be deleted alone)."""
    copied = {**data, "step_files": {}}
    for step, files in data.get("step_files", {}).items():
        copied["step_files"][step] = {}
        for field, info in files.items():
            with journey_file_storage.open(info["tmp_name"]) as handle:
                new_name = journey_file_storage.save(info["name"], handle)
            copied["step_files"][step][field] = {**info, "tmp_name": new_name}
    return copied


def over_save_limits(request, email: str) -> bool:
    """Count one "save and come back later" email for this address and for this email address (by its blind index)."""
    by_address = over_address_limit(request, "save", settings.SAVE_RATE_LIMIT)
    limit, window = settings.SAVE_EMAIL_RATE_LIMIT
    by_email = over_limit("save-email", blind_index(email), limit, window)
    return by_address or by_email


@never_cache
def save_for_later(request, page, journey_id: str):
    """Ask for an email address, keep the journey, and email a link that resumes it."""
    if not page.save_and_return:
        raise Http404("This form cannot be saved.")
    version = journey_version(request, page, journey_id)
    if version is None:
        return ended_journey(request, page, journey_id)
    storage = journey_storage(request, page, journey_id)
    form = SaveForLaterForm(request.POST or None)
    back_url = step_url(page, journey_id, storage.current_step or first_step_name(version))
    if request.method == "POST" and form.is_valid():
        if over_save_limits(request, form.cleaned_data["email"]):
            window = max(settings.SAVE_RATE_LIMIT[1], settings.SAVE_EMAIL_RATE_LIMIT[1])
            return too_many_requests(request, window, back_url)
        saved = SavedJourney.objects.create(
            page=page,
            version=version,
            email=form.cleaned_data["email"],
            data=copy_journey_data(storage.data),
            expires_at=timezone.now() + timedelta(days=page.resume_days),
        )
        storage.extra_data = {
            **storage.extra_data,
            "saved_journey_ids": [*storage.extra_data.get("saved_journey_ids", []), saved.pk],
        }
        context = {"page": page, "link": resume_link(request, saved), "days": page.resume_days, "saved": saved}
        send_mail(
            subject=gettext("Your saved form: %(title)s") % {"title": page.title},
            message=render_to_string("forms_catalogue/email/resume_link.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[saved.email],
        )
        return render(request, "forms_catalogue/saved.html", {**context, "back_url": back_url})
    return render(request, "forms_catalogue/save_for_later.html", {"page": page, "form": form, "back_url": back_url})


@never_cache
def resume_journey(request, page, token: str):
    """Open a saved journey from its emailed link, on any device, until the link expires."""
    try:
        payload = read_resume_token(token, max_age=timedelta(days=page.resume_days))
    except signing.SignatureExpired:
        return render(request, "forms_catalogue/resume_problem.html", {"page": page, "expired": True}, status=410)
    except signing.BadSignature:
        return render(request, "forms_catalogue/resume_problem.html", {"page": page, "expired": False}, status=404)
    saved = SavedJourney.objects.filter(pk=payload.get("saved"), page=page).select_related("version").first()
    if saved is None or saved.has_expired:
        return render(request, "forms_catalogue/resume_problem.html", {"page": page, "expired": True}, status=410)
    journey_id = new_journey_id()
    storage = journey_storage(request, page, journey_id)
    data = copy_journey_data(saved.data)
    data["extra_data"] = {**data.get("extra_data", {}), "version_id": saved.version_id, "saved_journey_ids": [saved.pk]}
    storage.data = data
    return redirect(step_url(page, journey_id, CHECK_STEP))


def schema_at_page_path(request, page_path: str):
    """`<form url>schema.json`: the JSON Schema of the live e-form at that path of the request's site."""
    site = Site.find_for_request(request)
    page = EFormPage.objects.live().filter(url_path=f"{site.root_page.url_path}{page_path}").first() if site else None
    if page is None or not all(restriction.accept_request(request) for restriction in page.get_view_restrictions()):
        raise Http404("There is no e-form here.")
    return json_schema(request, page)


def json_schema(request, page):
    """The published form's JSON Schema (draft 2020-12)."""
    version = page.current_version()
    if version is None:
        raise Http404("This form has not been published.")
    schema = build_json_schema(
        version.definition(), schema_id=request.build_absolute_uri(), version=version.revision_id
    )
    response = JsonResponse(schema, json_dumps_params={"indent": 2})
    response["Content-Type"] = "application/schema+json"
    return response


def preview(request, page, mode_name: str):
    """Editor preview of the unsaved definition: every step as a citizen sees it, or a summary."""
    definition = page.definition()
    if mode_name == "summary":
        return render(request, "forms_catalogue/preview_summary.html", {"page": page, "definition": definition})
    steps = [(step, FormBuilder(step.questions).get_form_class()(prefix=step.id)) for step in definition.steps]
    return render(request, "forms_catalogue/preview.html", {"page": page, "definition": definition, "steps": steps})
