"""Which queue a new request goes to: the service's routing rules first, then its department's default queue.

Rules are tried in priority order (lower first); the first that matches wins. A rule names an
answer by question id, or a part of one as `question.part` (e.g. `address.postcode`).
`starts_with` compares case-insensitively; when the answer is a UK postcode it compares whole
postcode units, so `AB` (an area) matches `AB4 7QT` and `AB10 1AA`, `AB4` (a district)
matches `AB4 7QT` but not `AB40 1AA`, and `AB4 7` (a sector) matches `AB4 7QT`.
"""

import re
from typing import Any

from forms_catalogue.definition import ConditionRule, rule_holds
from forms_catalogue.fields import normalise_postcode

from .models import Queue, RoutingRule

POSTCODE_AREA = re.compile(r"^[A-Z]{1,2}$")
POSTCODE_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
LEADING_LETTERS = re.compile(r"[A-Z]*")


def answer_at(answers: dict[str, Any], path: str) -> Any:
    """The answer a rule names: `question` or `question.part` (e.g. `address.postcode`)."""
    question_id, _, part = path.partition(".")
    answer = answers.get(question_id)
    if part:
        return answer.get(part) if isinstance(answer, dict) else None
    return answer


def starts_with(value: Any, prefix: str) -> bool:
    """True when `value` starts with `prefix`, ignoring case and extra spaces; postcodes by whole units."""
    text = " ".join(str(value if value is not None else "").upper().split())
    prefix = " ".join(prefix.upper().split())
    if not prefix or not text:
        return False
    postcode = normalise_postcode(text) if len(text) <= 10 else None
    if postcode:
        outward = postcode.split(" ")[0]
        if POSTCODE_AREA.match(prefix):
            return LEADING_LETTERS.match(outward).group(0) == prefix
        if POSTCODE_DISTRICT.match(prefix):
            return outward == prefix
        return postcode.startswith(prefix)
    return text.startswith(prefix)


def rule_matches(rule: RoutingRule, answers: dict[str, Any]) -> bool:
    """True when the request's answers satisfy the rule."""
    answer = answer_at(answers, rule.question_id)
    if rule.operator == "starts_with":
        values = answer if isinstance(answer, list) else [answer]
        return any(starts_with(value, rule.value) for value in values)
    return rule_holds(ConditionRule(rule.question_id, rule.operator, rule.value), answer)


def route(service, answers: dict[str, Any]) -> Queue | None:
    """The queue for a request to `service` with these answers (None only if its department has no queue)."""
    rules = RoutingRule.objects.filter(service=service).select_related("queue").order_by("priority", "pk")
    for rule in rules:
        if rule_matches(rule, answers):
            return rule.queue
    return Queue.default_for(service.department) if service.department_id else None
