"""Send submissions to the portal API as a client would: JSON with base64 files, or multipart/form-data."""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.forms_catalogue.test_answers import json_and_files

SUBMIT = "/api/v1/forms/{code}/requests"
STATUS = "/api/v1/requests/status"


def json_body(answers: dict[str, Any]) -> dict[str, Any]:
    """A JSON submission of answers written as DEMO_ANSWERS writes them (Uploads become base64 files)."""
    payload, files = json_and_files(answers)
    return {
        "answers": payload,
        "files": {
            pointer: {"name": upload.name, "content_base64": base64.b64encode(upload.read()).decode()}
            for pointer, upload in files.items()
        },
    }


def multipart_body(answers: dict[str, Any]) -> dict[str, Any]:
    """The same submission as multipart/form-data: an `answers` part and a file part per pointer."""
    payload, files = json_and_files(answers)
    return {"answers": json.dumps(payload), **files}


def post_json(client, code: str, body: Any, **headers: str):
    """POST a JSON body (a str is sent as it is) to a form's requests."""
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(SUBMIT.format(code=code), data, content_type="application/json", headers=headers)


def post_multipart(client, code: str, parts: dict[str, Any], **headers: str):
    """POST a multipart/form-data body to a form's requests."""
    return client.post(SUBMIT.format(code=code), parts, headers=headers)


def look_up(client, reference: str, email: str, **extra: Any):
    """POST a status look-up."""
    return client.post(STATUS, {"reference": reference, "email": email}, content_type="application/json", **extra)


def problem(response, status: int, kind: str) -> dict[str, Any]:
    """The response's problem document, after checking its status, media type and type."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    document = response.json()
    assert document["type"] == f"/api/v1/problems/{kind}", document
    assert document["status"] == status
    assert document["title"]
    return document
