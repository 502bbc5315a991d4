"""A sign-in lock-out as the admin names it: the holder of the unlock permission and the audit log's object.

django-axes keeps the counts of failed sign-ins (in the database or in Redis); nothing of a
lock-out is stored here. The model has no table (`managed = False`, and its manager finds
nothing without asking the database, so Reports → Site history can list the entries made
for it): it gives the permission "Can see and lift sign-in lock-outs" a content type, and an
unlock's audit entry an object, "username:<name>" or "address:<address>".
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

USERNAME = "username"
ADDRESS = "address"


class NothingStored(models.Manager):
    """No row is ever stored: every query is empty, and none reaches the database."""

    def get_queryset(self):
        return super().get_queryset().none()


class SignInLockout(models.Model):
    """The lock-out of one username or of one address (the counts themselves are django-axes's)."""

    key = models.CharField(_("lock-out"), max_length=300, primary_key=True)

    objects = NothingStored()

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("unlock_accounts", _("Can see and lift sign-in lock-outs"))]
        verbose_name = _("sign-in lock-out")

    def __str__(self) -> str:
        return self.value

    @classmethod
    def of(cls, kind: str, value: str) -> "SignInLockout":
        """The lock-out of a username (`kind` USERNAME) or an address (ADDRESS)."""
        return cls(key=f"{kind}:{value}")

    @property
    def kind(self) -> str:
        return self.key.split(":", 1)[0]

    @property
    def value(self) -> str:
        return self.key.split(":", 1)[1]
