"""Keep frozen form versions and the service's online status in step with publishing."""

from django.db.models.signals import post_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished

from .models import EFormPage, FormVersion


def freeze_published_version(sender, instance, revision, **kwargs):
    """Store the definition of each published revision, once."""
    FormVersion.objects.get_or_create(
        revision=revision, defaults={"page": instance, "snapshot": instance.definition().to_json()}
    )
    refresh_service_status(instance)


def refresh_service_status(page, **kwargs):
    """A service is online when its e-form is live; recompute when that changes."""
    try:
        parent = page.get_parent()
        service = parent.specific if parent is not None else None
    except Page.DoesNotExist:  # the whole branch is being deleted (the service's own row may be gone already)
        return
    if hasattr(service, "refresh_online_status"):
        service.refresh_online_status()


def on_unpublished(sender, instance, **kwargs):
    refresh_service_status(instance)


def connect() -> None:
    page_published.connect(freeze_published_version, sender=EFormPage)
    page_unpublished.connect(on_unpublished, sender=EFormPage)
    post_delete.connect(on_unpublished, sender=EFormPage)
