"""API keys: one per back-office system pulling a queue, one per Open311 client."""

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """A key's public prefix, its hash (never the key), who made it and whether it is revoked."""

    name = models.CharField(_("name"), max_length=150, help_text=_("Who or what uses this key."))
    prefix = models.CharField(_("key prefix"), max_length=8, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    KEY_KIND = ""

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        forget_live_prefixes()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        forget_live_prefixes()
        return result

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


LIVE_PREFIXES_KEY = "api:live-key-prefixes"


def live_key_prefixes() -> frozenset[str]:
    """`<kind>_<prefix>` of every key not revoked, from the cache (one query when it is cold)."""
    prefixes = cache.get(LIVE_PREFIXES_KEY)
    if prefixes is None:
        prefixes = frozenset(
            f"{model.KEY_KIND}_{prefix}"
            for model in (QueueApiKey, Open311Client)
            for prefix in model.objects.filter(revoked_at__isnull=True).values_list("prefix", flat=True)
        )
        cache.set(LIVE_PREFIXES_KEY, prefixes, timeout=300)
    return prefixes


def forget_live_prefixes() -> None:
    """Called when a key is issued, renamed, revoked or deleted."""
    cache.delete(LIVE_PREFIXES_KEY)


class QueueApiKey(ApiKey):
    """Lets one back-office system pull, acknowledge and update the requests of one queue, and no other."""

    queue = models.ForeignKey(
        "backoffice.Queue", verbose_name=_("queue"), on_delete=models.CASCADE, related_name="api_keys"
    )

    KEY_KIND = "pq"

    class Meta(ApiKey.Meta):
        verbose_name = _("queue API key")
        verbose_name_plural = _("queue API keys")


class Open311Client(ApiKey):
    """A civic client (FixMyStreet, a council app, …) allowed to post requests through Open311."""

    contact_email = models.EmailField(_("contact email"), blank=True, help_text=_("Who runs the client."))

    KEY_KIND = "o311"

    class Meta(ApiKey.Meta):
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")


class IdempotentSubmission(models.Model):
    """A request made through the portal API with an Idempotency-Key, and a digest of the body that made it.

    A retry with the same key and body gets that request again; the same key with another body is
    refused. Kept as long as the request is (deleted with it).
    """

    key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    body_sha256 = models.CharField(_("SHA-256 of the body"), max_length=64)
    request = models.OneToOneField(
        "backoffice.ServiceRequest", verbose_name=_("request"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotent API submission")

    def __str__(self) -> str:
        return f"{self.key} → {self.request_id}"
