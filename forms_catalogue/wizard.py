"""The citizen's journey through an e-form, on django-formtools' NamedUrlSessionWizardView.

What this subclass adds to formtools:
- the step list is built per request from the frozen form version the journey started on,
  its conditions and the number of items in each repeating step;
- each journey has its own storage prefix (journey id in the URL);
- the session is written back only when the journey's state changes (`JourneyStorage`), so
  showing a step writes nothing;
- a plain GET never resets progress, and no step after the first unanswered one can be
  opened or posted, whatever the URL or the management form says;
- an exit page whose condition holds ends the step list: nothing after it (not even check
  your answers) can be opened, and it has nothing to post;
- a tampered management form re-renders the step with a message instead of failing;
- submitting re-validates every step, stores the request through `backoffice.intake.submit`
  once (idempotent per journey), removes the temporary uploads and redirects to the
  confirmation page;
- a step reached for the first time and a new request are announced, anonymously, through
  `forms_catalogue.progress` (form performance figures; a journey started in the admin has no
  progress state, so staff journeys are never counted as residents').

The same journey runs in the admin for staff submitting on a resident's behalf
(`forms_catalogue.assisted.AssistedWizard`): a subclass changes only where it lives (URLs,
storage prefix, templates), that it offers no save and return, and what it submits with
(`submission`) and where it goes after (`after_submit`).
"""

import os
import secrets
from collections import OrderedDict
from typing import Any

from django.conf import settings
from django.core.files.storage import storages
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from formtools.wizard.forms import ManagementForm
from formtools.wizard.storage.session import SessionStorage
from formtools.wizard.views import NamedUrlSessionWizardView

from backoffice.intake import submit
from portal.file_encryption import EncryptedFileSystemStorage, UndecryptableFile
from portal.ratelimit import over_address_limit, too_many_requests

from . import progress
from .answers import RequestAnswers, contact_email
from .definition import FormDefinition, Step, shown_steps
from .forms import AddAnotherForm, CheckAnswersForm
from .journey import (
    CHECK_STEP,
    LIST_SUFFIX,
    item_step_name,
    list_step_name,
    parse_item_step,
    remember_submission,
    storage_prefix,
)
from .summary import summary_rows
from .translations import journey_language, service_of


class JourneyUploadStorage(EncryptedFileSystemStorage):
    """Temporary uploads of unfinished journeys, encrypted, in `journey-uploads/` under MEDIA_ROOT (read when used)."""

    @cached_property
    def base_location(self):
        return os.path.join(settings.MEDIA_ROOT, "journey-uploads")


class JourneyUploads:
    """The `STORAGES["journey_uploads"]` storage, looked up on each use (object storage shared by web nodes).

    Files are saved under a random name with the file's extension, never the resident's file
    name (which formtools keeps in the session): a listing of the folder or bucket names nobody.
    """

    def save(self, name: str, content, max_length=None) -> str:
        random_name = f"{secrets.token_hex(16)}{os.path.splitext(name or '')[1][:10].lower()}"
        return storages["journey_uploads"].save(random_name, content, max_length=max_length)

    def __getattr__(self, name: str) -> Any:
        return getattr(storages["journey_uploads"], name)


journey_file_storage = JourneyUploads()


class JourneyStorage(SessionStorage):
    """formtools' session storage that marks the session changed only when the journey's state changes.

    formtools marks the session modified on every read, so every step GET would write the whole
    session back; here only writes do, and showing a step (`show_step`) changes nothing stored.
    """

    @staticmethod
    def stored_data(request, prefix: str) -> dict[str, Any] | None:
        """A journey's stored data, or None when the session holds no journey under that prefix (nothing written)."""
        return request.session.get(f"wizard_{prefix}")  # formtools' own key: BaseStorage.prefix

    @property
    def data(self) -> dict[str, Any]:
        return self.request.session[self.prefix]

    @data.setter
    def data(self, value: dict[str, Any]) -> None:
        self.request.session[self.prefix] = value  # marks the session changed

    def changed(self) -> None:
        """Have the session saved at the end of this request (the journey's data changed in place)."""
        self.request.session.modified = True

    def _set_current_step(self, step) -> None:
        if self.data.get(self.step_key) != step:
            super()._set_current_step(step)
            self.changed()

    def show_step(self, step: str) -> None:
        """The step this request shows, without storing it (a GET changes nothing)."""
        self.data[self.step_key] = step

    def _set_extra_data(self, extra_data) -> None:
        super()._set_extra_data(extra_data)
        self.changed()

    def set_step_data(self, step, cleaned_data):
        result = super().set_step_data(step, cleaned_data)
        self.changed()
        return result

    def set_step_files(self, step, files):
        result = super().set_step_files(step, files)
        self.changed()
        return result

    def get_step_files(self, step):
        """The step's uploads; one that can no longer be decrypted is forgotten, so its question asks for it again."""
        try:
            return super().get_step_files(step)
        except UndecryptableFile as error:  # logged by the storage
            stored = self.data[self.step_files_key].get(step, {})
            unreadable = [field for field, info in stored.items() if info["tmp_name"] == error.stored_name]
            if not unreadable:
                raise
            for field in unreadable:
                del stored[field]
            self.changed()
            return self.get_step_files(step)


class EFormWizard(NamedUrlSessionWizardView):
    """One request of one journey; built with `page`, `version` and `journey_id` init kwargs."""

    file_storage = journey_file_storage
    storage_name = "forms_catalogue.wizard.JourneyStorage"
    template_name = "forms_catalogue/step.html"
    exit_template_name = "forms_catalogue/exit_page.html"
    page = None
    version = None
    journey_id = ""

    @classmethod
    def for_journey(cls, page, version, journey_id):
        """A view function for this journey (formtools needs a form list up front; ours is per request)."""
        return cls.as_view(
            form_list=[("placeholder", CheckAnswersForm)],
            url_name="eform-step",
            done_step_name="done",
            page=page,
            version=version,
            journey_id=journey_id,
        )

    # --- storage and URLs -------------------------------------------------------------

    def get_prefix(self, request, *args, **kwargs):
        return storage_prefix(self.page.pk, self.journey_id)

    def journey_url(self) -> str:
        """The journey's own URLs start here: `<journey url><step>/`, `<journey url>save/`, ..."""
        return f"{self.page.url}{self.journey_id}/"

    def get_step_url(self, step):
        return f"{self.journey_url()}{step}/"

    def remove_url(self, step_name: str) -> str:
        return f"{self.journey_url()}{step_name}/remove/"

    def start_url(self) -> str:
        """Where "Back" on the first step goes."""
        return self.page.url

    @property
    def offers_save_and_return(self) -> bool:
        return self.page.save_and_return

    @cached_property
    def definition(self) -> FormDefinition:
        return self.version.definition()

    @property
    def extra(self) -> dict[str, Any]:
        return self.storage.extra_data

    def save_extra(self, **changes) -> None:
        self.storage.extra_data = {**self.storage.extra_data, **changes}

    # --- the step list -----------------------------------------------------------------

    def repeat_count(self, step: Step) -> int:
        return self.extra.get("repeat_counts", {}).get(step.id, max(1, step.repeat.min_items))

    def stored_answers(self) -> dict[str, dict[str, Any]]:
        """JSON answers of each step answered so far, by step name."""
        return self.extra.get("answers", {})

    def get_form_list(self):
        """The steps this journey shows now, given its answers so far (ending at an exit page whose condition holds)."""
        if getattr(self, "_resolved_form_list", None) is not None:
            return self._resolved_form_list.copy()
        stored = self.stored_answers()
        form_list: OrderedDict[str, type] = OrderedDict()
        ended = False
        for shown in shown_steps(self.definition, lambda step: stored.get(step.id, {})):
            step = shown.step
            form_class = self.version.step_form_class(shown.questions)
            if step.is_exit:  # the journey ends here: no later step, no check your answers
                form_list[step.id] = form_class
                ended = True
            elif step.repeat:
                count = self.repeat_count(step)
                for number in range(1, count + 1):
                    form_list[item_step_name(step.id, number)] = form_class
                form_list[list_step_name(step.id)] = AddAnotherForm.for_items(count, step.repeat)
            else:
                form_list[step.id] = form_class
        if not ended:
            form_list[CHECK_STEP] = CheckAnswersForm
        self._resolved_form_list = form_list
        self._cache_signature = None
        return form_list.copy()

    def forget_form_list(self) -> None:
        self._resolved_form_list = None

    def step_definition(self, step_name: str) -> Step | None:
        """The definition step behind a step name: an item or list step gives its repeating step; check gives None."""
        item = parse_item_step(step_name)
        step_id = item[0] if item else step_name.removesuffix(LIST_SUFFIX)
        return next((step for step in self.definition.steps if step.id == step_id), None)

    def is_exit(self, step_name: str) -> bool:
        step = self.step_definition(step_name)
        return bool(step and step.is_exit)

    def first_unanswered_step(self) -> str:
        """The first step not answered, or answered before a changed answer showed it a required question."""
        stored = self.stored_answers()
        for name, form_class in self.get_form_list().items():
            if name == CHECK_STEP or name not in stored:
                return name
            questions = getattr(form_class, "questions", ())
            if any(question.required and question.id not in stored[name] for question in questions):
                return name
        return CHECK_STEP

    def is_reachable(self, step_name: str) -> bool:
        names = list(self.get_form_list())
        if step_name not in names:
            return False
        return names.index(step_name) <= names.index(self.first_unanswered_step())

    # --- forms ---------------------------------------------------------------------------

    def get_form(self, step=None, data=None, files=None):
        step = step or self.steps.current
        if data is not None and files is not None:
            # Keep an earlier upload when the citizen does not choose a new file.
            stored_files = self.storage.get_step_files(step) or {}
            files = {**stored_files, **{key: value for key, value in files.items()}}
        return super().get_form(step=step, data=data, files=files)

    def stored_form(self, step_name: str):
        """The step's form as last sent; an "add another?" cleared by adding an item is asked afresh."""
        if step_name.endswith(LIST_SUFFIX) and step_name not in self.stored_answers():
            return self.get_form(step_name)
        return self.get_form(
            step_name, data=self.storage.get_step_data(step_name), files=self.storage.get_step_files(step_name)
        )

    def process_step_files(self, form):
        """The step's new uploads as checked (re-encoded images, safe names), by their posted field names."""
        return {
            form.add_prefix(name): form.cleaned_data[name]
            for name in form.fields
            if form.add_prefix(name) in self.request.FILES and form.cleaned_data.get(name)
        }

    def store_step(self, step_name: str, form) -> None:
        """Keep a valid step's raw data (formtools), new uploads, and its JSON answers (conditions, check page)."""
        previous_files = self.storage.data[self.storage.step_files_key].get(step_name, {})
        new_files = self.process_step_files(form)
        for field in new_files:
            if field in previous_files:
                self.storage._tmp_files.append(previous_files[field]["tmp_name"])
        self.storage.set_step_data(step_name, self.process_step(form))
        self.storage.set_step_files(step_name, new_files)
        answers = dict(self.stored_answers())
        answers[step_name] = form.answers()
        self.save_extra(answers=answers)
        self.forget_form_list()

    # --- requests ------------------------------------------------------------------------

    def get(self, request, *args, **kwargs):
        step = kwargs.get("step")
        if not self.is_reachable(step):
            return redirect(self.get_step_url(self.first_unanswered_step()))
        if "change" in request.GET:
            self.save_extra(returning_to_check=True)
        self.storage.show_step(step)
        return self.render(self.stored_form(step))

    def post(self, *args, **kwargs):
        step = kwargs.get("step")
        if kwargs.get("remove"):
            return self.remove_item(step)
        if not self.is_reachable(step) or self.is_exit(step):  # an exit page has nothing to send
            return redirect(self.get_step_url(self.first_unanswered_step()))
        self.storage.current_step = step
        management_form = ManagementForm(self.request.POST, prefix=self.prefix)
        if not management_form.is_valid() or management_form.cleaned_data["current_step"] != step:
            problem = _("This page was changed or has expired. Check your answers and try again.")
            return self.render(self.stored_form(step), page_problem=problem)
        if step == CHECK_STEP and over_address_limit(self.request, "submit", settings.SUBMIT_RATE_LIMIT):
            return too_many_requests(self.request, settings.SUBMIT_RATE_LIMIT[1], self.get_step_url(CHECK_STEP))
        form = self.get_form(step, data=self.request.POST, files=self.request.FILES)
        if form.is_lookup():
            return self.render(form, lookup=True)
        saving = "save_and_return" in self.request.POST and self.offers_save_and_return and step != CHECK_STEP
        if not form.is_valid():
            if saving:  # keep what is valid so far; this page's answers are asked again on return
                return redirect(f"{self.journey_url()}save/")
            return self.render(form)
        if step == CHECK_STEP:
            return self.submit(form)
        self.store_step(step, form)
        if saving:
            return redirect(f"{self.journey_url()}save/")
        next_step = self.next_step_after(step, form)
        self.note_reached(next_step)
        return redirect(self.get_step_url(next_step))

    def next_step_after(self, step_name: str, form) -> str:
        """Where a valid POST of a step goes: a new item, back to check answers, or the next step."""
        if step_name.endswith(LIST_SUFFIX):
            step = self.step_definition(step_name)
            answers = dict(self.stored_answers())
            if form.cleaned_data["add_another"] == "yes":
                count = self.repeat_count(step) + 1
                self.save_extra(repeat_counts={**self.extra.get("repeat_counts", {}), step.id: count})
                answers.pop(step_name, None)  # ask "add another?" again after the new item
                self.save_extra(answers=answers)
                self.forget_form_list()
                return item_step_name(step.id, count)
        if self.extra.get("returning_to_check"):
            return self.first_unanswered_step()
        names = list(self.get_form_list())
        return names[names.index(step_name) + 1] if step_name in names else self.first_unanswered_step()

    def note_reached(self, step_name: str) -> None:
        """Announce the step the journey goes to next if it has not been there before (anonymous figures)."""
        step = self.step_definition(step_name)
        state = progress.reach(
            self.extra.get(progress.KEY), self.page.pk, self.version.pk, step.id if step else CHECK_STEP
        )
        if state:
            self.save_extra(**{progress.KEY: state})

    def remove_item(self, step_name: str):
        """Remove one item of a repeating step and renumber the ones after it."""
        item = parse_item_step(step_name)
        step = self.step_definition(step_name)
        if not item or not step or not step.repeat:
            return redirect(self.get_step_url(CHECK_STEP))
        count = self.repeat_count(step)
        number = item[1]
        if count <= max(1, step.repeat.min_items) or not 1 <= number <= count:
            return redirect(self.get_step_url(CHECK_STEP))
        data = self.storage.data
        step_data, step_files = data[self.storage.step_data_key], data[self.storage.step_files_key]
        answers = dict(self.stored_answers())
        for files in [step_files.pop(step_name, {})]:
            self.storage._tmp_files.extend(file["tmp_name"] for file in files.values())
        for later in range(number, count):
            source, target = item_step_name(step.id, later + 1), item_step_name(step.id, later)
            step_data[target] = _renamed_step_data(step_data.pop(source, {}), source, target)
            step_files[target] = _renamed_step_data(step_files.pop(source, {}), source, target)
            answers[target] = answers.pop(source, {})
        answers.pop(item_step_name(step.id, count), None)
        step_data.pop(item_step_name(step.id, count), None)
        self.storage.data = data
        self.save_extra(answers=answers, repeat_counts={**self.extra.get("repeat_counts", {}), step.id: count - 1})
        self.forget_form_list()
        return redirect(self.get_step_url(CHECK_STEP))

    # --- submitting ----------------------------------------------------------------------

    def submit(self, check_form):
        """Re-validate every step, store the request once, clean up, and go to the confirmation (`after_submit`)."""
        collected = RequestAnswers()
        for name in self.get_form_list():
            if name == CHECK_STEP or name.endswith(LIST_SUFFIX):
                continue
            form = self.get_form(name, data=self.storage.get_step_data(name), files=self.storage.get_step_files(name))
            if not form.is_valid():
                return redirect(self.get_step_url(name))
            collected.add(form, parse_item_step(name))
        service_request, created = submit(**self.submission(collected))
        if created:  # a resent submit finds the same request: counted once
            progress.complete(self.extra.get(progress.KEY), self.page.pk, self.version.pk)
        remember_submission(self.request.session, self.journey_id, service_request.pk)
        self.page.forget_saved_journeys(self.extra.get("saved_journey_ids", []))
        self.storage.reset()
        return self.after_submit(service_request)

    def submission(self, collected: RequestAnswers) -> dict[str, Any]:
        """The arguments of `backoffice.intake.submit` for this journey's answers (channel web, its language)."""
        return {
            "service": service_of(self.page),
            "language": journey_language(self.page),
            "answers": collected.answers,
            "form_version": self.version,
            "files": collected.files,
            "contact_email": contact_email(collected.answers),
            "idempotency_key": f"web:{self.page.pk}:{self.journey_id}",
        }

    def after_submit(self, service_request):
        """Where the journey goes once its request is stored: the confirmation page."""
        return redirect(f"{self.journey_url()}confirmation/")

    # --- rendering -----------------------------------------------------------------------

    def get_template_names(self):
        if self.is_exit(self.steps.current):
            return [self.exit_template_name]
        return super().get_template_names()

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        step_name = self.steps.current
        step = self.step_definition(step_name)
        questions = getattr(form, "questions", ())
        context.update(
            page=self.page,
            step=step,
            step_name=step_name,
            heading=self.heading(step_name, step, questions),
            single_question=questions[0] if len(questions) == 1 and step else None,
            questions=questions,
            back_url=self.back_url(step_name),
            can_save=self.offers_save_and_return and step_name != CHECK_STEP and not (step and step.is_exit),
            save_url=f"{self.journey_url()}save/",
        )
        if step_name.endswith(LIST_SUFFIX):
            context["list_items"] = self.repeat_items(step.id)
            context["at_maximum"] = form.at_maximum()
            context["maximum_label"] = step.repeat.label_for(step.repeat.max_items)
        if step_name == CHECK_STEP:
            context["summary"] = self.answer_summary()
            context["declaration"] = self.definition.declaration
        return context

    def heading(self, step_name: str, step: Step | None, questions) -> str:
        """The page heading, also used in the page title."""
        if step_name == CHECK_STEP:
            return _("Check your answers before sending your request")
        if step_name.endswith(LIST_SUFFIX):
            count = self.repeat_count(step)
            message = ngettext("You have added %(count)s %(label)s", "You have added %(count)s %(label)s", count)
            return message % {"count": count, "label": step.repeat.label_for(count)}
        if len(questions) == 1:  # a one-question page: the question is the heading (GOV.UK question pages)
            return questions[0].label
        item = parse_item_step(step_name)
        return f"{step.title} ({step.repeat.item_label} {item[1]})" if item and step.repeat else step.title

    def back_url(self, step_name: str) -> str | None:
        names = list(self.get_form_list())
        if step_name not in names or names.index(step_name) == 0:
            return self.start_url()
        return self.get_step_url(names[names.index(step_name) - 1])

    def repeat_items(self, step_id: str) -> list[dict[str, Any]]:
        step = self.step_definition(step_id)
        stored = self.stored_answers()
        return [
            {
                "number": number,
                "label": step.repeat.item_label.capitalize(),
                "change_url": self.get_step_url(item_step_name(step_id, number)),
                "summary": _item_summary(step, stored.get(item_step_name(step_id, number), {})),
            }
            for number in range(1, self.repeat_count(step) + 1)
        ]

    def answer_summary(self) -> list[dict[str, Any]]:
        """Check-your-answers sections: one per step shown (one per item of a repeating step)."""
        stored = self.stored_answers()
        sections = []
        for name, form_class in self.get_form_list().items():
            if name == CHECK_STEP or name.endswith(LIST_SUFFIX) or self.is_exit(name):
                continue
            step = self.step_definition(name)
            item = parse_item_step(name)
            title = f"{step.repeat.item_label.capitalize()} {item[1]}" if item and step.repeat else step.title
            sections.append(
                {
                    "title": title,
                    "step_name": name,
                    "change_url": self.get_step_url(name) + "?change=1",
                    "remove_url": self.remove_url(name)
                    if item and self.repeat_count(step) > max(1, step.repeat.min_items)
                    else None,
                    "rows": summary_rows(form_class.questions, stored.get(name, {})),
                }
            )
        return sections

    def render(self, form=None, **kwargs):
        response = super().render(form, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


def _renamed_step_data(data: dict[str, Any], source: str, target: str) -> dict[str, Any]:
    """Raw POST data (or uploads) of one item step, with its field prefixes moved to another step name."""
    renamed = {}
    for key, values in data.items():
        renamed[target + key[len(source) :] if key.startswith(source + "-") else key] = values
    return renamed


def _item_summary(step: Step, answers: dict[str, Any]) -> str:
    from .builder import answer_for_display

    first = next(iter(step.questions), None)
    return answer_for_display(first, answers.get(first.id)) if first else ""
