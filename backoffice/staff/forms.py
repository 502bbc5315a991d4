"""The casework actions' forms: claim, assign, change status with notes.

Each carries what the member of staff saw when the page was drawn (the status, the
assignee), so a change someone else made meanwhile gives a clear message, not a surprise.
"""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import ServiceRequest, Status
from .access import queue_staff, user_display_name

NOTE_MAX_LENGTH = 5000


def assignee_value(service_request: ServiceRequest) -> str:
    return str(service_request.assignee_id or "")


class StaffChoiceField(forms.ModelChoiceField):
    """A member of staff, shown by name."""

    def label_from_instance(self, obj) -> str:
        return user_display_name(obj)


class ErrorListMixin:
    """`error_list`: the errors as (id of the input to link to, message) for the error summary."""

    @property
    def error_list(self) -> list[tuple[str, str]]:
        return form_error_list(self)


class ClaimForm(ErrorListMixin, forms.Form):
    """Assign the request to oneself."""

    seen_assignee = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, service_request: ServiceRequest, user, **kwargs):
        kwargs.setdefault("auto_id", "claim_%s")
        kwargs.setdefault("initial", {"seen_assignee": assignee_value(service_request)})
        super().__init__(*args, **kwargs)
        self.service_request = service_request
        self.user = user

    def clean(self):
        cleaned = super().clean()
        current = self.service_request.assignee
        if current is not None and current.pk == self.user.pk:
            raise forms.ValidationError(gettext("This request is already assigned to you."), code="already")
        if cleaned.get("seen_assignee", "") != assignee_value(self.service_request):
            raise forms.ValidationError(stale_assignee_message(self.service_request), code="stale")
        return cleaned


class AssignForm(ErrorListMixin, forms.Form):
    """Give the request to another member of its queue's staff."""

    assignee = StaffChoiceField(
        label=_("Assign to"),
        queryset=None,
        empty_label=_("Choose a member of staff"),
        help_text=_("Members of this queue's staff groups."),
        error_messages={
            "required": _("Choose who to assign the request to"),
            "invalid_choice": _("Choose a member of this queue's staff from the list"),
        },
    )
    seen_assignee = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, service_request: ServiceRequest, **kwargs):
        kwargs.setdefault("auto_id", "assign_%s")
        kwargs.setdefault("initial", {"seen_assignee": assignee_value(service_request)})
        super().__init__(*args, **kwargs)
        self.service_request = service_request
        self.fields["assignee"].queryset = queue_staff(service_request.queue)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("seen_assignee", "") != assignee_value(self.service_request):
            raise forms.ValidationError(stale_assignee_message(self.service_request), code="stale")
        assignee = cleaned.get("assignee")
        if assignee is not None and assignee.pk == self.service_request.assignee_id:
            self.add_error(
                "assignee",
                gettext("The request is already assigned to %(name)s") % {"name": user_display_name(assignee)},
            )
        return cleaned


class StatusForm(ErrorListMixin, forms.Form):
    """A new status, and notes: internal (staff only) and for the citizen (emailed, shown on tracking)."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a status"), "invalid_choice": _("Choose a status from the list")},
    )
    public_note = forms.CharField(
        label=_("Note for the citizen (optional)"),
        help_text=_("Emailed to the citizen and shown when they track their request."),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("The note for the citizen must be %(limit_value)s characters or fewer")},
    )
    internal_note = forms.CharField(
        label=_("Internal note (optional)"),
        help_text=_("Only staff see this."),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("The internal note must be %(limit_value)s characters or fewer")},
    )
    seen_status = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, service_request: ServiceRequest, **kwargs):
        kwargs.setdefault("auto_id", "status_%s")
        kwargs.setdefault("initial", {"status": service_request.status, "seen_status": service_request.status})
        super().__init__(*args, **kwargs)
        self.service_request = service_request

    def clean(self):
        cleaned = super().clean()
        current = self.service_request.status
        if cleaned.get("seen_status", "") != current:
            raise forms.ValidationError(
                gettext(
                    "Someone changed the status to '%(status)s' after you opened this request. "
                    "Check its history, then make your change again."
                )
                % {"status": self.service_request.get_status_display()},
                code="stale",
            )
        status = cleaned.get("status")
        has_note = bool(cleaned.get("public_note", "").strip() or cleaned.get("internal_note", "").strip())
        if status == current and not has_note:
            self.add_error(
                "status",
                gettext("The request is already '%(status)s'. Choose a different status, or add a note")
                % {"status": self.service_request.get_status_display()},
            )
        return cleaned


def form_error_list(form: forms.Form) -> list[tuple[str, str]]:
    """Every error of the form as (id of the input to link to, message), form-wide errors first."""
    errors = [("", str(message)) for message in form.non_field_errors()]
    for field in form.visible_fields():
        widget_id = field.id_for_label or field.auto_id
        if isinstance(field.field.widget, forms.RadioSelect):
            widget_id = f"{field.auto_id}_0"
        errors.extend((widget_id, str(message)) for message in field.errors)
    return errors


def stale_assignee_message(service_request: ServiceRequest) -> str:
    if service_request.assignee is None:
        return gettext("Someone unassigned this request after you opened it. Check its history, then try again.")
    return gettext("This request was assigned to %(name)s after you opened it. Check its history, then try again.") % {
        "name": user_display_name(service_request.assignee)
    }
