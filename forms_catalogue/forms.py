"""Forms of the journey itself (not built from questions): add another, check answers, save and return."""

from django import forms
from django.utils.translation import gettext_lazy as _


class AddAnotherForm(forms.Form):
    """ "Do you need to add another …?" after the items of a repeating step."""

    add_another = forms.TypedChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select yes if you need to add another")},
    )

    item_count = 0
    min_items = 0
    max_items = 1
    item_label = "item"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.item_count >= self.max_items:
            self.fields["add_another"].required = False

    def clean_add_another(self):
        answer = self.cleaned_data.get("add_another") or "no"
        if answer == "no" and self.item_count < self.min_items:
            raise forms.ValidationError(
                _("You must add at least %(count)s") % {"count": f"{self.min_items} {self.item_label}s"}
            )
        if answer == "yes" and self.item_count >= self.max_items:
            raise forms.ValidationError(_("You cannot add more than %(count)s") % {"count": self.max_items})
        return answer

    def answers(self) -> dict:
        return {"add_another": self.cleaned_data["add_another"]}

    def is_lookup(self) -> bool:
        return False

    @classmethod
    def for_items(cls, item_count: int, min_items: int, max_items: int, item_label: str) -> type["AddAnotherForm"]:
        """A subclass that knows how many items there are and the limits."""
        return type(
            "AddAnotherStepForm",
            (cls,),
            {"item_count": item_count, "min_items": min_items, "max_items": max_items, "item_label": item_label},
        )


class CheckAnswersForm(forms.Form):
    """The declaration a citizen accepts on the check-your-answers page before submitting."""

    confirm = forms.BooleanField(
        error_messages={"required": _("Confirm the declaration to send your request")},
    )

    def answers(self) -> dict:
        return {}

    def is_lookup(self) -> bool:
        return False


class SaveForLaterForm(forms.Form):
    """The email address a 'save and come back later' link goes to."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )
