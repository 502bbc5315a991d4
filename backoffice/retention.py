"""Retention: a closed request's personal data is deleted once its form's retention period has run out.

A request is closed when its status is resolved, closed or rejected. It closed at `resolved_at`
(set by casework when it entered that status), else at its last status change, else at its
last update. Its period is its form's `retention_days` (EFormPage), or
`RETENTION_DEFAULT_DAYS` for a request with no form. Once `closed_at + period` has passed,
`purge_expired_requests` strips it (`strip_personal_data`, shared with erasure):

- deleted: the answers, the contact email, who it was assigned to, its files (the storage
  objects and the rows), its deliveries (the payloads: a second copy of the answers) and its
  history (notes for the citizen, internal notes, updates from the citizen);
- kept, as an "anonymised" row: reference, service, form and version, channel, queue,
  status and its dates (`created_at`, `resolved_at`, `acknowledged_at`, `anonymised_at`), so
  the dashboards and service-level figures, which count requests by service, channel, date
  and status, stay right without any personal data; and the audit log, which holds ids and
  counts only.

Failure behaviour: the work goes in batches of `RETENTION_BATCH_SIZE` requests, each in one
transaction (storage objects are deleted just before it; deleting a missing object is not an
error), so a purge that stops half way keeps what it did and the next run does the rest;
running it twice does nothing the second time. Nothing is loaded but one batch of ids.
"""

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Delivery, RequestEvent, RequestFile, ServiceRequest
from .models.requests import CLOSED_STATUSES
from .staff import audit

logger = logging.getLogger(__name__)


@dataclass
class StripReport:
    """What stripping deleted: requests, files (storage objects), deliveries, history events."""

    requests: int = 0
    files: int = 0
    deliveries: int = 0
    events: int = 0

    def add(self, other: "StripReport") -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)


def strip_personal_data(request_ids: list[int], *, action: str, user=None, **audit_data) -> StripReport:
    """Delete the personal data of these requests (see the module's docstring), keep anonymous rows, and audit it.

    Requests already stripped are left alone. One audit entry per request (`action`, by `user`
    or with `audit_data` naming who), holding the number of files deleted.
    """
    report = StripReport()
    storage = RequestFile._meta.get_field("file").storage
    for name in RequestFile.objects.filter(request_id__in=request_ids).values_list("file", flat=True):
        storage.delete(name)  # before the rows: a failure here leaves the rows, and the next run retries
    with transaction.atomic():
        requests = list(
            ServiceRequest.objects.select_for_update().filter(pk__in=request_ids, anonymised_at__isnull=True)
        )
        ids = [request.pk for request in requests]
        if not ids:
            return report
        files_per_request = dict.fromkeys(ids, 0)
        for request_id in RequestFile.objects.filter(request_id__in=ids).values_list("request_id", flat=True):
            files_per_request[request_id] += 1
        report.files = RequestFile.objects.filter(request_id__in=ids).delete()[0]
        report.deliveries = Delivery.objects.filter(request_id__in=ids).delete()[0]
        report.events = RequestEvent.objects.filter(request_id__in=ids).delete()[0]
        report.requests = ServiceRequest.objects.filter(pk__in=ids).update(
            answers={},
            contact_email="",
            contact_email_index="",
            contact_name="",
            contact_phone="",
            contact_address="",
            assignee=None,
            anonymised_at=timezone.now(),
        )
        by_file_count: dict[int, list[ServiceRequest]] = {}
        for request in requests:
            by_file_count.setdefault(files_per_request[request.pk], []).append(request)
        for files, same in by_file_count.items():
            audit.record_many(same, action, user, files=files, **audit_data)
    return report


def closed_at():
    """When a request closed: resolved_at, else its last status change, else its last update."""
    last_status_change = (
        RequestEvent.objects.filter(request=OuterRef("pk"), kind=RequestEvent.Kind.STATUS)
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )
    return Coalesce("resolved_at", Subquery(last_status_change), "updated_at")


def retention_periods() -> set[int]:
    """Every retention period a form has (a handful of values, however many requests there are)."""
    forms = ServiceRequest._meta.get_field("form_page").related_model.objects
    return set(forms.values_list("retention_days", flat=True).distinct())


def expired_requests(now=None) -> QuerySet[ServiceRequest]:
    """Closed, not yet stripped requests whose retention period ran out by `now`."""
    now = now or timezone.now()
    past_retention = Q(form_page__isnull=True, closed_at__lte=now - timedelta(days=settings.RETENTION_DEFAULT_DAYS))
    for days in retention_periods():
        past_retention |= Q(form_page__retention_days=days, closed_at__lte=now - timedelta(days=days))
    return (
        ServiceRequest.objects.filter(status__in=CLOSED_STATUSES, anonymised_at__isnull=True)
        .annotate(closed_at=closed_at())
        .filter(past_retention)
    )


def purge_expired_requests(
    now=None, *, batch_size: int | None = None, should_stop: Callable[[], bool] = lambda: False
) -> StripReport:
    """Strip every request past its retention period, a batch at a time; returns the totals.

    `should_stop` is asked between batches (the worker stopping): what is done stays done.
    """
    batch_size = batch_size or settings.RETENTION_BATCH_SIZE
    total = StripReport()
    while not should_stop():
        ids = list(expired_requests(now).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        done = strip_personal_data(ids, action=audit.RETENTION_PURGE, via="retention purge", via_kind="command")
        total.add(done)
        logger.info("retention: stripped %s requests in this batch", done.requests, extra=asdict(done))
        if not done.requests:
            break  # someone else stripped them meanwhile; the next run looks again
    return total
