"""StreamField blocks editors use to build e-forms: steps, questions, conditions, repeats.

Each question block turns its value into a `definition.Question` with `to_question`, so the
rest of the portal never reads StreamField data directly.
"""

from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .definition import EXIT, Condition, ConditionRule, Option, Question, Repeat, Step

OPERATOR_CHOICES = [
    ("equals", _("is")),
    ("not_equals", _("is not")),
    ("any_of", _("is any of (separate with commas)")),
    ("is_answered", _("is answered")),
    ("greater_than", _("is more than")),
    ("less_than", _("is less than")),
]
FILE_TYPE_CHOICES = [
    ("pdf", "PDF"),
    ("jpeg", _("JPEG image")),
    ("png", _("PNG image")),
    ("docx", _("Word document (.docx)")),
    ("txt", _("Plain text")),
]


def question_id_from(text: str) -> str:
    """A question id made from a label: lower-case words joined by underscores."""
    slug = slugify(text).replace("-", "_")[:40].strip("_")
    return slug if slug[:1].isalpha() else f"q_{slug}".strip("_")


class ConditionRuleBlock(blocks.StructBlock):
    question_id = blocks.CharBlock(label=_("Question id"), max_length=50)
    operator = blocks.ChoiceBlock(choices=OPERATOR_CHOICES, default="equals")
    value = blocks.CharBlock(required=False, max_length=200, help_text=_("Option value, text or number"))


class ConditionBlock(blocks.StructBlock):
    """Show only when earlier answers match all (or any) of the rules; no rules means always."""

    match = blocks.ChoiceBlock(choices=[("all", _("all rules")), ("any", _("any rule"))], default="all")
    rules = blocks.ListBlock(ConditionRuleBlock(), default=[], min_num=0)

    class Meta:
        form_classname = "eform-condition"
        label = _("Show only when")
        collapsed = True

    @staticmethod
    def to_condition(value) -> Condition:
        if not value:
            return Condition()
        rules = tuple(
            ConditionRule(question_id=rule["question_id"].strip(), operator=rule["operator"], value=rule["value"] or "")
            for rule in value["rules"]
        )
        return Condition(match=value["match"], rules=rules)


class OptionBlock(blocks.StructBlock):
    label = blocks.CharBlock(max_length=200)
    value = blocks.CharBlock(required=False, max_length=100, help_text=_("Stored value; made from the label if blank"))


class QuestionBlock(blocks.StructBlock):
    """Fields every question has; subclasses add their own settings and `rules`."""

    question_type = ""

    label = blocks.CharBlock(max_length=300)
    question_id = blocks.CharBlock(
        required=False,
        max_length=50,
        help_text=_("Stable id for the answer, fixed once published. Made from the label if blank."),
    )
    hint = blocks.TextBlock(required=False, max_length=1000)
    required = blocks.BooleanBlock(required=False, default=True)
    condition = ConditionBlock(required=False)

    def rules(self, value) -> dict:
        """Type-specific validation settings."""
        return {}

    def options(self, value) -> tuple[Option, ...]:
        return ()

    def to_question(self, value) -> Question:
        return Question(
            id=(value["question_id"] or question_id_from(value["label"])).strip(),
            type=self.question_type,
            label=value["label"],
            hint=value["hint"] or "",
            required=bool(value["required"]),
            options=self.options(value),
            rules={key: rule for key, rule in self.rules(value).items() if rule not in (None, "", [])},
            condition=ConditionBlock.to_condition(value["condition"]),
        )


class ChoiceQuestionBlock(QuestionBlock):
    options_list = blocks.ListBlock(OptionBlock(), label=_("Options"), min_num=1)

    def options(self, value) -> tuple[Option, ...]:
        return tuple(
            Option(value=(option["value"] or slugify(option["label"])).strip(), label=option["label"])
            for option in value["options_list"]
        )


class ShortTextBlock(QuestionBlock):
    question_type = "short_text"
    max_length = blocks.IntegerBlock(default=200, min_value=1, max_value=1000)

    def rules(self, value):
        return {"max_length": value["max_length"]}

    class Meta:
        icon = "pilcrow"
        label = _("Short text")


class LongTextBlock(QuestionBlock):
    question_type = "long_text"
    max_length = blocks.IntegerBlock(default=5000, min_value=1, max_value=20000)

    def rules(self, value):
        return {"max_length": value["max_length"]}

    class Meta:
        icon = "doc-full"
        label = _("Long text")


class EmailBlock(QuestionBlock):
    question_type = "email"

    class Meta:
        icon = "mail"
        label = _("Email address")


class PhoneBlock(QuestionBlock):
    question_type = "phone"

    class Meta:
        icon = "mobile-alt"
        label = _("UK phone number")


class NumberBlock(QuestionBlock):
    question_type = "number"
    min_value = blocks.DecimalBlock(required=False)
    max_value = blocks.DecimalBlock(required=False)
    whole_number = blocks.BooleanBlock(required=False, default=True)
    suffix = blocks.CharBlock(required=False, max_length=20, help_text=_("Unit shown after the box, e.g. kg"))

    def rules(self, value):
        as_text = lambda number: None if number is None else str(number)  # noqa: E731
        return {
            "min_value": as_text(value["min_value"]),
            "max_value": as_text(value["max_value"]),
            "whole_number": bool(value["whole_number"]),
            "suffix": value["suffix"],
        }

    class Meta:
        icon = "order"
        label = _("Number")


class DateBlock(QuestionBlock):
    question_type = "date"
    direction = blocks.ChoiceBlock(
        choices=[("any", _("Any date")), ("past", _("Today or in the past")), ("future", _("Today or in the future"))],
        default="any",
    )
    earliest = blocks.DateBlock(required=False)
    latest = blocks.DateBlock(required=False)

    def rules(self, value):
        return {
            "direction": None if value["direction"] == "any" else value["direction"],
            "earliest": value["earliest"].isoformat() if value["earliest"] else None,
            "latest": value["latest"].isoformat() if value["latest"] else None,
        }

    class Meta:
        icon = "date"
        label = _("Date")


class RadiosBlock(ChoiceQuestionBlock):
    question_type = "radios"

    class Meta:
        icon = "radio-full"
        label = _("Radios (choose one)")


class SelectBlock(ChoiceQuestionBlock):
    question_type = "select"

    class Meta:
        icon = "list-ul"
        label = _("Select (long list, choose one)")


class CheckboxesBlock(ChoiceQuestionBlock):
    question_type = "checkboxes"
    min_selections = blocks.IntegerBlock(required=False, min_value=0)
    max_selections = blocks.IntegerBlock(required=False, min_value=1)

    def rules(self, value):
        return {"min_selections": value["min_selections"], "max_selections": value["max_selections"]}

    class Meta:
        icon = "tick-inverse"
        label = _("Checkboxes (choose any)")


class YesNoBlock(QuestionBlock):
    question_type = "yes_no"

    class Meta:
        icon = "help"
        label = _("Yes or no")


class NameBlock(QuestionBlock):
    question_type = "name"

    class Meta:
        icon = "user"
        label = _("Name")


class AddressBlock(QuestionBlock):
    question_type = "address"

    class Meta:
        icon = "home"
        label = _("UK address")


class LocationBlock(QuestionBlock):
    question_type = "location"

    class Meta:
        icon = "site"
        label = _("Location (address or map point)")


class FileBlock(QuestionBlock):
    question_type = "file"
    max_size_mb = blocks.IntegerBlock(default=10, min_value=1, max_value=50)
    allowed_types = blocks.MultipleChoiceBlock(choices=FILE_TYPE_CHOICES, default=["pdf", "jpeg", "png"])

    def rules(self, value):
        return {"max_size_mb": value["max_size_mb"], "allowed_types": list(value["allowed_types"])}

    class Meta:
        icon = "doc-full-inverse"
        label = _("File upload")


class DeclarationBlock(QuestionBlock):
    question_type = "declaration"
    statement = blocks.TextBlock(max_length=2000, help_text=_("What the citizen confirms"))

    def rules(self, value):
        return {"statement": value["statement"]}

    class Meta:
        icon = "tick"
        label = _("Declaration")


class QuestionStreamBlock(blocks.StreamBlock):
    """The question types an editor may add to a step."""

    short_text = ShortTextBlock()
    long_text = LongTextBlock()
    email = EmailBlock()
    phone = PhoneBlock()
    number = NumberBlock()
    date = DateBlock()
    radios = RadiosBlock()
    checkboxes = CheckboxesBlock()
    select = SelectBlock()
    yes_no = YesNoBlock()
    name = NameBlock()
    address = AddressBlock()
    location = LocationBlock()
    file = FileBlock()
    declaration = DeclarationBlock()


class RepeatBlock(blocks.StructBlock):
    """ "Add another": let the citizen answer this step's questions several times."""

    enabled = blocks.BooleanBlock(required=False, default=False, label=_("Let people add another"))
    item_label = blocks.CharBlock(required=False, max_length=60, help_text=_("What one item is, e.g. 'person'"))
    item_label_plural = blocks.CharBlock(
        required=False,
        max_length=60,
        label=_("Item label (plural)"),
        help_text=_("What several items are, e.g. 'people'. Made from the item label if blank ('documents')."),
    )
    min_items = blocks.IntegerBlock(default=1, min_value=0, max_value=50)
    max_items = blocks.IntegerBlock(default=10, min_value=1, max_value=50)

    class Meta:
        collapsed = True
        label = _("Repeat")


class StepBlock(blocks.StructBlock):
    """One page of the journey."""

    title = blocks.CharBlock(max_length=200, help_text=_("The page heading, e.g. 'Where is the problem?'"))
    step_id = blocks.CharBlock(
        required=False, max_length=50, help_text=_("Used in the web address; made from the title if blank")
    )
    intro = blocks.TextBlock(required=False, max_length=2000)
    questions = QuestionStreamBlock()
    condition = ConditionBlock(required=False)
    repeat = RepeatBlock(required=False)

    class Meta:
        icon = "form"
        label = _("Step")

    def to_step(self, value) -> Step:
        questions = tuple(child.block.to_question(child.value) for child in value["questions"])
        repeat = value["repeat"]
        return Step(
            id=(value["step_id"] or question_id_from(value["title"])).strip(),
            title=value["title"],
            intro=value["intro"] or "",
            questions=questions,
            condition=ConditionBlock.to_condition(value["condition"]),
            repeat=Repeat(
                min_items=repeat["min_items"],
                max_items=repeat["max_items"],
                item_label=repeat["item_label"] or "item",
                item_label_plural=repeat["item_label_plural"] or "",
            )
            if repeat and repeat["enabled"]
            else None,
        )


class ExitConditionBlock(ConditionBlock):
    """When the journey ends on an exit page: at least one rule on an earlier answer."""

    class Meta:
        label = _("Show when")
        collapsed = False


class ExitPageBlock(blocks.StructBlock):
    """A page that ends the journey when earlier answers show the citizen cannot use this form."""

    title = blocks.CharBlock(
        max_length=200, help_text=_("The page heading, e.g. 'You cannot apply for a Blue Badge online'")
    )
    step_id = blocks.CharBlock(
        required=False, max_length=50, help_text=_("Used in the web address; made from the title if blank")
    )
    body = blocks.TextBlock(
        max_length=4000,
        label=_("Body text"),
        help_text=_(
            "Why, and what to do instead (with a phone number or email). Separate paragraphs with a blank line."
        ),
    )
    condition = ExitConditionBlock()

    class Meta:
        icon = "cross"
        label = _("Exit page")

    def to_step(self, value) -> Step:
        return Step(
            id=(value["step_id"] or question_id_from(value["title"])).strip(),
            title=value["title"],
            intro=value["body"] or "",
            questions=(),
            condition=ConditionBlock.to_condition(value["condition"]),
            kind=EXIT,
        )


class StepStreamBlock(blocks.StreamBlock):
    step = StepBlock()
    exit_page = ExitPageBlock()
