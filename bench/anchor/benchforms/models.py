"""The anchor's form page: Wagtail's own form builder, fields edited in the admin."""

from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField


class FormField(AbstractFormField):
    """One field of the form page."""

    page = ParentalKey("FormPage", on_delete=models.CASCADE, related_name="form_fields")


class FormPage(AbstractForm):
    """A one-page form; a valid POST stores a submission and shows the landing page."""

    thank_you_text = models.CharField(max_length=255, blank=True)

    content_panels = [
        *AbstractForm.content_panels,
        InlinePanel("form_fields", label="Form fields"),
        FieldPanel("thank_you_text"),
    ]
