"""Admin screens of form files: download an e-form as JSON, import a form file, and manage form patterns.

Every screen answers bad input (a broken file, a service that already has a form, another
user's page) with a message or a 403/404, never a 500.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.models import Page

from home.models import ServicePage

from .exchange import ImportProblem, check_size, export_document, export_json, import_document, parse_document
from .models import EFormPage, FormPattern
from .patterns import load_patterns, read_pattern

PATTERN_PERMISSION = "forms_catalogue.add_formpattern"


def export_filename(page: EFormPage) -> str:
    """`<service-slug>-form.json`, the name of an e-form's file."""
    parent = page.get_parent()
    return f"{parent.slug if parent else page.slug}-form.json"


def export_eform(request, page_id: int):
    """Download an e-form as an exchange file (an attachment); only for users who can edit it."""
    page = get_object_or_404(EFormPage, pk=page_id)
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    response = HttpResponse(export_json(export_document(page)), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(page)}"'
    return response


def services_open_to(user):
    """The service pages without an e-form under which `user` can add pages, by title."""
    steplen = Page.steplen
    with_form = {path[:-steplen] for path in EFormPage.objects.values_list("path", flat=True)}
    services = ServicePage.objects.exclude(path__in=with_form).order_by("title")
    return [service for service in services if service.permissions_for_user(user).can_add_subpage()]


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.title


def read_upload(upload) -> bytes:
    """The bytes of an uploaded file, refused (ImportProblem) when larger than a form file may be."""
    check_size(upload.size)
    return upload.read()


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Form file"), help_text=gettext_lazy("A JSON file exported from this or another portal.")
    )
    service = ServiceChoiceField(
        queryset=ServicePage.objects.none(),
        label=gettext_lazy("Service"),
        help_text=gettext_lazy(
            "The form is added as a draft under this service. Only services without a form are listed."
        ),
        empty_label=gettext_lazy("Choose a service"),
    )

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = ServicePage.objects.filter(pk__in=[service.pk for service in services])
        self.fields["service"].choices = [("", self.fields["service"].empty_label)] + [
            (service.pk, service.title) for service in services
        ]


def import_form(request):
    """Upload a form file and choose a service: the form becomes a draft of that service, or the problem is shown."""
    services = services_open_to(request.user)
    form = ImportForm(
        request.POST or None, request.FILES or None, services=services, initial={"service": request.GET.get("service")}
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        service = form.cleaned_data["service"]
        try:
            parsed = parse_document(read_upload(form.cleaned_data["file"]))
            page = import_document(parsed, service, user=request.user)
        except ImportProblem as problem:
            problems = problem.problems
        else:
            messages.success(
                request,
                _("'%(title)s' was imported as a draft under '%(service)s'.")
                % {"title": page.title, "service": service.title},
            )
            return redirect("wagtailadmin_pages:edit", page.pk)
    return TemplateResponse(
        request,
        "forms_catalogue/admin/import_form.html",
        {
            "form": form,
            "problems": problems,
            "services": services,
            "header_title": _("Import a form"),
            "page_title": _("Import a form"),
            "header_icon": "upload",
        },
    )


class PatternUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Pattern file"), help_text=gettext_lazy('A form file with a "pattern" part.')
    )


def form_patterns(request):
    """The available form patterns (shipped, folder, uploaded), the files that could not be used, and an upload."""
    if not request.user.has_perm(PATTERN_PERMISSION):
        raise PermissionDenied
    form = PatternUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            pattern = read_pattern(read_upload(upload), "uploaded", upload.name)
        except ImportProblem as problem:
            problems = problem.problems
        else:
            document = pattern.document.document()
            FormPattern.objects.update_or_create(
                pattern_id=pattern.id,
                defaults={"name": pattern.name, "description": pattern.description, "document": document},
            )
            messages.success(request, _("The pattern '%(name)s' was added.") % {"name": pattern.name})
            return redirect("form_patterns")
    patterns, unusable = load_patterns()
    return TemplateResponse(
        request,
        "forms_catalogue/admin/form_patterns.html",
        {
            "form": form,
            "problems": problems,
            "patterns": patterns,
            "unusable": unusable,
            "uploaded": FormPattern.objects.all(),
            "header_title": _("Form patterns"),
            "page_title": _("Form patterns"),
            "header_icon": "form",
        },
    )


@require_POST
def delete_form_pattern(request, pk: int):
    """Remove an uploaded pattern (shipped and folder patterns are files, not removable here)."""
    if not request.user.has_perm(PATTERN_PERMISSION):
        raise PermissionDenied
    pattern = get_object_or_404(FormPattern, pk=pk)
    pattern.delete()
    messages.success(request, _("The pattern '%(name)s' was removed.") % {"name": pattern.name})
    return redirect(reverse("form_patterns"))
