"""Back office → Subject rights: find a person's requests by email address, export them, erase them.

For the information-governance team: superusers, or a group given "Can find, export and erase
a person's requests (information governance)" (`backoffice.handle_subject_rights`) in
Settings → Groups; anyone else is turned away. Every step is a POST (the address never goes
into a URL or an access log) and is audited by `backoffice.subject_rights`:

1. "Find" shows what is held: each request's reference, service, date, status and file count,
   and the number of saved journeys.
2. "Download the subject access export" gives the zip (requests.json and the files).
3. "Erase" (with a confirmation box) erases the requests the preview showed, and no other:
   a request made since is left for a new search. The page then reports what was deleted.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.file_encryption import UndecryptableFile

from .. import subject_rights
from .access import can_handle_subject_rights
from .forms import ErrorListMixin

NAMESPACE = "backoffice_subject_rights"
ICON = "user"


class FindForm(ErrorListMixin, forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("The address the person gave with their requests (any case)."),
        error_messages={
            "required": _("Enter the person's email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )


class EraseForm(FindForm):
    request_ids = forms.CharField(widget=forms.HiddenInput, required=False)
    confirm = forms.BooleanField(
        label=_("I have checked that these requests are the person's and that they may be erased"),
        error_messages={"required": _("Confirm that these requests may be erased")},
    )

    def clean_request_ids(self) -> list[int]:
        try:
            return [int(value) for value in self.cleaned_data["request_ids"].split(",") if value.strip()]
        except ValueError:
            raise forms.ValidationError(_("Search again: the list of requests was not valid.")) from None


class SubjectRightsView(WagtailAdminTemplateMixin, TemplateView):
    """Find, export and erase a person's requests (all by POST)."""

    template_name = "backoffice/admin/subject_rights.html"
    page_title = _("Subject rights")
    header_icon = ICON
    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        if not can_handle_subject_rights(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(find_form=FindForm()))

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "find")
        if action == "erase":
            return self.erase()
        form = FindForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(find_form=form))
        email = form.cleaned_data["email"]
        if action == "export":
            return self.export(email)
        findings = subject_rights.find(email, user=request.user)
        return self.render_to_response(
            self.get_context_data(
                find_form=form,
                findings=findings,
                erase_form=EraseForm(
                    initial={"email": email, "request_ids": ",".join(str(found.pk) for found in findings.requests)}
                ),
            )
        )

    def export(self, email: str):
        try:
            archive, _findings = subject_rights.export_zip(email, user=self.request.user)
        except OSError as error:
            if isinstance(error, UndecryptableFile):  # logged by the storage
                problem = gettext(
                    "A stored file could not be decrypted, so no export was made. "
                    "Tell the portal's administrators: the error is in the portal's log."
                )
            else:
                problem = gettext("A stored file could not be read, so no export was made. Try again.")
            messages.error(self.request, problem)
            return self.render_to_response(self.get_context_data(find_form=FindForm(initial={"email": email})))
        name = f"subject-access-{timezone.localdate():%Y-%m-%d}.zip"
        response = FileResponse(archive, as_attachment=True, filename=name, content_type="application/zip")
        response["Cache-Control"] = "private, no-store"
        return response

    def erase(self):
        form = EraseForm(self.request.POST)
        if not form.is_valid():
            email = self.request.POST.get("email", "")
            findings = subject_rights.find(email, user=self.request.user) if "@" in email else None
            return self.render_to_response(
                self.get_context_data(find_form=FindForm(initial={"email": email}), findings=findings, erase_form=form)
            )
        report = subject_rights.erase(
            form.cleaned_data["email"], request_ids=form.cleaned_data["request_ids"], user=self.request.user
        )
        # The "What was erased" panel is the confirmation (Wagtail's success banner fails colour contrast).
        return self.render_to_response(self.get_context_data(find_form=FindForm(), report=report))
