"""Forms of the journey itself (not built from questions): add another, check answers, save and return, feedback."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .definition import Repeat
from .models import Satisfaction, ServiceFeedback


class AddAnotherForm(forms.Form):
    """ "Do you need to add another …?" after the items of a repeating step.

    At the maximum the question is not asked: the page says no more can be added and Continue
    goes on. Only a request that still asks to add one more (a crafted POST) gets an error.
    """

    add_another = forms.TypedChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select yes if you need to add another")},
    )

    item_count = 0
    repeat = Repeat()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.at_maximum():
            self.fields["add_another"].required = False

    def at_maximum(self) -> bool:
        return self.item_count >= self.repeat.max_items

    def clean(self):
        cleaned_data = super().clean()
        if "add_another" in self.errors:
            return cleaned_data
        answer = cleaned_data["add_another"] = cleaned_data.get("add_another") or "no"
        if answer == "no" and self.item_count < self.repeat.min_items:
            self.add_error("add_another", self.limit_message(self.repeat.min_items, minimum=True))
        elif answer == "yes" and self.at_maximum():
            self.add_error(None, self.limit_message(self.repeat.max_items, minimum=False))  # no question to link to
        return cleaned_data

    def limit_message(self, count: int, minimum: bool) -> str:
        return repeat_limit_message(self.repeat, count, minimum)

    def answers(self) -> dict:
        return {"add_another": self.cleaned_data["add_another"]}

    def is_lookup(self) -> bool:
        return False

    @classmethod
    def for_items(cls, item_count: int, repeat: Repeat) -> type["AddAnotherForm"]:
        """A subclass that knows how many items there are and the repeat's limits and labels."""
        return type("AddAnotherStepForm", (cls,), {"item_count": item_count, "repeat": repeat})


def repeat_limit_message(repeat: Repeat, count: int, minimum: bool) -> str:
    """ "You must add at least 2 documents" (minimum) or "You cannot add more than 6 people"."""
    if minimum:
        message = ngettext(
            "You must add at least %(count)s %(label)s", "You must add at least %(count)s %(label)s", count
        )
    else:
        message = ngettext(
            "You cannot add more than %(count)s %(label)s", "You cannot add more than %(count)s %(label)s", count
        )
    return message % {"count": count, "label": repeat.label_for(count)}


# The honeypot's name: nothing a browser's autofill matches (no name, email, address, phone, url ...).
HONEYPOT_FIELD = "leave_this_box_empty"


class HoneypotForm(forms.Form):
    """A box people never see, hear or reach (templates/forms_catalogue/includes/honeypot.html) that bots fill in.

    A filled box refuses the form with a page-level error and nothing is sent; a real person,
    who cannot reach the box, is never affected.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[HONEYPOT_FIELD] = forms.CharField(required=False, max_length=200)

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get(HONEYPOT_FIELD):
            raise forms.ValidationError(
                _("We could not send this form. Try again, or contact us another way."), code="honeypot"
            )
        return cleaned_data


class CheckAnswersForm(HoneypotForm):
    """The declaration a citizen accepts on the check-your-answers page before submitting."""

    confirm = forms.BooleanField(
        error_messages={"required": _("Confirm the declaration to send your request")},
    )

    def answers(self) -> dict:
        return {}

    def is_lookup(self) -> bool:
        return False


class SaveForLaterForm(HoneypotForm):
    """The email address a 'save and come back later' link goes to."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )


class FeedbackForm(forms.Form):
    """ "How was this service?" after submitting: a GOV.UK satisfaction rating and an optional comment."""

    rating = forms.TypedChoiceField(
        label=_("Overall, how did you feel about this service?"),
        choices=Satisfaction.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select how you feel about this service"),
            "invalid_choice": _("Select how you feel about this service"),
        },
    )
    comment = forms.CharField(
        label=_("How could we improve this service?"),
        help_text=_("Do not include personal or financial information, like your name, address or bank details."),
        required=False,
        max_length=ServiceFeedback.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "max_length": _("How could we improve this service must be %(limit_value)s characters or fewer"),
            "null_characters_not_allowed": _("How could we improve this service must not contain null characters"),
        },
    )
