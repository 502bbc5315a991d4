"""The back office's admin hooks: staff views, queue settings, deliveries, audit log actions."""

from django.contrib.auth.models import Permission
from wagtail import hooks

from .staff import audit
from .staff.viewsets import BackOfficeViewSetGroup, RequestViewSet


@hooks.register("register_admin_viewset")
def register_request_views():
    return RequestViewSet()


@hooks.register("register_admin_viewset")
def register_back_office_settings():
    return BackOfficeViewSetGroup()


@hooks.register("register_log_actions")
def register_back_office_log_actions(actions):
    audit.register_actions(actions)


@hooks.register("register_permissions")
def register_back_office_permissions():
    """Offer "Can see every delivery and replay failed ones", the information-governance permission
    ("Can find, export and erase a person's requests") and "Can submit e-forms on behalf of a resident"
    on the admin's group editor."""
    return Permission.objects.filter(
        content_type__app_label="backoffice",
        codename__in=["manage_deliveries", "handle_subject_rights", "submit_on_behalf"],
    )
