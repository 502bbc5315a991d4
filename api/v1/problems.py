"""RFC 9457 problem documents: every error of the portal API, in one shape.

`{"type", "title", "status", "detail", "instance"}` plus extensions: `errors` lists each bad
field with its JSON `pointer`, `question_id` and `message`. `type` is a URI under
`/api/v1/problems/` that names the kind of problem (documented in the OpenAPI document).
"""

from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Schema

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "/api/v1/problems/"


class FieldProblem(Schema):
    """One bad field: where it is in the request body, which question it answers, what to do."""

    pointer: str
    question_id: str = ""
    message: str
    code: str = ""
    part: str = ""


class Problem(Schema):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str = ""
    instance: str = ""
    errors: list[FieldProblem] = []


def problem_response(
    request: HttpRequest, status: int, kind: str, title: str, detail: str = "", **extensions: Any
) -> JsonResponse:
    """A problem document response of `status`, of kind `kind` (e.g. "invalid-answers")."""
    body = {
        "type": f"{PROBLEM_BASE}{kind}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
        **extensions,
    }
    return JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)
