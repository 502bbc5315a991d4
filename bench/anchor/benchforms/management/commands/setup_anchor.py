"""Add the benchmark's form page (the portal step's 5 fields) under the home page; safe to run again."""

from django.core.management.base import BaseCommand
from wagtail.models import Page

from benchforms.models import FormField, FormPage

# The resident parking permit's "Your vehicle" step in the portal's demo council.
FIELDS = [
    ("What is the vehicle's registration number?", "singleline", ""),
    ("What make and model is it?", "singleline", ""),
    ("Is it a fully electric vehicle?", "radio", "Yes\nNo"),
    (
        "Is this your household's first or second permit?",
        "radio",
        "First permit, £60 a year\nSecond permit, £100 a year",
    ),
    (
        "Who is the vehicle registered to?",
        "radio",
        "Me, at this address\nMy employer, as a company car\nA leasing company",
    ),
]


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        if FormPage.objects.filter(slug="vehicle").exists():
            return
        home = Page.objects.get(depth=2)
        page = FormPage(title="Your vehicle", slug="vehicle", thank_you_text="Thank you")
        page.form_fields = [
            FormField(sort_order=order, label=label, field_type=kind, required=True, choices=choices)
            for order, (label, kind, choices) in enumerate(FIELDS)
        ]
        home.add_child(instance=page)
        page.save_revision().publish()
        self.stdout.write(f"Form page at {page.url}")
