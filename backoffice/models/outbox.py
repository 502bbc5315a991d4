"""The transactional outbox: one Delivery row per message a request must send, written with the request."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.encryption import EncryptedJSONField


class DeliveryState(models.TextChoices):
    """Where a delivery is: due rows are pending or failed (waiting to retry)."""

    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed, will retry")
    DEAD = "dead", _("Dead")


class DeliveryKind(models.TextChoices):
    """Which adapter sends the delivery."""

    WEBHOOK = "webhook", _("Webhook")
    EMAIL = "email", _("Department email")
    RABBITMQ = "rabbitmq", _("RabbitMQ")
    CITIZEN_EMAIL = "citizen_email", _("Email to the citizen")


class Delivery(models.Model):
    """One message to send for a request, through one adapter; the relay worker sends it."""

    request = models.ForeignKey("backoffice.ServiceRequest", on_delete=models.CASCADE, related_name="deliveries")
    destination = models.ForeignKey(
        "backoffice.Destination", on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    event = models.ForeignKey(
        "backoffice.RequestEvent", on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DeliveryKind.choices)
    payload = EncryptedJSONField(_("payload"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    state = models.CharField(_("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    lease_token = models.CharField(max_length=36, blank=True, db_index=True)
    lease_expires_at = models.DateTimeField(_("lease expires"), null=True, blank=True)
    leased_by = models.CharField(_("worker"), max_length=100, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        permissions = [("manage_deliveries", _("Can see every delivery and replay failed ones"))]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["state", "lease_expires_at"], name="delivery_lease"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.request} ({self.get_state_display()})"
