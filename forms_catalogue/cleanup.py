"""Remove what abandoned journeys leave behind: expired saved journeys and stale temporary uploads."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import SavedJourney
from .wizard import journey_file_storage


@dataclass
class CleanupReport:
    saved_journeys: int = 0
    files: int = 0


def referenced_uploads() -> set[str]:
    """Temporary files still needed by a saved journey."""
    return set().union(*(saved.upload_names() for saved in SavedJourney.objects.only("data")))


def purge_abandoned_journeys(now=None) -> CleanupReport:
    """Delete expired saved journeys, then every temporary upload older than a session that nothing refers to."""
    now = now or timezone.now()
    report = CleanupReport()
    report.saved_journeys, _ = SavedJourney.objects.filter(expires_at__lte=now).delete()
    keep = referenced_uploads()
    cutoff = now - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    try:
        _dirs, names = journey_file_storage.listdir("")
    except FileNotFoundError:
        return report
    for name in names:
        if name not in keep and journey_file_storage.get_modified_time(name) < cutoff:
            journey_file_storage.delete(name)
            report.files += 1
    return report
