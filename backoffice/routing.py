"""Which queue a new request goes to: the service's routing rules first, then its department's default queue."""

from typing import Any

from forms_catalogue.definition import ConditionRule, rule_holds

from .models import Queue, RoutingRule


def answer_at(answers: dict[str, Any], path: str) -> Any:
    """The answer a rule names: `question` or `question.part` (e.g. `address.postcode`)."""
    question_id, _, part = path.partition(".")
    answer = answers.get(question_id)
    if part:
        return answer.get(part) if isinstance(answer, dict) else None
    return answer


def rule_matches(rule: RoutingRule, answers: dict[str, Any]) -> bool:
    """True when the request's answers satisfy the rule."""
    answer = answer_at(answers, rule.question_id)
    if rule.operator == "starts_with":
        values = answer if isinstance(answer, list) else [answer]
        prefix = rule.value.strip().upper()
        return bool(prefix) and any(str(value or "").strip().upper().startswith(prefix) for value in values)
    return rule_holds(ConditionRule(rule.question_id, rule.operator, rule.value), answer)


def route(service, answers: dict[str, Any]) -> Queue | None:
    """The queue for a request to `service` with these answers (None only if its department has no queue)."""
    for rule in RoutingRule.objects.filter(service=service).select_related("queue"):
        if rule_matches(rule, answers):
            return rule.queue
    return Queue.default_for(service.department) if service.department_id else None
