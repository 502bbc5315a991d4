"""Run inside the environment of `manage.py deliver` workers: set up, submit, and report on their database.

The process-level tests and `bench/delivery.py` share a database with real worker processes,
so they act on it the way the portal does, from another process with the same settings:

    python -m tests.backoffice.dbctl webhook --url URL --secret S   # the Waste queue pushes there
    python -m tests.backoffice.dbctl submit --count 100             # requests through intake.submit
    python -m tests.backoffice.dbctl status                         # the deliveries, as JSON

Each command prints one JSON document on stdout.
"""

import argparse
import json
import os
import sys
import time


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    import django

    django.setup()


WEBHOOK_DEPARTMENT = "Waste and Recycling"
SERVICE = "report-missed-bin"


def answers(number: int) -> dict:
    """A plausible missed-bin report (not validated by intake; the form did that)."""
    return {
        "collection_address": {"line1": f"{number % 200 + 1} Mill Lane", "town": "Ashworth", "postcode": "AB4 7QT"},
        "bin_type": "garden",
        "collection_date": "2026-11-20",
        "out_by_7am": "yes",
        "access_notes": f"Report {number}",
        "name": {"first_name": "Sam", "last_name": "Okafor"},
    }


def command_webhook(options) -> dict:
    """Point the webhook department's queue at `url` (only that destination is enabled anywhere)."""
    from backoffice.models import Destination, DestinationKind, Queue
    from home.models import Department

    Destination.objects.update(enabled=False)
    queue = Queue.default_for(Department.objects.get(name=WEBHOOK_DEPARTMENT))
    destination, _ = Destination.objects.update_or_create(
        queue=queue,
        kind=DestinationKind.WEBHOOK,
        defaults={"enabled": True, "url": options.url, "secret": options.secret, "timeout_seconds": options.timeout},
    )
    return {"destination": destination.pk, "queue": queue.slug}


def command_submit(options) -> dict:
    """Submit `count` requests through intake.submit, one transaction each, as the web form does."""
    from backoffice.intake import submit
    from backoffice.models import Delivery, DeliveryKind
    from forms_catalogue.models import EFormPage
    from home.models import ServicePage

    service = ServicePage.objects.get(slug=options.service)
    version = EFormPage.objects.child_of(service).live().get().current_version()
    started = time.time()
    references = []
    for number in range(options.count):
        request, _created = submit(
            service=service, answers=answers(number), form_version=version, contact_email=options.contact_email
        )
        references.append(request.reference)
        if options.interval:
            time.sleep(options.interval)
    keys = list(
        Delivery.objects.filter(request__reference__in=references, kind=DeliveryKind.WEBHOOK).values_list(
            "idempotency_key", flat=True
        )
    )
    return {"references": references, "webhook_keys": keys, "seconds": time.time() - started}


def command_status(options) -> dict:
    """Every delivery's state, attempts, worker and lease; counts by state; and the requests' submit times."""
    from django.db.models import Count

    from backoffice.models import Delivery, ServiceRequest

    rows = Delivery.objects.order_by("pk").values(
        "idempotency_key", "kind", "state", "attempts", "leased_by", "lease_expires_at", "last_error", "delivered_at"
    )
    deliveries = [
        {
            **row,
            "lease_expires_at": row["lease_expires_at"].timestamp() if row["lease_expires_at"] else None,
            "delivered_at": row["delivered_at"].timestamp() if row["delivered_at"] else None,
        }
        for row in rows
    ]
    states = dict(Delivery.objects.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    result = {"states": states, "deliveries": deliveries}
    if options.created:
        result["created"] = {
            reference: created.timestamp()
            for reference, created in ServiceRequest.objects.values_list("reference", "created_at")
        }
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    webhook = commands.add_parser("webhook")
    webhook.add_argument("--url", required=True)
    webhook.add_argument("--secret", required=True)
    webhook.add_argument("--timeout", type=int, default=10)
    submit = commands.add_parser("submit")
    submit.add_argument("--count", type=int, default=1)
    submit.add_argument("--service", default=SERVICE)
    submit.add_argument("--contact-email", default="")
    submit.add_argument("--interval", type=float, default=0.0, help="seconds between submissions")
    status = commands.add_parser("status")
    status.add_argument("--created", action="store_true", help="include each request's created_at")
    options = parser.parse_args(argv)
    setup_django()
    handler = {"webhook": command_webhook, "submit": command_submit, "status": command_status}[options.command]
    json.dump(handler(options), sys.stdout)


if __name__ == "__main__":
    main()
