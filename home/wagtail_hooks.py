"""The catalogue's admin hooks: "Put this service online" on service pages without an e-form."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button
from wagtail.models import Page

from forms_catalogue.put_online_views import PutOnlineView, can_put_online, put_online_url

from .models import ServicePage

PUT_ONLINE_LABEL = _("Put this service online")


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
