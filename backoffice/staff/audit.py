"""The back office's entries in Wagtail's audit log (ModelLogEntry): who viewed or changed what.

Every view of a request's personal data, every file download, every assignment, status
change or note, and every delivery replay is logged with the user. Entries hold ids and
statuses, never the answers or the notes themselves. Superusers read them in Reports →
Site history, or on the request's page.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import LogFormatter
from wagtail.log_actions import log as wagtail_log

from ..models import Status

VIEW_REQUEST = "backoffice.view_request"
DOWNLOAD_FILE = "backoffice.download_file"
ASSIGN = "backoffice.assign"
CHANGE_STATUS = "backoffice.change_status"
REPLAY_DELIVERY = "backoffice.replay_delivery"


def status_label(value: str) -> str:
    return str(dict(Status.choices).get(value, value))


class ChangeStatusFormatter(LogFormatter):
    label = _("Change request status")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        if data.get("from_status") == data.get("to_status"):
            return _("Added a note (status %(status)s)") % {"status": status_label(data.get("to_status", ""))}
        return _("Changed status from %(from)s to %(to)s") % {
            "from": status_label(data.get("from_status", "")),
            "to": status_label(data.get("to_status", "")),
        }


class AssignFormatter(LogFormatter):
    label = _("Assign request")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        if data.get("claimed"):
            return _("Claimed the request")
        return _("Assigned the request to %(name)s") % {"name": data.get("assignee_name", "")}


class DownloadFileFormatter(LogFormatter):
    label = _("Download request file")

    def format_message(self, log_entry):
        return _("Downloaded file %(id)s (question %(question)s)") % {
            "id": (log_entry.data or {}).get("file_id", ""),
            "question": (log_entry.data or {}).get("question_id", ""),
        }


def register_actions(actions) -> None:
    """The `register_log_actions` hook: labels and messages of the back-office actions."""
    actions.register_action(VIEW_REQUEST, _("View request"), _("Viewed the request's answers"))
    actions.register_action(DOWNLOAD_FILE)(DownloadFileFormatter)
    actions.register_action(ASSIGN)(AssignFormatter)
    actions.register_action(CHANGE_STATUS)(ChangeStatusFormatter)
    actions.register_action(REPLAY_DELIVERY, _("Replay delivery"), _("Replayed the delivery"))


def record(instance, action: str, user, **data: Any):
    """Write one audit entry for `instance` by `user`; returns the ModelLogEntry."""
    return wagtail_log(instance, action, user=user, data=data)
