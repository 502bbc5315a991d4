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


def problem_schema_names() -> set[str]:
    """The names of Problem and every schema derived from it (as the OpenAPI document's components name them)."""
    names, classes = set(), [Problem]
    while classes:
        cls = classes.pop()
        names.add(cls.__name__)
        classes.extend(cls.__subclasses__())
    return names


def declare_problem_media_type(document: dict[str, Any]) -> dict[str, Any]:
    """Declare every problem response of an OpenAPI document as application/problem+json, as it is sent."""
    names = problem_schema_names()
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                reference = content.get("application/json", {}).get("schema", {}).get("$ref", "")
                if reference.rsplit("/", 1)[-1] in names:
                    content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
    return document


def declare_rate_limit(document: dict[str, Any]) -> dict[str, Any]:
    """Declare the 429 problem the API rate limit (api.middleware) may give any operation, with Retry-After."""
    too_many = {
        "description": "Too Many Requests",
        "headers": {
            "Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "string"}}
        },
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            if 429 not in responses and "429" not in responses:
                responses[429] = too_many
    return document
