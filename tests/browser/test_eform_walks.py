"""The browser walker plans walks for forms of any shape: branches of every operator, and exit pages."""

from .eforms import FormSpec

RADIOS = {"type": "radios", "options": [{"value": v, "label": v.title()} for v in ("car", "van", "bike")]}


def rule(question_id: str, operator: str, value: str = "") -> dict[str, str]:
    return {"question_id": question_id, "operator": operator, "value": value}


def condition(*rules: dict[str, str], match: str = "all") -> dict:
    return {"match": match, "rules": list(rules)}


SPEC = FormSpec(
    "shapes",
    {
        "title": "Shapes",
        "steps": [
            {
                "id": "about",
                "title": "About",
                "questions": [
                    {"id": "resident", "type": "yes_no", "label": "Do you live here?"},
                    {"id": "vehicle", "label": "Vehicle", **RADIOS},
                    {"id": "age", "type": "number", "label": "Age"},
                ],
            },
            {"id": "not_car", "title": "Not a car", "condition": condition(rule("vehicle", "not_equals", "car"))},
            {"id": "older", "title": "Older", "condition": condition(rule("age", "greater_than", "64.5"))},
            {
                "id": "cannot",
                "kind": "exit",
                "title": "You cannot apply online",
                "questions": [],
                "condition": condition(rule("resident", "equals", "no")),
            },
            {
                "id": "young_driver",
                "kind": "exit",
                "title": "Call us",
                "questions": [],
                "condition": condition(rule("age", "less_than", "17"), rule("vehicle", "any_of", "car, van")),
            },
        ],
    },
)
for step in SPEC.steps:
    step.setdefault("questions", [])


def test_branches_of_every_operator_get_an_answer_that_shows_them():
    choices = SPEC.conditional_choices()
    assert choices == [{"vehicle": "van", "age": "65"}]


def test_the_first_walks_avoid_every_exit_page_and_one_more_walk_reaches_each():
    walks = SPEC.walks()
    assert walks[0] == {"vehicle": "van", "age": "65", "resident": "yes"}
    assert walks[1] == {**walks[0], "resident": "no"}
    assert walks[2] == {**walks[0], "age": "16", "vehicle": "car"}
    assert len(walks) == 3


def test_an_exit_page_is_known_by_its_step_name_or_its_heading():
    assert SPEC.exit_step_shown("cannot", "")["id"] == "cannot"
    assert SPEC.exit_step_shown("elsewhere", "Call us")["id"] == "young_driver"
    assert SPEC.exit_step_shown("about", "About") is None
