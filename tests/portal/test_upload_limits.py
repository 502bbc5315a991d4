"""Request bodies are capped before they are read (portal.upload_limits, api.body_limit)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from forms_catalogue import routing
from tests import sample_files
from tests.api.submitting import SUBMIT, problem
from tests.forms_catalogue.conftest import journey  # noqa: F401 (fixture)
from tests.forms_catalogue.demo_answers import answers_for
from tests.forms_catalogue.journey_helpers import Upload
from tests.security.test_upload_attacks import FORM, STEP

pytestmark = pytest.mark.django_db

MEGABYTE = 1024 * 1024
LIMIT_MIDDLEWARE = ("portal.upload_limits.RequestBodyLimitMiddleware", "api.body_limit.ApiBodyLimitMiddleware")


def test_the_413_page_links_back_only_to_this_site(client):
    over = {"CONTENT_LENGTH": str(60 * MEGABYTE)}
    here = client.generic("POST", "/track/", b"", "text/plain", headers={"Referer": "http://testserver/track/"}, **over)
    away = client.generic("POST", "/track/", b"", "text/plain", headers={"Referer": "https://evil.example/"}, **over)

    assert here.status_code == away.status_code == 413
    assert 'href="http://testserver/track/"' in here.content.decode()
    assert "evil.example" not in away.content.decode()
    assert "<title>The file you sent is too large" in here.content.decode()


def test_the_forms_limit_is_asked_only_for_a_body_that_could_be_over_it(journey, media_root, monkeypatch):  # noqa: F811
    def must_not_be_asked(request, **kwargs):
        raise AssertionError("a small body asked for the form's limit")

    citizen = journey(FORM).complete(answers_for(FORM), until=STEP)
    monkeypatch.setattr(routing.serve_journey, "body_limit", must_not_be_asked)

    response = citizen.answer({"supporting_document": None})

    assert response.status_code == 302


def test_without_the_middleware_the_upload_handler_still_stops_a_body_past_the_limit(client, settings, media_root):
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name not in LIMIT_MIDDLEWARE]
    settings.UPLOAD_MAX_BODY_BYTES = 100 * 1024
    big = SimpleUploadedFile("scan.pdf", sample_files.pdf() + b"%" * (300 * 1024), "application/pdf")

    response = client.post(SUBMIT.format(code=FORM), {"answers": "{}", "/supporting_document": big})

    problem(response, 413, "body-too-large")
    assert not (media_root / "requests").exists()


def test_a_journey_step_under_the_forms_limit_is_read_as_usual(journey, media_root):  # noqa: F811
    citizen = journey(FORM).complete(answers_for(FORM), until=STEP)
    nine_mb = sample_files.pdf() + b"%" * (9 * MEGABYTE)

    response = citizen.answer({"supporting_document": Upload("scan.pdf", nine_mb, "application/pdf")})

    assert response.status_code == 302
