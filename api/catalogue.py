"""The live e-forms the APIs offer, each named by its code: the slug of its service page.

The portal API (`/api/v1/forms/{code}`) and Open311 (`service_code`) use the same codes, so a
client can move between them. A form is offered while it is live and public and has a frozen
version; requests are checked against that current version.
"""

from dataclasses import dataclass

from forms_catalogue.models import EFormPage, FormVersion
from home.models import ServicePage


@dataclass(frozen=True)
class LiveForm:
    """A live e-form with its service page and the version new requests are made against."""

    code: str
    page: EFormPage
    service: ServicePage
    version: FormVersion


def live_forms() -> list[LiveForm]:
    """Every live, public e-form with a version, ordered by service title (a constant number of queries)."""
    pages = list(EFormPage.objects.live().public().order_by("path"))
    parent_paths = {page.path[: -EFormPage.steplen] for page in pages}
    services = {
        service.path: service
        for service in ServicePage.objects.live().filter(path__in=parent_paths).select_related("department")
    }
    latest: dict[int, FormVersion] = {}
    for version in FormVersion.objects.filter(page__in=pages).order_by("page_id", "-created_at", "-pk"):
        latest.setdefault(version.page_id, version)
    forms = []
    for page in pages:
        service = services.get(page.path[: -EFormPage.steplen])
        if service is not None and page.pk in latest:
            forms.append(LiveForm(code=service.slug, page=page, service=service, version=latest[page.pk]))
    return sorted(forms, key=lambda form: (form.service.title.lower(), form.page.pk))


def live_form(code: str) -> LiveForm | None:
    """The live form whose service page has the slug `code`, or None (never raises)."""
    if not isinstance(code, str) or not code or len(code) > 255:
        return None
    service = ServicePage.objects.live().filter(slug=code).select_related("department").order_by("pk").first()
    page = EFormPage.objects.child_of(service).live().public().first() if service else None
    version = page.current_version() if page else None
    if version is None:
        return None
    return LiveForm(code=code, page=page, service=service, version=version)
