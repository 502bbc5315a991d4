"""Template context shared by every public page."""

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.language import council_name, language_prefix

# The phase banner's tag, in the page's language; another phase is shown as configured.
PHASE_NAMES = {"alpha": _("alpha"), "beta": _("beta")}


def council(request):
    """The council's name and the service phase, for the header, title and phase banner; the URL prefix of
    the page's language (empty in English, `/cy` in Welsh) for links to fixed pages."""
    name, name_language = council_name()
    return {
        "language_prefix": language_prefix(get_language() or settings.LANGUAGE_CODE),
        "council_name": name,
        "council_name_lang": "" if name_language == get_language() else name_language,  # a fragment in English
        "service_phase": PHASE_NAMES.get(settings.SERVICE_PHASE, settings.SERVICE_PHASE),
        "feedback_email": settings.FEEDBACK_EMAIL,
    }
