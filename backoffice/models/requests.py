"""Service requests as the back office receives them, their files and their history."""

from datetime import timedelta

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _

from home.service_levels import Target, TargetUnit
from portal.encryption import (
    BlindIndexField,
    EncryptedEmailField,
    EncryptedJSONField,
    EncryptedTextField,
    PresenceField,
    matches_blind_index,
)
from portal.language import DEFAULT_LANGUAGE, language_choices, language_name

from ..references import format_reference


class Channel(models.TextChoices):
    """How a request reached the council.

    `web`, `api` and `open311` are residents helping themselves online; `phone`,
    `face_to_face` and `post` are entered by staff on a resident's behalf (assisted digital).
    `staff` is kept for requests entered on a caller's behalf before the channel was recorded.
    """

    WEB = "web", _("Web form")
    API = "api", _("API")
    OPEN311 = "open311", _("Open311")
    PHONE = "phone", _("Phone")
    FACE_TO_FACE = "face_to_face", _("Face to face")
    POST = "post", _("Post")
    STAFF = "staff", _("Staff on a caller's behalf (channel not recorded)")


SELF_SERVICE_CHANNELS = (Channel.WEB, Channel.API, Channel.OPEN311)
ASSISTED_CHANNELS = (Channel.PHONE, Channel.FACE_TO_FACE, Channel.POST)
CHANNEL_MAX_LENGTH = 12


class Status(models.TextChoices):
    """Where a request is in its life."""

    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting for the citizen")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")


OPEN_STATUSES = (Status.RECEIVED, Status.IN_PROGRESS, Status.WAITING)
CLOSED_STATUSES = (Status.RESOLVED, Status.CLOSED, Status.REJECTED)


class ServiceRequestQuerySet(models.QuerySet):
    def with_contact_email(self, email: str) -> "ServiceRequestQuerySet":
        """Requests whose contact email is `email` (any case), found through its blind index."""
        return self.filter(matches_blind_index("contact_email_index", email))


class ServiceRequest(models.Model):
    """One submitted request: what was asked, against which form version, and by whom."""

    reference = models.CharField(_("reference"), max_length=16, unique=True)
    service = models.ForeignKey(
        "home.ServicePage", verbose_name=_("service"), on_delete=models.PROTECT, related_name="requests"
    )
    form_page = models.ForeignKey(
        "forms_catalogue.EFormPage", on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )
    form_version = models.ForeignKey(
        "forms_catalogue.FormVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )
    form_revision_id = models.PositiveIntegerField(_("form revision"), null=True, blank=True)
    form_snapshot = models.JSONField(_("form definition as submitted"), default=dict)
    answers = EncryptedJSONField(_("answers"), default=dict)
    channel = models.CharField(
        _("channel"), max_length=CHANNEL_MAX_LENGTH, choices=Channel.choices, default=Channel.WEB
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=language_choices(),
        default=DEFAULT_LANGUAGE,
        help_text=_("The language the resident used: the council writes to them in it."),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entered_requests",
        help_text=_("The member of staff who submitted it on the resident's behalf."),
    )
    contact_email = EncryptedEmailField(_("contact email"), blank=True)
    contact_email_index = BlindIndexField(source="contact_email")
    contact_name = EncryptedTextField(_("contact name"), blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), blank=True)
    contact_address = EncryptedTextField(_("contact address"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    queue = models.ForeignKey(
        "backoffice.Queue", verbose_name=_("queue"), on_delete=models.PROTECT, null=True, related_name="requests"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_requests",
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(
        _("acknowledged"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the queue's own system first confirmed it had received the request (through the API)."),
    )
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    target_amount = models.PositiveSmallIntegerField(
        _("service-level target"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The service's target when the request was submitted."),
    )
    target_unit = models.CharField(
        _("target unit"), max_length=13, choices=TargetUnit.choices, blank=True, editable=False
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True, editable=False)
    paused_at = models.DateTimeField(
        _("clock stopped"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the request started waiting for the citizen; the clock restarts when it stops waiting."),
    )
    time_paused = models.DurationField(
        _("time paused"),
        default=timedelta(0),
        editable=False,
        help_text=_("Whole working or calendar days for a target in days; clock time for a target in hours."),
    )
    anonymised_at = models.DateTimeField(
        _("personal data deleted"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When the answers, files, messages and history were deleted (retention period or erasure); "
            "the service, channel, queue, dates and status are kept for the figures."
        ),
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("service request")
        permissions = [
            (
                "handle_subject_rights",
                _("Can find, export and erase a person's requests (information governance)"),
            ),
            ("submit_on_behalf", _("Can submit e-forms on behalf of a resident")),
        ]
        indexes = [
            models.Index(fields=["queue", "status", "-created_at"]),
            models.Index(fields=["queue", "acknowledged_at", "created_at"]),
            models.Index(fields=["queue", "status", "due_at"]),
            models.Index(fields=["queue", "resolved_at"]),
        ]

    def __str__(self) -> str:
        return self.display_reference

    @property
    def display_reference(self) -> str:
        return format_reference(self.reference)

    @property
    def language_name(self) -> str:
        """The language as staff read it: "English", "Welsh (Cymraeg)"."""
        return language_name(self.language)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def service_level(self) -> Target | None:
        """The target the request is measured against (its service's when it was submitted), or None."""
        return Target.of(self.target_amount, self.target_unit)

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None


def request_file_storage():
    """`STORAGES["request_files"]`: residents' files, encrypted at rest (not `default`, where editors' images are)."""
    return storages["request_files"]


class RequestFile(models.Model):
    """A file uploaded with a request, kept encrypted in its own storage and served only as an attachment."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="files")
    question_id = models.CharField(max_length=50)
    item_index = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("Item of a repeating step"))
    file = models.FileField(upload_to="requests/%Y/%m/", storage=request_file_storage)
    original_name = EncryptedTextField(max_length=255)  # the citizen's file name, made safe
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.original_name


class RequestEvent(models.Model):
    """One thing that happened to a request: submitted, status changed, assigned, a note added, acknowledged.

    `actor` is the member of staff who did it; a change made through the API has no actor
    and names the API key (or the Open311 client of a citizen update) in `via` instead.
    """

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        STATUS = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        NOTE = "note", _("Note")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        CITIZEN = "citizen", _("Update from the citizen")

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    via = models.CharField(
        _("made through"),
        max_length=150,
        blank=True,
        help_text=_("The API key or Open311 client that made this change, when no member of staff did."),
    )
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Notes are personal data (what staff and citizens wrote), encrypted at rest like the answers.
    internal_note = EncryptedTextField(_("internal note"), blank=True)
    public_note = EncryptedTextField(_("note for the citizen"), blank=True)
    has_public_note = PresenceField(source="public_note")  # what "has a note for the citizen" filters on
    citizen_note = EncryptedTextField(_("update from the citizen"), blank=True)
    channel = models.CharField(
        _("received through"),
        max_length=CHANNEL_MAX_LENGTH,
        choices=Channel.choices,
        blank=True,
        help_text=_("For citizen updates."),
    )
    due_at = models.DateTimeField(
        _("due date set"),
        null=True,
        blank=True,
        help_text=_("The due date this event set: on submission, and when the clock restarted after waiting."),
    )
    clock_paused = models.DurationField(
        _("clock stopped for"), null=True, blank=True, help_text=_("The pause that ended with this event.")
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("request event")

    def __str__(self) -> str:
        return f"{self.request}: {self.get_kind_display()}"
