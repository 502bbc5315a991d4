"""Schemathesis over every operation of the portal API's OpenAPI document, in-process against the WSGI app.

Positive and negative data from the document itself; the checks prove no server error, and that
every status, content type, header and body the API answers with is the one the document
declares. The fast pass runs with `make test`; the deep pass (many more examples) is `exhaustive`.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.config import SchemathesisConfig

from api.v1 import api as portal_api
from portal.wsgi import application

pytestmark = pytest.mark.engine_neutral  # see tests/conftest.py

FAST_EXAMPLES = 12
DEEP_EXAMPLES = 150
# The request body's JSON Schema cannot say what a form accepts, so schema-valid answers are mostly
# refused (422), and base64 and multipart names can be well formed yet unreadable (400).
SUBMISSION_ACCEPTED = ["2xx", "400", "404", "422", "429"]
# A well-formed reference or email address that the look-up's own checks refuse gives 400.
LOOK_UP_ACCEPTED = ["2xx", "400", "404", "429"]


def fuzz_config(max_examples: int) -> SchemathesisConfig:
    """Every phase and check, with the acceptance rules the API's documented behaviour needs."""
    return SchemathesisConfig.from_dict(
        {
            "generation": {"mode": "all", "max-examples": max_examples, "database": "none"},
            "operations": [
                {
                    "include-operation-id": "submit_request",
                    "checks": {"positive_data_acceptance": {"expected-statuses": SUBMISSION_ACCEPTED}},
                },
                {
                    "include-operation-id": "request_status",
                    "checks": {"positive_data_acceptance": {"expected-statuses": LOOK_UP_ACCEPTED}},
                },
            ],
        }
    )


@pytest.fixture(autouse=True)
def portal_app(db, settings, media_root, clear_cache):
    """The portal's WSGI app on the test's database transaction (as Django's test client runs it)."""
    settings.TRACK_RATE_LIMIT = (100_000, 15 * 60)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def portal_schema(max_examples: int):
    """The API's OpenAPI document as the app serves it, called in-process on the portal's WSGI app."""
    document = json.loads(json.dumps(portal_api.get_openapi_schema()))  # status codes as JSON keys: text
    schema = schemathesis.openapi.from_dict(document, config=fuzz_config(max_examples))
    schema.app = application
    return schema


fast = portal_schema(FAST_EXAMPLES)
deep = portal_schema(DEEP_EXAMPLES)


@fast.parametrize()
@hypothesis_settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_its_document_says(case):
    case.call_and_validate()


@pytest.mark.exhaustive
@deep.parametrize()
@hypothesis_settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_its_document_says_deeply(case):
    case.call_and_validate()
