"""The API's admin hooks: Settings → API keys (queue keys and Open311 clients) and their audit log actions."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from . import admin_views


@hooks.register("register_admin_viewset")
def register_queue_key_views():
    return admin_views.QueueApiKeyViewSet()


@hooks.register("register_admin_viewset")
def register_open311_client_views():
    return admin_views.Open311ClientViewSet()


@hooks.register("register_admin_urls")
def register_api_keys_home():
    return [path("api-keys/", admin_views.api_keys_home, name="api_keys")]


@hooks.register("register_settings_menu_item")
def register_api_keys_menu_item():
    return admin_views.ApiKeysMenuItem(_("API keys"), reverse("api_keys"), icon_name=admin_views.ICON, order=920)


@hooks.register("register_log_actions")
def register_api_key_log_actions(actions):
    admin_views.register_actions(actions)
