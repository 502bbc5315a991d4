"""Builders for back-office tests: staff in the demo council's groups, and requests made the real way.

Requests go through `backoffice.intake.submit` with a demo form's frozen version and a complete,
valid set of its answers (tests/forms_catalogue/demo_answers.py), uploads included, exactly as
the web journey stores them.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from backoffice.intake import SubmittedFile, submit
from backoffice.models import Queue, ServiceRequest
from forms_catalogue.models import EFormPage
from home.models import Department, ServicePage
from tests.forms_catalogue.demo_answers import DEMO_ANSWERS
from tests.forms_catalogue.journey_helpers import stored_answers, uploads_in

PASSWORD = "a-long-test-password-42"
WASTE = "Waste and Recycling"
HIGHWAYS = "Highways"
HOUSING = "Housing Services"
CITIZEN_EMAIL = "sam.okafor@example.com"
CSRF_INPUT = re.compile(rb'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">')

# Demo services with e-forms, by department: a form with a photo for each of two departments,
# and one with a repeating step.
FLY_TIPPING = "report-fly-tipping"  # Waste and Recycling, photo upload
MISSED_BIN = "report-missed-bin"  # Waste and Recycling
POTHOLE = "report-pothole"  # Highways, photo upload
HOUSING_REGISTER = "housing-register"  # Housing Services, repeating "household" step


def staff_group(department: str) -> Group:
    """The demo council's staff group of a department (it works the department's queue)."""
    return Group.objects.get(name=f"{department} staff")


def make_user(username: str, *, groups: tuple[Group, ...] = (), superuser: bool = False, **fields: Any):
    """A user with a known password, in the given groups."""
    User = get_user_model()
    fields.setdefault("email", f"{username}@ashworth.example.gov.uk")
    fields.setdefault("first_name", username.capitalize())
    fields.setdefault("last_name", "Tester")
    if superuser:
        user = User.objects.create_superuser(username=username, password=PASSWORD, **fields)
    else:
        user = User.objects.create_user(username=username, password=PASSWORD, **fields)
    user.groups.add(*groups)
    return user


def make_staff(username: str, department: str, **fields: Any):
    """A member of a department's staff group (admin access and the department's queue, nothing else)."""
    return make_user(username, groups=(staff_group(department),), **fields)


def make_web_team_member(username: str = "webteam"):
    """A web-team admin: admin access and the `backoffice.manage_deliveries` permission, no queue."""
    group, _created = Group.objects.get_or_create(name="Web team")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        Permission.objects.get(content_type__app_label="backoffice", codename="manage_deliveries"),
    )
    return make_user(username, groups=(group,))


def login(client, user) -> None:
    """Log in through Django's authentication backends, with the user's password."""
    assert client.login(username=user.get_username(), password=PASSWORD)


def department_queue(department: str) -> Queue:
    return Queue.default_for(Department.objects.get(name=department))


def form_page(slug: str) -> EFormPage:
    return EFormPage.objects.child_of(ServicePage.objects.get(slug=slug)).live().get()


def make_request(
    slug: str = FLY_TIPPING,
    *,
    email: str = CITIZEN_EMAIL,
    answers: dict[str, Any] | None = None,
    age_days: float | None = None,
    **kwargs: Any,
) -> ServiceRequest:
    """Submit a demo form's request through intake (uploads included); optionally make it `age_days` old."""
    given = copy.deepcopy(DEMO_ANSWERS[slug] if answers is None else answers)
    if "email" in given:
        given["email"] = email
    version = form_page(slug).current_version()
    files = [SubmittedFile(question_id, upload.file()) for question_id, upload in uploads_in(given).items()]
    request, created = submit(
        service=ServicePage.objects.get(slug=slug),
        answers=stored_answers(given),
        form_version=version,
        files=files,
        contact_email=email,
        **kwargs,
    )
    assert created
    if age_days is not None:
        ServiceRequest.objects.filter(pk=request.pk).update(
            created_at=timezone.now() - timezone.timedelta(days=age_days)
        )
        request.refresh_from_db()
    return request


def staff_file_link(client, service_request, position: int = 0) -> str:
    """The download link of one of the request's files, as its page gives it to the signed-in client."""
    from django.urls import reverse

    response = client.get(reverse("backoffice_requests:detail", args=[service_request.pk]))
    return page(response).select("#files-section table a")[position]["href"]


def without_csrf(content: bytes) -> bytes:
    """A page's HTML without its CSRF token, which differs from one response to the next."""
    return CSRF_INPUT.sub(b"", content)


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def form_data(form) -> dict[str, Any]:
    """What a browser would post for an HTML form as it stands (checked boxes, selected options, values)."""
    data: dict[str, Any] = {}
    for field in form.select("input[name], select[name], textarea[name]"):
        kind = field.get("type", "")
        if kind in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data.setdefault(field["name"], []).append(field.get("value", "on"))
        elif field.name == "select":
            data[field["name"]] = [option.get("value", "") for option in field.select("option[selected]")]
        elif field.name == "textarea":
            data[field["name"]] = field.get_text()
        else:
            data[field["name"]] = field.get("value", "")
    return data


def with_new_webhook(data: dict[str, Any], url: str, secret: str) -> dict[str, Any]:
    """A queue edit form's data with one more destination: an enabled webhook to `url` signed with `secret`."""
    existing = int(data["destinations-TOTAL_FORMS"])
    prefix = f"destinations-{existing}-"
    return {
        **data,
        "destinations-TOTAL_FORMS": str(existing + 1),
        f"{prefix}kind": "webhook",
        f"{prefix}enabled": "on",
        f"{prefix}url": url,
        f"{prefix}secret": secret,
        f"{prefix}timeout_seconds": "5",
        f"{prefix}id": "",
        f"{prefix}DELETE": "",
    }


def text_of(response) -> str:
    """The visible text of a page, whitespace collapsed."""
    return " ".join(page(response).get_text(" ").split())
