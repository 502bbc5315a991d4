"""Department queues, where each queue pushes its requests, and routing rules."""

from django import forms
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel

from portal.encryption import EncryptedTextField

ROUTING_OPERATORS = (
    ("equals", _("equals")),
    ("not_equals", _("does not equal")),
    ("any_of", _("is any of (comma separated)")),
    ("starts_with", _("starts with (e.g. a postcode area)")),
    ("is_answered", _("is answered")),
    ("greater_than", _("is a number greater than")),
    ("less_than", _("is a number less than")),
)


class Queue(ClusterableModel):
    """A department's work queue: staff work it in the admin, and it may push requests to other systems."""

    department = models.ForeignKey(
        "home.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="queues"
    )
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    is_default = models.BooleanField(
        _("department's default queue"),
        default=True,
        help_text=_("Requests for the department's services come here unless a routing rule says otherwise."),
    )
    staff_groups = models.ManyToManyField(
        Group,
        verbose_name=_("staff groups"),
        blank=True,
        related_name="work_queues",
        help_text=_("Members of these groups see and work this queue's requests."),
    )

    panels = [
        FieldPanel("department"),
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("is_default"),
        FieldPanel("staff_groups", widget=forms.CheckboxSelectMultiple),
        InlinePanel("destinations", heading=_("Push requests to"), label=_("destination")),
    ]

    class Meta:
        ordering = ["department__name", "name"]
        verbose_name = _("queue")

    def __str__(self) -> str:
        return f"{self.department.name}: {self.name}" if self.name != self.department.name else self.name

    @classmethod
    def default_for(cls, department) -> "Queue | None":
        """The queue a department's requests go to when no routing rule applies."""
        return cls.objects.filter(department=department).order_by("-is_default", "pk").first()


class DestinationKind(models.TextChoices):
    """The systems a queue can push requests to (every request is also in the staff queue)."""

    WEBHOOK = "webhook", _("Signed webhook (HTTPS POST)")
    EMAIL = "email", _("Email to a mailbox")
    RABBITMQ = "rabbitmq", _("RabbitMQ message")


class Destination(models.Model):
    """One system a queue pushes its requests to, with that system's settings."""

    queue = ParentalKey(Queue, on_delete=models.CASCADE, related_name="destinations")
    kind = models.CharField(_("kind"), max_length=10, choices=DestinationKind.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    url = models.URLField(_("webhook URL"), max_length=500, blank=True)
    secret = EncryptedTextField(
        _("signing secret"),
        max_length=200,
        blank=True,
        write_only=True,
        help_text=_("Webhook bodies are signed with HMAC-SHA256 and this secret. It is stored encrypted."),
    )
    timeout_seconds = models.PositiveSmallIntegerField(_("timeout (seconds)"), default=10)
    email_to = models.EmailField(_("mailbox"), blank=True)
    amqp_url = EncryptedTextField(
        _("RabbitMQ URL"),
        max_length=500,
        blank=True,
        write_only=True,
        help_text=_("amqp://user:password@host:5672/vhost. It holds a password, so it is stored encrypted."),
    )
    exchange = models.CharField(_("exchange"), max_length=200, blank=True)
    routing_key = models.CharField(_("routing key"), max_length=200, blank=True)

    panels = [
        FieldPanel("kind"),
        FieldPanel("enabled"),
        MultiFieldPanel(
            [
                FieldPanel("url"),
                FieldPanel("secret"),
                FieldPanel("timeout_seconds"),
            ],
            _("Webhook"),
        ),
        FieldPanel("email_to"),
        MultiFieldPanel([FieldPanel("amqp_url"), FieldPanel("exchange"), FieldPanel("routing_key")], _("RabbitMQ")),
    ]

    class Meta:
        verbose_name = _("destination")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.queue}"

    def clean(self):
        required = {
            DestinationKind.WEBHOOK: ("url", "secret"),
            DestinationKind.EMAIL: ("email_to",),
            DestinationKind.RABBITMQ: ("amqp_url", "routing_key"),
        }
        if not self.enabled:
            return
        missing = {
            name: _("Needed for this kind of destination.")
            for name in required.get(self.kind, ())
            if not getattr(self, name)
        }
        if missing:
            raise ValidationError(missing)


class RoutingRule(models.Model):
    """Send a service's requests to another queue when an answer matches, e.g. by postcode area."""

    service = models.ForeignKey(
        "home.ServicePage", verbose_name=_("service"), on_delete=models.CASCADE, related_name="routing_rules"
    )
    question_id = models.CharField(
        _("question id"),
        max_length=100,
        help_text=_("The question's id; add .part for part of an answer, e.g. address.postcode."),
    )
    operator = models.CharField(_("operator"), max_length=20, choices=ROUTING_OPERATORS)
    value = models.CharField(_("value"), max_length=255, blank=True)
    queue = models.ForeignKey(Queue, verbose_name=_("queue"), on_delete=models.CASCADE, related_name="+")
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=100, help_text=_("Lower numbers are tried first.")
    )

    panels = [
        FieldPanel("service"),
        FieldPanel("question_id"),
        FieldPanel("operator"),
        FieldPanel("value"),
        FieldPanel("queue"),
        FieldPanel("priority"),
    ]

    class Meta:
        ordering = ["service", "priority", "pk"]
        verbose_name = _("routing rule")

    def __str__(self) -> str:
        return f"{self.service}: {self.question_id} {self.operator} {self.value} → {self.queue}"
