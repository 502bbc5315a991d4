"""The admin action "Put this service online": choose a form pattern, get a draft e-form under the service."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from backoffice.staff.forms import ErrorListMixin
from home.models import ServicePage

from .put_online import PutOnlineError, create_form_from_pattern, ordered_patterns, refusal


def can_put_online(service: ServicePage, user) -> bool:
    """True when the user may add the e-form under this service and it has none (nor is information only)."""
    return service.permissions_for_user(user).can_add_subpage() and not refusal(service)


def put_online_url(service: ServicePage) -> str:
    return reverse("put_service_online", args=[service.pk])


class PatternChoiceField(forms.ChoiceField):
    """The patterns as radios: each its name, with its one-line description as the radio's hint."""

    widget = forms.RadioSelect

    def __init__(self, **kwargs):
        super().__init__(choices=self.pattern_choices, **kwargs)

    @staticmethod
    def pattern_choices():
        return [
            (pattern.id, format_html("<strong>{}</strong> – {}", pattern.name, pattern.description))
            for pattern in ordered_patterns()
        ]


class PatternForm(ErrorListMixin, forms.Form):
    """Which pattern to start the e-form from."""

    pattern = PatternChoiceField(
        label=_("What will people do with this form?"),
        help_text=_("You can change every question, page and text of the draft before you publish it."),
        error_messages={
            "required": _("Choose a form pattern"),
            "invalid_choice": _("Choose one of the form patterns in the list"),
        },
    )


class PutOnlineView(WagtailAdminTemplateMixin, FormView):
    """Show the patterns; on a valid choice create the draft e-form and open it in the editor."""

    template_name = "forms_catalogue/admin/put_online.html"
    form_class = PatternForm
    header_icon = "form"
    page_title = _("Put this service online")

    def dispatch(self, request, *args, **kwargs):
        service = ServicePage.objects.filter(pk=kwargs["page_id"]).select_related("department").first()
        if service is None:
            raise Http404(gettext("There is no service page with this id."))
        if not service.permissions_for_user(request.user).can_add_subpage():
            raise PermissionDenied
        self.service = service
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.service.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("wagtailadmin_pages:edit", args=[self.service.pk]), "label": self.service.title},
            {"url": "", "label": gettext("Put this service online")},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(service=self.service, refusal=refusal(self.service), action_url=put_online_url(self.service))
        return context

    def post(self, request, *args, **kwargs):
        if refusal(self.service):
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            page = create_form_from_pattern(self.service, form.cleaned_data["pattern"], self.request.user)
        except PutOnlineError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            gettext("Draft e-form “%(title)s” created. Check it, then publish it to put the service online.")
            % {"title": page.title},
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
