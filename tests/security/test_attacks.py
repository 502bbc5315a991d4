"""Attacks that must all fail: XSS, CSRF, forged tokens, cross-queue access (IDOR) and email header injection.

Each test is written from the attacker's side and asserts the attack's effect is absent, so
removing the protection (escaping, the CSRF middleware, a signature check, a queue filter,
address validation) makes it fail. Upload attacks are in tests/security/test_upload_attacks.py;
forged, expired and misdirected file links in tests/backoffice/test_file_links.py.
"""

from __future__ import annotations

import base64
import copy
import re
from typing import Any

import pytest
from django.core import mail, signing
from django.middleware.csrf import CsrfViewMiddleware
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authentication import SessionAuthentication
from rest_framework.views import APIView

from api.keys import issue
from api.models import QueueApiKey
from backoffice.models import Delivery, DeliveryKind, DeliveryState, ServiceRequest
from forms_catalogue.definition import QUESTION_TYPES
from forms_catalogue.models import SavedJourney
from forms_catalogue.views import RESUME_SALT, resume_token
from tests.api.submitting import json_body, post_json, problem
from tests.backoffice.delivery_fixtures import drain
from tests.backoffice.factories import (
    CITIZEN_EMAIL,
    FLY_TIPPING,
    HIGHWAYS,
    POTHOLE,
    WASTE,
    department_queue,
    form_page,
    login,
    make_request,
)
from tests.backoffice.test_staff_permissions import every_request_url
from tests.forms_catalogue.demo_answers import DEMO_ANSWERS, answers_for
from tests.forms_catalogue.journey_helpers import CHECK, Journey, error_summary, soup, stored_answers

pytestmark = [pytest.mark.django_db, pytest.mark.engine_neutral]  # see tests/conftest.py

# --- XSS -------------------------------------------------------------------------------------

PAYLOAD = "<script>alert('xss')</script><img src=x onerror=alert(1)>\"'><svg onload=alert(2)>"
SHORT_PAYLOAD = "<script>x</script>"  # for answers limited to a few characters
RAW_MARKUP = re.compile(r"<script>alert|<script>x</script>|<img src=x|<svg onload", re.IGNORECASE)
ESCAPED = "&lt;script&gt;"
# Types whose answer (or a part of it) is free text a citizen types: the payload goes there.
FREE_TEXT_PARTS = {
    "short_text": None,
    "long_text": None,
    "name": ("first_name", "last_name"),
    "address": ("line1", "line2", "town"),
    "location": ("description",),
}


def definition_of(slug: str):
    return form_page(slug).current_version().definition()


def questions_of(slug: str):
    return [question for step in definition_of(slug).steps for question in step.questions]


def forms_covering_every_question_type() -> list[str]:
    """Demo forms which between them ask every question type (greedy, in a stable order)."""
    chosen, missing = [], set(QUESTION_TYPES)
    types_of = {slug: {question.type for question in questions_of(slug)} for slug in sorted(DEMO_ANSWERS)}
    while missing:
        slug = max(types_of, key=lambda name: (len(types_of[name] & missing), name))
        assert types_of[slug] & missing, f"no demo form asks {missing}"
        chosen.append(slug)
        missing -= types_of[slug]
    return chosen


def poisoned(value: Any) -> Any:
    """Every string of a stored answer with the payload added (whatever the question type)."""
    if isinstance(value, str):
        return value + PAYLOAD
    if isinstance(value, dict):
        return {key: poisoned(item) for key, item in value.items()}
    if isinstance(value, list):
        return [poisoned(item) for item in value]
    return value


def poisoned_free_text(slug: str) -> dict[str, Any]:
    """The demo answers with the payload in every free-text answer (what a citizen can type in a journey)."""
    answers = copy.deepcopy(answers_for(slug))
    for question in questions_of(slug):
        if question.type not in FREE_TEXT_PARTS or question.id not in answers:
            continue
        parts = FREE_TEXT_PARTS[question.type]
        if parts is None:
            limit = int(question.rules.get("max_length") or 1000)
            answers[question.id] = PAYLOAD if len(PAYLOAD) <= limit else SHORT_PAYLOAD
        else:
            answers[question.id] = {**answers[question.id], **{part: f"Part {PAYLOAD}" for part in parts}}
    return answers


def assert_escaped(html: str, where: str) -> None:
    assert not RAW_MARKUP.search(html), f"{where}: the payload is rendered as markup"
    assert ESCAPED in html, f"{where}: the payload is not shown at all (the test proves nothing)"


@pytest.fixture(scope="module")
def covering_forms(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return forms_covering_every_question_type()


def test_xss_in_every_question_type_is_escaped_on_the_staff_request_page(client, media_root, superuser, covering_forms):
    login(client, superuser)
    for slug in covering_forms:
        answers = poisoned(stored_answers(answers_for(slug)))
        request = make_request(slug, answers=answers, email=f"x{PAYLOAD}@example.com")

        html = client.get(reverse("backoffice_requests:detail", args=[request.pk])).content.decode()

        assert_escaped(html, f"staff page of {slug}")


def test_xss_in_answers_reaches_emails_only_as_plain_text(media_root, covering_forms):
    for slug in covering_forms:
        make_request(slug, answers=poisoned(stored_answers(answers_for(slug))))
    drain(batch=100)

    to_citizen = [message for message in mail.outbox if message.to == [CITIZEN_EMAIL]]
    assert len(to_citizen) == len(covering_forms)
    for message in to_citizen:
        assert PAYLOAD in message.body, "the answers are in the email, as text"
        assert message.content_subtype == "plain", "a mail client shows the body as text, never as HTML"
        for content, mimetype in getattr(message, "alternatives", []):
            assert mimetype != "text/html" or not RAW_MARKUP.search(content), "an HTML part renders the payload"


def test_xss_typed_into_a_journey_is_escaped_on_check_answers_and_the_confirmation(client, media_root, covering_forms):
    for slug in covering_forms:
        answers = poisoned_free_text(slug)
        citizen = Journey(client, form_page(slug)).start().complete(answers)

        assert_escaped(citizen.show(CHECK).content.decode(), f"check answers of {slug}")
        _request, confirmation = citizen.send(answers)
        assert_escaped(confirmation.content.decode(), f"confirmation of {slug}")


# --- CSRF ------------------------------------------------------------------------------------

# The only views Django's middleware lets through without a CSRF token: the APIs, which
# authenticate each call with a key in a header (or the body) and never with the browser's
# cookies, and Django REST framework's views (the admin's own API), whose session
# authentication checks the token itself (tried below with a signed-in browser). Browsers post
# Content-Security-Policy violation reports without a token: that view only logs, rate-limited.
CSRF_EXEMPT_PREFIXES = ("api/", "^api/", "open311/", "^open311/", "csp-report/")


def checks_csrf_itself(view) -> bool:
    """A REST framework view authenticating sessions, which enforces CSRF for them on unsafe methods."""
    cls = getattr(view, "cls", None)
    if not (cls and issubclass(cls, APIView)):
        return False
    return any(issubclass(authentication, SessionAuthentication) for authentication in cls.authentication_classes)


def every_url_pattern(resolver: URLResolver | None = None, prefix: str = ""):
    """(route, view) of every URL pattern of the portal, Wagtail admin included."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from every_url_pattern(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def test_every_view_outside_the_apis_refuses_a_post_without_a_csrf_token():
    middleware = CsrfViewMiddleware(lambda request: None)
    checked, exempt = 0, []
    for route, view in every_url_pattern():
        post = RequestFactory().post("/", {"x": "1"})
        post._dont_enforce_csrf_checks = False
        refused = middleware.process_view(post, view, (), {})
        if refused is None:
            if not checks_csrf_itself(view):
                exempt.append(route)
        else:
            assert refused.status_code == 403
            checked += 1

    assert checked > 100
    assert exempt and all(route.startswith(CSRF_EXEMPT_PREFIXES) for route in exempt), exempt


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_citizen_posts_without_a_token_are_refused(csrf_client, media_root):
    citizen = Journey(csrf_client, form_page(FLY_TIPPING)).start()
    step_url = citizen.url
    save_url = f"{citizen.base}save/"
    before = ServiceRequest.objects.count()

    for url, data in [
        (step_url, {"anything": "1"}),
        (save_url, {"email": CITIZEN_EMAIL}),
        (f"{citizen.base}{CHECK}/", {f"{CHECK}-confirm": "on"}),
        (reverse("backoffice:track"), {"reference": "ACDE-FGHJ-KM", "email": CITIZEN_EMAIL}),
    ]:
        assert csrf_client.post(url, data).status_code == 403, url

    assert ServiceRequest.objects.count() == before and mail.outbox == []


def test_staff_posts_without_a_token_are_refused_even_when_signed_in(csrf_client, media_root, superuser):
    request = make_request(FLY_TIPPING)
    login(csrf_client, superuser)
    status = request.status
    for method, url, data in every_request_url(request):
        if method == "post":
            assert csrf_client.post(url, data).status_code == 403, url
    for url, data in [
        (reverse("backoffice_queues:edit", args=[request.queue_id]), {"name": "Hijacked"}),
        (reverse("wagtailadmin_login"), {"username": "admin", "password": "x"}),
        (f"/admin/api/main/pages/{request.service_id}/action/unpublish/", {}),
        (reverse("wagtailadmin_logout"), {}),
    ]:
        assert csrf_client.post(url, data).status_code == 403, url
    request.refresh_from_db()
    assert request.status == status and request.queue.name != "Hijacked"
    assert request.service.live


def test_the_api_never_accepts_a_signed_in_browser_instead_of_a_key(client, media_root, superuser):
    """The CSRF-exempt API must not act on cookies: a staff session alone is refused."""
    request = make_request(FLY_TIPPING)
    login(client, superuser)
    response = client.post(
        f"/api/v1/queue/requests/{request.reference}/acknowledge", "{}", content_type="application/json"
    )
    assert response.status_code == 401
    request.refresh_from_db()
    assert request.acknowledged_at is None


# --- forged tokens ----------------------------------------------------------------------------


def forgeries(genuine: str, payload: dict, salt: str) -> list[str]:
    """Tokens an attacker can make: tampered, re-signed with a guessed key, another salt, garbage."""
    value, _, signature = genuine.rpartition(":")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    return [
        f"{value}:{flipped}",
        signing.dumps(payload, key="guessed-secret-key", salt=salt),
        signing.dumps(payload, salt="another.salt"),
        "not-a-token",
        "",
    ]


def test_forged_resume_links_open_no_saved_journey(client, journey_page_with_saved):
    page, saved = journey_page_with_saved
    genuine = resume_token(saved)
    assert client.get(f"{page.url}resume/{genuine}/").status_code == 302

    signed = base64.urlsafe_b64decode(genuine + "=" * (-len(genuine) % 4)).decode()
    for forged in forgeries(signed, {"saved": saved.pk, "page": page.pk}, RESUME_SALT):
        token = base64.urlsafe_b64encode(forged.encode()).decode().rstrip("=") or "x"
        response = Client().get(f"{page.url}resume/{token}/")
        assert response.status_code == 404, forged


@pytest.fixture
def journey_page_with_saved(client, media_root):
    citizen = Journey(client, form_page(FLY_TIPPING)).start().complete(answers_for(FLY_TIPPING), until="witness")
    assert client.post(f"{citizen.base}save/", {"email": CITIZEN_EMAIL}).status_code == 200
    return citizen.page, SavedJourney.objects.with_email(CITIZEN_EMAIL).get()


def test_tracking_needs_the_reference_and_its_own_email(client, media_root, clear_cache):
    request = make_request(FLY_TIPPING)
    other = make_request(POTHOLE, email="someone.else@example.com")

    def look_up(reference: str, email: str) -> str:
        response = client.post(reverse("backoffice:track"), {"reference": reference, "email": email})
        return " ".join(soup(response).get_text(" ").split())

    assert f"Your request {request.display_reference}" in look_up(request.display_reference, CITIZEN_EMAIL)
    for reference, email in [
        (request.display_reference, "someone.else@example.com"),  # another request's email
        (other.display_reference, CITIZEN_EMAIL),
        (request.display_reference, ""),
        (request.display_reference[:-1] + ("Y" if request.display_reference.endswith("X") else "X"), CITIZEN_EMAIL),
    ]:
        assert "Your request" not in look_up(reference, email), (reference, email)


# --- IDOR across queues ----------------------------------------------------------------------


def test_staff_of_another_queue_reach_no_request_file_or_action(client, media_root, highways_officer):
    waste_request = make_request(FLY_TIPPING)
    assert waste_request.queue == department_queue(WASTE)
    login(client, highways_officer)

    for method, url, data in every_request_url(waste_request):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url)
        assert not response.has_header("Content-Disposition")


def test_queue_staff_cannot_replay_or_list_deliveries(client, media_root, waste_officer):
    waste_request = make_request(FLY_TIPPING)
    delivery = waste_request.deliveries.first()
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.DEAD)
    login(client, waste_officer)

    assert client.get(reverse("backoffice_deliveries:index")).status_code in (302, 403, 404)
    response = client.post(reverse("backoffice_deliveries:replay", args=[delivery.pk]))
    assert response.status_code in (302, 403, 404)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DEAD


def test_a_queue_key_reaches_no_other_queue_s_request_or_file(client, media_root):
    waste_request = make_request(FLY_TIPPING)
    stored = waste_request.files.get()
    highways_key = issue(QueueApiKey, name="Highways system", queue=department_queue(HIGHWAYS))[1]
    headers = {"Authorization": f"Bearer {highways_key}"}
    base = f"/api/v1/queue/requests/{waste_request.reference}"

    assert client.get(base, headers=headers).status_code == 404
    assert client.get(f"{base}/files/{stored.pk}", headers=headers).status_code == 404
    response = client.post(f"{base}/acknowledge", "{}", content_type="application/json", headers=headers)
    assert response.status_code == 404
    waste_request.refresh_from_db()
    assert waste_request.acknowledged_at is None


# --- header injection in email fields -----------------------------------------------------------

INJECTED = [
    "sam@example.com\r\nBcc: everyone@example.org",
    "sam@example.com\nSubject: free money",
    "sam@example.com%0d%0aBcc:everyone@example.org",
]


def no_injected_header_sent() -> None:
    for message in mail.outbox:
        flat = message.message().as_string()
        assert "everyone@example.org" not in flat and "free money" not in flat


@pytest.mark.parametrize("address", INJECTED)
def test_save_for_later_and_tracking_refuse_an_address_carrying_headers(client, media_root, clear_cache, address):
    citizen = Journey(client, form_page(FLY_TIPPING)).start().complete(answers_for(FLY_TIPPING), until="witness")

    saved = client.post(f"{citizen.base}save/", {"email": address})
    tracked = client.post(reverse("backoffice:track"), {"reference": "ACDE-FGHJ-KM", "email": address})

    assert saved.status_code == 200 and "Enter an email address in the correct format" in saved.content.decode()
    assert tracked.status_code == 200 and error_summary(tracked)
    assert mail.outbox == []


@pytest.mark.parametrize("address", INJECTED)
def test_an_email_answer_carrying_headers_is_refused_on_the_web_and_in_the_api(client, media_root, address):
    slug = "report-missed-bin"
    email_step = next(step.id for step in definition_of(slug).steps if any(q.id == "email" for q in step.questions))
    citizen = Journey(client, form_page(slug)).start().complete(answers_for(slug), until=email_step)
    response = citizen.answer(answers_for(slug, email=address))
    assert response.status_code == 200, "the step is shown again"
    assert [message for message in error_summary(response).values() if "email address" in message.lower()]

    before = ServiceRequest.objects.count()
    problem(post_json(client, slug, json_body(answers_for(slug, email=address))), 422, "invalid-answers")
    assert ServiceRequest.objects.count() == before


def test_a_stored_address_carrying_headers_never_becomes_a_header(media_root):
    """Defence in depth: a request stored with such an address (not through a form) sends nothing extra."""
    request = make_request(FLY_TIPPING, email=INJECTED[0])
    drain(batch=50)

    no_injected_header_sent()
    citizen_email = request.deliveries.get(kind=DeliveryKind.CITIZEN_EMAIL)
    assert citizen_email.state == DeliveryState.DEAD
    assert "not a valid" in citizen_email.last_error
