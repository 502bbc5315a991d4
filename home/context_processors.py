"""Template context shared by every public page."""

from django.conf import settings


def council(request):
    """The council's name and the service phase, for the header, title and phase banner."""
    return {
        "council_name": settings.COUNCIL_NAME,
        "service_phase": settings.SERVICE_PHASE,
        "feedback_email": settings.FEEDBACK_EMAIL,
    }
