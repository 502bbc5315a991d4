"""The back office's entries in Wagtail's audit log (ModelLogEntry): who viewed or changed what.

Every view of a request's personal data, every file download, every assignment, status
change or note, every delivery replay, every subject-rights search, export and erasure and
every retention purge is logged with the user; what is read or changed without a member of
staff is logged with no user and `via` naming who did it: an API key (`via_kind` "api", the
default), a receiving system's file link ("destination"), a citizen's look-up ("citizen"), or
a management command ("command"). Entries hold ids, counts and statuses, never the answers,
the notes or the email address themselves. Superusers read them in Reports → Site history,
or on the request's page.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import LogFormatter
from wagtail.log_actions import log as wagtail_log
from wagtail.models import ModelLogEntry

from ..models import Channel, Status

VIEW_REQUEST = "backoffice.view_request"
DOWNLOAD_FILE = "backoffice.download_file"
ASSIGN = "backoffice.assign"
CHANGE_STATUS = "backoffice.change_status"
REPLAY_DELIVERY = "backoffice.replay_delivery"
TRACK_REQUEST = "backoffice.track_request"
FIND_SUBJECT_REQUESTS = "backoffice.find_subject_requests"
EXPORT_REQUEST = "backoffice.export_request"
ERASE_REQUEST = "backoffice.erase_request"
RETENTION_PURGE = "backoffice.retention_purge"
SUBMIT_ON_BEHALF = "backoffice.submit_on_behalf"

CITIZEN_WEB = "Track a request"
CITIZEN_API = "the portal API's status look-up"
VIA_TEXT = {
    "api": _("%(message)s, through the API (%(name)s)"),
    "destination": _("%(message)s, by a receiving system (%(name)s)"),
    "citizen": _("%(message)s, by the citizen (%(name)s)"),
    "command": _("%(message)s, from the command line (%(name)s)"),
}


def status_label(value: str) -> str:
    return str(dict(Status.choices).get(value, value))


class BackOfficeFormatter(LogFormatter):
    """Names the API key of an entry made through the API after the action's own message."""

    def format_message(self, log_entry) -> str:
        data = log_entry.data or {}
        message = self.describe(data)
        if data.get("via"):
            text = VIA_TEXT.get(data.get("via_kind", "api"), VIA_TEXT["api"])
            return text % {"message": message, "name": data["via"]}
        return message

    def describe(self, data: dict[str, Any]) -> str:
        raise NotImplementedError


class ViewRequestFormatter(BackOfficeFormatter):
    label = _("View request")

    def describe(self, data):
        return _("Viewed the request's answers")


class ChangeStatusFormatter(BackOfficeFormatter):
    label = _("Change request status")

    def describe(self, data):
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


class DownloadFileFormatter(BackOfficeFormatter):
    label = _("Download request file")

    def describe(self, data):
        return _("Downloaded file %(id)s (question %(question)s)") % {
            "id": data.get("file_id", ""),
            "question": data.get("question_id", ""),
        }


class TrackRequestFormatter(BackOfficeFormatter):
    label = _("Look up request (citizen)")

    def describe(self, data):
        return _("Looked up by its reference and email address")


class CountingFormatter(BackOfficeFormatter):
    """Subject-rights searches, exports and erasures, and retention purges: what was found or deleted."""

    text = ""

    def describe(self, data):
        return self.text % {"files": data.get("files", 0)}


COUNTING_ACTIONS = {
    FIND_SUBJECT_REQUESTS: (_("Subject-rights search"), _("Found in a subject-rights search by email address")),
    EXPORT_REQUEST: (_("Subject access export"), _("Exported for a subject access request (%(files)s files)")),
    ERASE_REQUEST: (_("Erase personal data"), _("Personal data erased on request (%(files)s files deleted)")),
    RETENTION_PURGE: (
        _("Retention purge"),
        _("Personal data deleted after the retention period (%(files)s files deleted)"),
    ),
}


class SubmitOnBehalfFormatter(LogFormatter):
    label = _("Submit on behalf of a resident")

    def format_message(self, log_entry):
        channel = (log_entry.data or {}).get("channel", "")
        return _("Submitted the request on behalf of a resident (%(channel)s)") % {
            "channel": dict(Channel.choices).get(channel, channel)
        }


def register_actions(actions) -> None:
    """The `register_log_actions` hook: labels and messages of the back-office actions."""
    actions.register_action(VIEW_REQUEST)(ViewRequestFormatter)
    actions.register_action(DOWNLOAD_FILE)(DownloadFileFormatter)
    actions.register_action(ASSIGN)(AssignFormatter)
    actions.register_action(CHANGE_STATUS)(ChangeStatusFormatter)
    actions.register_action(REPLAY_DELIVERY, _("Replay delivery"), _("Replayed the delivery"))
    actions.register_action(TRACK_REQUEST)(TrackRequestFormatter)
    for action, (label, text) in COUNTING_ACTIONS.items():
        actions.register_action(action)(type("CountingFormatter", (CountingFormatter,), {"label": label, "text": text}))
    actions.register_action(SUBMIT_ON_BEHALF)(SubmitOnBehalfFormatter)


def record(instance, action: str, user, **data: Any):
    """Write one audit entry for `instance` by `user`; returns the ModelLogEntry."""
    return wagtail_log(instance, action, user=user, data=data)


def record_status_change(service_request, event, user, **data: Any) -> bool:
    """Audit a status change or note (`user` None when an API key made it: name it in `data`); True if emailed."""
    emailed = event.deliveries.exists()
    record(
        service_request,
        CHANGE_STATUS,
        user,
        event_id=event.pk,
        from_status=event.from_status,
        to_status=event.to_status,
        public_note=bool(event.public_note),
        internal_note=bool(event.internal_note),
        citizen_emailed=emailed,
        **data,
    )
    return emailed


def record_many(instances: Iterable[Any], action: str, user, **data: Any) -> list[ModelLogEntry]:
    """One audit entry per instance (all of one model) by `user`, written in a single query."""
    instances = list(instances)
    if not instances:
        return []
    content_type = ContentType.objects.get_for_model(instances[0], for_concrete_model=False)
    now = timezone.now()
    return ModelLogEntry.objects.bulk_create(
        ModelLogEntry(
            content_type=content_type,
            object_id=str(instance.pk),
            label=str(instance),
            action=action,
            timestamp=now,
            user=user,
            data=data,
        )
        for instance in instances
    )
