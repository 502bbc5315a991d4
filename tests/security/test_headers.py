"""Browser protections in the HTTP answers: Content-Security-Policy, Permissions-Policy, CSP reports.

Every inline script a page carries must be allowed by that page's own policy (by its hash or
by the response's nonce): otherwise the browser would refuse to run it. The browser tier
(tests/browser/test_content_security_policy.py) checks that no violation happens in Chromium.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re

import pytest
from django.test import Client

from forms_catalogue.models import EFormPage
from home.models import ServicePage
from portal.page_cache import HIT_HEADER
from tests.forms_catalogue.journey_helpers import Journey

pytestmark = [pytest.mark.django_db, pytest.mark.engine_neutral]  # see tests/conftest.py

MISSED_BIN = "report-missed-bin"
SCRIPT = re.compile(r"<script(?P<attributes>[^>]*)>(?P<body>.*?)</script>", re.DOTALL)
NONCE_ATTRIBUTE = re.compile(r'\snonce="([^"]+)"')
DATA_TYPES = ("application/json", "application/ld+json", "text/template")


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def inline_scripts(html: str) -> list[tuple[str, str]]:
    """(attributes, body) of each inline script the browser would run (not src=, not JSON data)."""
    return [
        (match["attributes"], match["body"])
        for match in SCRIPT.finditer(html)
        if "src=" not in match["attributes"] and not any(kind in match["attributes"] for kind in DATA_TYPES)
    ]


def sha256_source(body: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"


def assert_scripts_allowed(response) -> int:
    """Every inline script of the page runs under its policy; returns how many there are."""
    script_src = policy(response)["script-src"]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    scripts = inline_scripts(response.content.decode())
    for attributes, body in scripts:
        nonce = NONCE_ATTRIBUTE.search(attributes)
        allowed = sha256_source(body) in script_src or (nonce and f"'nonce-{nonce.group(1)}'" in script_src)
        assert allowed, f"an inline script the policy blocks: <script{attributes}>{body[:120]}"
    return len(scripts)


def public_urls() -> dict[str, str]:
    service = ServicePage.objects.get(slug=MISSED_BIN)
    form = EFormPage.objects.child_of(service).live().get()
    return {
        "home": "/",
        "service": service.url,
        "e-form start": form.url,
        "a to z": "/services/a-z/",
        "search": "/search/?q=bins",
        "track": "/track/",
        "online services": "/online-services/",
        "not found": "/no-such-page/",
        "admin sign-in": "/admin/login/",
    }


@pytest.mark.parametrize(
    "name", ["home", "service", "e-form start", "a to z", "search", "track", "online services", "not found"]
)
def test_public_pages_have_a_strict_policy(client, name):
    response = client.get(public_urls()[name])
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["report-uri"] == ["/csp-report/"]
    assert assert_scripts_allowed(response) >= 1  # GOV.UK Frontend's snippet, by its hash


def test_an_e_form_step_and_its_errors_have_the_policy(client):
    journey = Journey(client, EFormPage.objects.child_of(ServicePage.objects.get(slug=MISSED_BIN)).live().get())
    assert assert_scripts_allowed(journey.start().show()) >= 1
    errors = journey.answer({})
    assert errors.status_code == 200 and "govuk-error-summary" in errors.content.decode()
    assert assert_scripts_allowed(errors) >= 1


def test_the_govuk_frontend_snippet_is_allowed_by_hash_so_cached_pages_stay_cached(client):
    first = client.get("/")
    assert "nonce-" not in first["Content-Security-Policy"]
    assert "govuk-frontend-supported" in first.content.decode()
    again = client.get("/")
    assert again[HIT_HEADER] == "hit"
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert again["Permissions-Policy"] == first["Permissions-Policy"]


def test_the_api_docs_load_swagger_ui_from_this_site(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert "cdn.jsdelivr.net" not in response.content.decode()
    assert "/static/ninja/swagger-ui-bundle" in response.content.decode()
    assert_scripts_allowed(response)


@pytest.mark.parametrize("name", ["home", "track", "not found", "admin sign-in"])
def test_every_page_has_a_permissions_policy(client, name):
    permissions = client.get(public_urls()[name])["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in permissions


def test_the_admin_allows_inline_styles_and_its_own_frames_but_no_inline_scripts(admin_client):
    response = admin_client.get("/admin/")
    directives = policy(response)
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["frame-ancestors"] == ["'self'"]
    assert_scripts_allowed(response)


def admin_screens() -> dict[str, str]:
    service = ServicePage.objects.get(slug=MISSED_BIN)
    form = EFormPage.objects.child_of(service).live().get()
    return {
        "dashboard": "/admin/",
        "page editor": f"/admin/pages/{service.pk}/edit/",
        "form builder": f"/admin/pages/{form.pk}/edit/",
        "requests": "/admin/requests/",
        "coverage": "/admin/coverage/",
    }


@pytest.mark.parametrize("name", ["dashboard", "page editor", "form builder", "requests", "coverage"])
def test_admin_screens_inline_scripts_carry_the_nonce(admin_client, name):
    response = admin_client.get(admin_screens()[name])
    assert response.status_code == 200
    assert_scripts_allowed(response)


def test_wagtails_date_picker_script_gets_the_nonce(admin_client):
    """The page editor's "go live" date-time field has an inline script (portal/templates/wagtailadmin/)."""
    service = ServicePage.objects.get(slug=MISSED_BIN)
    response = admin_client.get(f"/admin/pages/{service.pk}/edit/")
    html = response.content.decode()
    date_pickers = [a for a, body in inline_scripts(html) if "initDateTimeChooser" in body]
    assert date_pickers, "the editor has no date-time picker to check"
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert all(f'nonce="{nonce}"' in attributes for attributes in date_pickers)


def test_each_response_gets_its_own_nonce(admin_client):
    service = ServicePage.objects.get(slug=MISSED_BIN)
    url = f"/admin/pages/{service.pk}/edit/"
    first, second = (re.search(r"'nonce-([^']+)'", admin_client.get(url)["Content-Security-Policy"]) for _ in "12")
    assert first and second and first.group(1) != second.group(1)


# --- Violation reports ----------------------------------------------------------------------------


def report(**fields) -> str:
    return json.dumps({"csp-report": fields})


def test_a_violation_report_is_logged_without_query_strings(caplog, clear_cache):
    client = Client()
    with caplog.at_level(logging.WARNING, logger="portal.csp"):
        response = client.post(
            "/csp-report/",
            report(
                **{
                    "document-uri": "https://portal.example.gov.uk/search/?q=my+benefits",
                    "violated-directive": "script-src-elem",
                    "blocked-uri": "https://evil.example/x.js?session=1",
                }
            ),
            content_type="application/csp-report",
        )
    assert response.status_code == 204
    (record,) = [r for r in caplog.records if r.name == "portal.csp"]
    assert record.document_uri == "https://portal.example.gov.uk/search/"
    assert record.blocked_uri == "https://evil.example/x.js"
    assert record.violated_directive == "script-src-elem"


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '{"csp-report": "text"}', ""])
def test_a_malformed_report_is_ignored(body, caplog):
    with caplog.at_level(logging.WARNING, logger="portal.csp"):
        response = Client().post("/csp-report/", body, content_type="application/csp-report")
    assert response.status_code == 204
    assert not [r for r in caplog.records if r.name == "portal.csp"]


def test_reports_are_capped_in_size_and_only_posted():
    client = Client()
    big = report(**{"document-uri": "https://portal.example.gov.uk/" + "a" * 20_000})
    assert client.post("/csp-report/", big, content_type="application/csp-report").status_code == 413
    assert client.get("/csp-report/").status_code == 405


def test_reports_from_one_address_are_rate_limited(caplog, clear_cache):
    client = Client()
    with caplog.at_level(logging.WARNING, logger="portal.csp"):
        for _ in range(70):
            client.post("/csp-report/", report(**{"violated-directive": "img-src"}), content_type="application/json")
    assert len([r for r in caplog.records if r.name == "portal.csp"]) == 60


def test_a_chooser_widget_script_gets_the_nonce_and_a_title_cannot_end_it():
    """Wagtail's choosers write an inline script with the chosen item's title (portal.csp.render_chooser_with_nonce)."""
    from wagtail.admin.widgets import AdminPageChooser

    from portal.csp import current_nonce

    page = ServicePage.objects.get(slug=MISSED_BIN)
    page.title = "</script><script>alert(1)</script><!--"
    page.save(update_fields=["title"])
    token = current_nonce.set("n0nce")
    try:
        html = AdminPageChooser().render("page", page.pk, {"id": "id_page"})
    finally:
        current_nonce.reset(token)
    assert html.count('<script nonce="n0nce">') == 1
    # Inside a script only "</script" ends it (and "<!--" changes how it is read): neither is left but the end.
    script = html.split('<script nonce="n0nce">', 1)[1]
    assert script.count("</script") == 1 and script.endswith("</script>") and "<!--" not in script


def test_a_page_preview_may_be_framed_by_the_admin_only(admin_client):
    """Wagtail renders a preview with a request for the page's own URL: it gets the admin's frame-ancestors."""
    service = ServicePage.objects.get(slug=MISSED_BIN)
    response = admin_client.get(f"/admin/pages/{service.pk}/edit/preview/")
    assert response.status_code == 200 and "<h1" in response.content.decode()
    assert policy(response)["frame-ancestors"] == ["'self'"]
    assert policy(Client().get(service.url))["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_a_redirect_carries_no_policy_and_the_page_it_leads_to_does(client):
    """A redirect renders no document (every e-form step POST ends in one): the policy goes on the page shown."""
    moved = client.get("/admin/")  # signed out: a redirect to the sign-in page
    assert moved.status_code == 302 and "Content-Security-Policy" not in moved
    assert "Content-Security-Policy" in client.get(moved["Location"])
