"""The e-forms' admin hooks: "Put this service online" on service pages without an e-form, "Export as JSON file"
on e-forms, "Import a form", "Form patterns", and "Submit on behalf of a resident" (assisted digital)."""

from django.urls import path, re_path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.auth import user_has_any_page_permission
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.widgets import Button
from wagtail.models import Page

from backoffice.staff.access import can_submit_on_behalf
from home.models import ServicePage

from . import admin_views, assisted
from .journey import CHECK_STEP
from .models import EFormPage
from .put_online_views import PutOnlineView, can_put_online, put_online_url

PUT_ONLINE_LABEL = _("Put this service online")


@hooks.register("register_admin_urls")
def register_form_file_urls():
    return [
        path("forms/<int:page_id>/export/", admin_views.export_eform, name="export_eform"),
        path("forms/import/", admin_views.import_form, name="import_form"),
        path("forms/patterns/", admin_views.form_patterns, name="form_patterns"),
        path("forms/patterns/<int:pk>/delete/", admin_views.delete_form_pattern, name="delete_form_pattern"),
    ]


class ExportFormButton(PageMenuItem):
    label = _("Export as JSON file")
    icon_name = "download"
    priority = 55

    @property
    def url(self):
        return reverse("export_eform", args=[self.page.pk])

    def is_shown(self, user):
        return isinstance(self.page.specific_deferred, EFormPage) and self.page.permissions_for_user(user).can_edit()


class ImportFormButton(PageMenuItem):
    label = _("Import a form")
    icon_name = "upload"
    priority = 56

    @property
    def url(self):
        return f"{reverse('import_form')}?service={self.page.pk}"

    def is_shown(self, user):
        page = self.page.specific_deferred
        return (
            isinstance(page, ServicePage)
            and page.permissions_for_user(user).can_add_subpage()
            and (page.numchild == 0 or not EFormPage.objects.child_of(page).exists())  # no query in most listings
        )


def form_file_buttons(page, user, next_url=None, view_name=None):
    for button in (ExportFormButton(page=page), ImportFormButton(page=page)):
        if button.is_shown(user):
            yield button


hooks.register("register_page_listing_more_buttons", form_file_buttons)


@hooks.register("register_page_header_buttons")
def form_file_header_buttons(page, user, view_name, next_url=None):
    yield from form_file_buttons(page, user)


class PermittedMenuItem(MenuItem):
    """A menu item shown only to users passing `allowed(user)`."""

    def __init__(self, *args, allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed = allowed

    def is_shown(self, request):
        return self.allowed(request.user)


@hooks.register("register_settings_menu_item")
def register_import_form_menu_item():
    return PermittedMenuItem(
        _("Import a form"), reverse("import_form"), icon_name="upload", order=900, allowed=user_has_any_page_permission
    )


@hooks.register("register_settings_menu_item")
def register_form_patterns_menu_item():
    return PermittedMenuItem(
        _("Form patterns"),
        reverse("form_patterns"),
        icon_name="form",
        order=910,
        allowed=lambda user: user.has_perm(admin_views.PATTERN_PERMISSION),
    )


@hooks.register("register_admin_urls")
def register_put_online_url():
    return [path("services/<int:page_id>/put-online/", PutOnlineView.as_view(), name="put_service_online")]


def put_online_button(page, user, priority: int):
    """The action's button for a service page the user may put online, else None."""
    if not issubclass(page.specific_class or Page, ServicePage):
        return None
    service = page if isinstance(page, ServicePage) else page.specific_deferred
    if not can_put_online(service, user):
        return None
    return Button(PUT_ONLINE_LABEL, put_online_url(service), icon_name="form", priority=priority)


@hooks.register("register_page_header_buttons")
def put_online_header_button(page, user, view_name=None, next_url=None):
    button = put_online_button(page, user, priority=12)
    return [button] if button else []


@hooks.register("register_page_listing_more_buttons")
def put_online_listing_button(page, user, next_url=None):
    button = put_online_button(page, user, priority=9)
    return [button] if button else []


ASSISTED_JOURNEY = r"^assisted/(?P<page_id>[0-9]+)/(?P<journey_id>[A-Za-z0-9_-]{12,40})/"
ASSISTED_STEP = r"(?P<step>[a-z0-9_-]{1,60})/"


@hooks.register("register_admin_urls")
def register_assisted_urls():
    return [
        path("assisted/", assisted.form_list, name="assisted_forms"),
        path("assisted/<int:page_id>/", assisted.resident_details, name="assisted_start"),
        re_path(ASSISTED_JOURNEY + r"resident/$", assisted.resident_details, name="assisted_resident"),
        re_path(ASSISTED_JOURNEY + r"sent/$", assisted.sent, name="assisted_sent"),
        re_path(ASSISTED_JOURNEY + r"step/$", assisted.journey_step, {"step": CHECK_STEP}, name="assisted_steps"),
        re_path(ASSISTED_JOURNEY + r"step/" + ASSISTED_STEP + "$", assisted.journey_step, name="assisted_step"),
        re_path(
            ASSISTED_JOURNEY + r"step/" + ASSISTED_STEP + r"remove/$",
            assisted.journey_step,
            {"remove": True},
            name="assisted_remove",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_assisted_menu_item():
    return PermittedMenuItem(
        assisted.MENU_LABEL,
        reverse("assisted_forms"),
        icon_name=assisted.ICON,
        order=151,
        allowed=can_submit_on_behalf,
    )
