"""Management command: build the demo council (idempotent)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from backoffice.demo import load_demo_destinations, load_demo_queues
from forms_catalogue.demo import load_demo_forms, load_welsh_demo_forms
from forms_catalogue.exchange import ImportProblem
from home.demo import load_demo_council
from home.demo_welsh import load_welsh_pages
from home.sites import point_default_site_at


class Command(BaseCommand):
    help = (
        "Create the demo council: departments, categories, 96 services, demo e-forms, their Welsh versions, queues; "
        "point the site at "
        "SITE_URL. Safe to run again."
    )

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                report = load_demo_council(settings.COUNCIL_NAME)
                forms = load_demo_forms()
                welsh_pages = load_welsh_pages() if settings.DEMO_WELSH else 0
                welsh_forms = load_welsh_demo_forms() if settings.DEMO_WELSH else 0
                queues = load_demo_queues()
                pushes = load_demo_destinations()
                point_default_site_at(settings.WAGTAILADMIN_BASE_URL)
        except ImportProblem as problem:
            raise CommandError(f"The demo council was not loaded: a Welsh demo form has a problem: {problem}") from None
        except ValidationError as error:  # a DEMO_* variable that is not a usable address
            raise CommandError(
                f"The demo council was not loaded: {' '.join(error.messages)} "
                "Check DEMO_WEBHOOK_URL, DEMO_WEBHOOK_SECRET and DEMO_RABBITMQ_URL."
            ) from None
        created = []
        if report.total:
            created.append(
                f"{report.departments} departments, {report.categories} categories, "
                f"{report.services} services, {report.other_pages} other pages"
            )
        if forms:
            created.append(f"{forms} e-forms")
        if welsh_pages or welsh_forms:
            created.append(f"{welsh_pages} Welsh pages and {welsh_forms} Welsh e-forms")
        if queues:
            created.append(f"{queues} department queues")
        if pushes:
            created.append(f"pushes to department systems from DEMO_WEBHOOK_URL / DEMO_RABBITMQ_URL: {pushes}")
        if created:
            self.stdout.write(self.style.SUCCESS(f"Demo council: created {'; '.join(created)}."))
        else:
            self.stdout.write("Demo council already loaded: nothing to do.")
