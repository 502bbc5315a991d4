"""API keys in the Wagtail admin: Settings → API keys (queue keys and Open311 clients).

Users given the models' permissions (or superusers) list keys (name, queue or contact, prefix,
who made it and when, last use, revoked), issue one ("add": the key is shown once, on the page
that answers the form, and never again), rename one ("change") and revoke one ("change": POST
after a confirmation page). Only the prefix and a SHA-256 hash are stored, so no page can show
a key after it is made. Issuing and revoking are written to the audit log.
"""

from django.core.exceptions import PermissionDenied
from django.forms import modelform_factory
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem as AdminMenuItem
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, UserColumn
from wagtail.admin.views.generic import CreateView, EditView, IndexView
from wagtail.admin.views.generic.base import BaseObjectMixin, WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.permissions import policy_registry

from backoffice.staff import audit

from . import keys
from .models import ApiKey, Open311Client, QueueApiKey

ISSUE_KEY = "api.issue_key"
REVOKE_KEY = "api.revoke_key"
ICON = "key"
ANY_KEY_PERMISSION = ["add", "change", "delete"]


def register_actions(actions) -> None:
    """The `register_log_actions` hook: labels and messages of issuing and revoking a key."""
    actions.register_action(ISSUE_KEY, _("Issue API key"), _("Issued the API key"))
    actions.register_action(REVOKE_KEY, _("Revoke API key"), _("Revoked the API key"))


def can_manage(user, model: type[ApiKey]) -> bool:
    """True when `user` may see the keys of `model` (any of its add, change and delete permissions)."""
    return policy_registry.get_by_type(model).user_has_any_permission(user, ANY_KEY_PERMISSION)


def display_prefix(record: ApiKey) -> str:
    return f"{record.KEY_KIND}_{record.prefix}_…"


def status_label(record: ApiKey) -> str:
    return gettext("Active") if record.is_active else gettext("Revoked")


class ApiKeyIndexView(IndexView):
    """A listing of keys, with a link to the other kind of key and a Revoke action on each live key."""

    other_listing: tuple[type[ApiKey], str, str] | None = None  # (model, label, index url name)
    revoke_url_name = ""

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("created_by")

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.other_listing and can_manage(self.request.user, self.other_listing[0]):
            _model, label, url_name = self.other_listing
            buttons.append(HeaderButton(label, url=reverse(url_name), icon_name=ICON))
        return buttons

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.is_active and self.user_has_permission("change"):
            url = reverse(self.revoke_url_name, args=[instance.pk])
            buttons.append(MenuItem(gettext("Revoke"), url=url, icon_name="cross", priority=25))
        return buttons


class IssueKeyView(CreateView):
    """Issues a key; the answer to the form shows it once (the admin's pages are never cached), not a redirect."""

    issued_template_name = "api/admin/key_issued.html"
    submit_button_label = _("Issue key")

    def save_instance(self):
        record, self.issued_key = keys.issue(self.model, created_by=self.request.user, **self.form.cleaned_data)
        audit.record(record, ISSUE_KEY, self.request.user, prefix=record.prefix)
        return record

    def save_action(self):
        context = {
            **self.get_context_data(),
            "record": self.object,
            "key": self.issued_key,
            "prefix": display_prefix(self.object),
            "index_url": reverse(self.index_url_name),
            "page_title": gettext("Key issued"),
            "header_title": gettext("Key issued"),
        }
        return TemplateResponse(self.request, self.issued_template_name, context)  # the admin is never cached


class ApiKeyEditView(EditView):
    """Renames a key (its scope and secret never change); Revoke is in the header's menu."""

    revoke_url_name = ""

    @cached_property
    def header_more_buttons(self):
        buttons = super().header_more_buttons
        if self.object.is_active:
            url = reverse(self.revoke_url_name, args=[self.object.pk])
            buttons.append(Button(gettext("Revoke"), url=url, icon_name="cross", priority=15))
        return buttons


class RevokeKeyView(PermissionCheckedMixin, BaseObjectMixin, WagtailAdminTemplateMixin, TemplateView):
    """Asks to confirm, then (POST) revokes the key: every request made with it is refused from then on."""

    permission_required = "change"
    template_name = "api/admin/confirm_revoke.html"
    page_title = _("Revoke key")
    header_icon = ICON
    index_url_name = ""

    def get_page_subtitle(self) -> str:
        return str(self.object)

    def get_breadcrumbs_items(self):
        return []

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            record=self.object, index_url=reverse(self.index_url_name), prefix=display_prefix(self.object), **kwargs
        )

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if self.object.is_active:
            self.object.revoke()
            audit.record(self.object, REVOKE_KEY, request.user, prefix=self.object.prefix)
            messages.success(request, gettext("'%(key)s' is revoked.") % {"key": self.object})
        return redirect(self.index_url_name)


class ApiKeyViewSet(ModelViewSet):
    """Shared shape of the two key listings: columns, views, no copy or inspect (nothing secret to show)."""

    icon = ICON
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = ApiKeyIndexView
    add_view_class = IssueKeyView
    edit_view_class = ApiKeyEditView
    search_fields = ["name", "prefix"]
    search_backend_name = None
    ordering = ["-created_at"]
    other_viewset: "type[ApiKeyViewSet] | None" = None
    scope_columns: list = []
    update_form_fields = ["name"]

    @property
    def list_display(self):
        return [
            "name",
            *self.scope_columns,
            Column("prefix", label=_("Key"), accessor=display_prefix),
            UserColumn("created_by", label=_("Created by")),
            DateColumn("created_at", label=_("Created"), sort_key="created_at"),
            DateColumn("last_used_at", label=_("Last used"), sort_key="last_used_at"),
            StatusTagColumn("status", label=_("Status"), accessor=status_label, primary=lambda key: key.is_active),
            DateColumn("revoked_at", label=_("Revoked"), sort_key="revoked_at"),
        ]

    def get_form_class(self, for_update: bool = False):
        """Name and scope when issuing; only what does not change the key's scope when editing."""
        if for_update:
            return modelform_factory(
                self.model, fields=self.update_form_fields, formfield_callback=self.formfield_for_dbfield
            )
        return super().get_form_class()

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(revoke_url_name=self.get_url_name("revoke"), **kwargs)

    def get_index_view_kwargs(self, **kwargs):
        other = self.other_viewset
        other_listing = (other.model, other.menu_label, f"{other.name}:index") if other else None
        return super().get_index_view_kwargs(other_listing=other_listing, **kwargs)

    @property
    def revoke_view(self):
        return self.construct_view(RevokeKeyView, index_url_name=self.get_url_name("index"))

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("revoke/<int:pk>/", self.revoke_view, name="revoke"),
        ]


class QueueApiKeyViewSet(ApiKeyViewSet):
    """Keys of back-office systems, each pulling one queue."""

    model = QueueApiKey
    name = "api_queue_keys"
    url_prefix = "api-keys/queue-keys"
    menu_label = _("Queue API keys")
    form_fields = ["name", "queue"]
    list_filter = ["queue"]
    scope_columns = ["queue"]


class Open311ClientViewSet(ApiKeyViewSet):
    """Keys of Open311 civic clients."""

    model = Open311Client
    name = "api_open311_clients"
    url_prefix = "api-keys/open311-clients"
    menu_label = _("Open311 clients")
    form_fields = ["name", "contact_email"]
    update_form_fields = ["name", "contact_email"]
    scope_columns = ["contact_email"]
    other_viewset = QueueApiKeyViewSet


QueueApiKeyViewSet.other_viewset = Open311ClientViewSet


def api_keys_home(request: HttpRequest) -> HttpResponse:
    """Settings → API keys: the first listing the user may see."""
    for viewset in (QueueApiKeyViewSet, Open311ClientViewSet):
        if can_manage(request.user, viewset.model):
            return redirect(f"{viewset.name}:index")
    raise PermissionDenied


class ApiKeysMenuItem(AdminMenuItem):
    """Settings → API keys, for users who may manage either kind of key."""

    def is_shown(self, request) -> bool:
        return any(can_manage(request.user, model) for model in (QueueApiKey, Open311Client))
