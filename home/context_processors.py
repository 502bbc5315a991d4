"""Template context shared by every public page."""

from django.conf import settings
from django.utils.translation import get_language

from portal.language import language_prefix


def council(request):
    """The council's name and the service phase, for the header, title and phase banner; the URL prefix of
    the page's language (empty in English, `/cy` in Welsh) for links to fixed pages."""
    return {
        "language_prefix": language_prefix(get_language() or settings.LANGUAGE_CODE),
        "council_name": settings.COUNCIL_NAME,
        "service_phase": settings.SERVICE_PHASE,
        "feedback_email": settings.FEEDBACK_EMAIL,
    }
