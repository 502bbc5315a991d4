"""E-form pages, their frozen published versions, saved journeys (save and come back later) and feedback."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Locale, Page, Revision

from portal.encryption import BlindIndexField, EncryptedEmailField, EncryptedJSONField, matches_blind_index

from .blocks import StepStreamBlock, question_id_from
from .builder import FormBuilder, StepForm
from .definition import FormDefinition, Question
from .translation_structure import structure_differences

DEFAULT_DECLARATION = (
    "I confirm that the information I have given is correct to the best of my knowledge, and I understand "
    "the council will use it to deal with my request."
)


class EFormPageForm(WagtailAdminPageForm):
    """The e-form's admin form: tells the page when it is being published, so a translation is checked then."""

    def clean(self):
        self.instance.publishing = "action-publish" in self.data
        return super().clean()


class EFormPage(RoutablePageMixin, Page):
    """An e-form under a service page: steps of questions a citizen completes one page at a time."""

    served_by_route_map = True  # its start page: portal.page_routes serves it from its map of pages

    intro = models.TextField(_("introduction"), blank=True, help_text=_("Shown before the first question."))
    steps = StreamField(StepStreamBlock(), verbose_name=_("steps"))
    declaration = models.TextField(_("declaration"), default=DEFAULT_DECLARATION)
    confirmation_text = RichTextField(
        _("what happens next"),
        features=["bold", "link", "ul", "ol"],
        blank=True,
        help_text=_("Shown on the confirmation page and in the confirmation email."),
    )
    save_and_return = models.BooleanField(_("allow save and come back later"), default=True)
    resume_days = models.PositiveSmallIntegerField(_("days a saved form is kept"), default=28)
    retention_days = models.PositiveIntegerField(
        _("days requests are kept"), default=730, help_text=_("Requests are deleted this many days after they close.")
    )
    pattern_id = models.CharField(
        _("pattern"), max_length=50, blank=True, help_text=_("The id of the form pattern this form was made from.")
    )

    publishing = False  # set by the admin form when the editor presses "Publish"

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("steps"), FieldPanel("declaration")]
    settings_panels = Page.settings_panels + [
        MultiFieldPanel(
            [
                FieldPanel("confirmation_text"),
                FieldPanel("save_and_return"),
                FieldPanel("resume_days"),
                FieldPanel("retention_days"),
            ],
            heading=_("After submitting"),
        )
    ]
    parent_page_types = ["home.ServicePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1
    base_form_class = EFormPageForm

    class Meta:
        verbose_name = _("e-form")

    def definition(self) -> FormDefinition:
        """This page's form as plain data (from its current, possibly unsaved, content)."""
        return FormDefinition(
            title=self.title,
            declaration=self.declaration,
            steps=tuple(child.block.to_step(child.value) for child in self.steps),
        )

    def fill_blank_ids(self) -> None:
        """Give every step and question without an id one made from its title or label, unique in the form."""
        used: set[str] = set()
        for step in self.steps:
            for child in step.value.get("questions", ()):
                used.add(child.value["question_id"] or "")
        for step in self.steps:
            if not step.value["step_id"]:
                step.value["step_id"] = question_id_from(step.value["title"])
            for child in step.value.get("questions", ()):
                if not child.value["question_id"]:
                    base = question_id_from(child.value["label"])
                    candidate, number = base, 2
                    while candidate in used:
                        candidate, number = f"{base}_{number}", number + 1
                    child.value["question_id"] = candidate
                    used.add(candidate)

    def published_question_ids(self) -> dict[str, str]:
        """Question ids of the last published version, keyed by the StreamField block id."""
        if not self.pk or not self.live_revision_id:
            return {}
        published = self.live_revision.as_object()
        return {
            child.id: child.value["question_id"]
            for step in published.steps
            for child in step.value.get("questions", ())
        }

    def clean(self):
        super().clean()
        self.fill_blank_ids()
        problems = self.definition().problems()
        fixed = self.published_question_ids()
        for step in self.steps:
            for child in step.value.get("questions", ()):
                old_id = fixed.get(child.id)
                if old_id and old_id != child.value["question_id"]:
                    problems.append(
                        gettext(
                            "The question id of '%(label)s' cannot change from '%(old_id)s' after the form "
                            "has been published: answers are stored under it."
                        )
                        % {"label": child.value["label"], "old_id": old_id}
                    )
        if self.live or self.publishing:
            problems += self.translation_problems()
        if problems:
            raise ValidationError({"steps": problems})

    def translation_source(self) -> "EFormPage | None":
        """The form this page translates: its version in the default locale, or None for a page in that locale."""
        default = Locale.get_default()
        if not self.translation_key or self.locale_id in (None, default.pk):
            return None
        return EFormPage.objects.filter(translation_key=self.translation_key, locale=default).first()

    def translation_problems(self) -> list[str]:
        """How this translation's structure differs from its source's live form ([] when it has no source live)."""
        source = self.translation_source()
        version = source.current_version() if source and source.live else None
        if version is None:
            return []
        return structure_differences(version.definition(), self.definition(), source.locale.get_display_name())

    def current_version(self) -> "FormVersion | None":
        """The frozen version citizens start new journeys on."""
        return self.versions.order_by("-created_at", "-pk").first()

    def forget_saved_journeys(self, saved_ids: list[int]) -> None:
        """Delete saved copies of a journey once it has been submitted, with their temporary uploads."""
        from .wizard import journey_file_storage

        for saved in SavedJourney.objects.filter(page=self, pk__in=saved_ids):
            for name in saved.upload_names():
                journey_file_storage.delete(name)
            saved.delete()

    # --- citizen routes (each in forms_catalogue.views; schema.json is in forms_catalogue.urls) --

    @path("")
    def start_page(self, request):
        from . import views

        return views.start_page(request, self)

    @path("start/")
    def start(self, request):
        from . import views

        return views.start_journey(request, self)

    @path("resume/<str:token>/")
    def resume(self, request, token):
        from . import views

        return views.resume_journey(request, self, token)

    @re_path(r"^(?P<journey_id>[A-Za-z0-9_-]{12,40})/(?P<action>confirmation|save)/$")
    def journey_page(self, request, journey_id, action):
        from . import views

        handler = views.confirmation if action == "confirmation" else views.save_for_later
        return handler(request, self, journey_id)

    @re_path(r"^(?P<journey_id>[A-Za-z0-9_-]{12,40})/confirmation/feedback/$")
    def feedback_page(self, request, journey_id):
        from . import views

        return views.feedback(request, self, journey_id)

    @re_path(r"^(?P<journey_id>[A-Za-z0-9_-]{12,40})/(?P<step>[a-z0-9_-]{1,60})/remove/$")
    def remove_item(self, request, journey_id, step):
        from . import views

        return views.remove_item(request, self, journey_id, step)

    @re_path(r"^(?P<journey_id>[A-Za-z0-9_-]{12,40})/(?P<step>[a-z0-9_-]{1,60})/$")
    def step(self, request, journey_id, step):
        from . import views

        return views.journey_step(request, self, journey_id, step)

    preview_modes = [("", _("Journey as a citizen sees it")), ("summary", _("Summary of the definition"))]

    def serve_preview(self, request, mode_name):
        from . import views

        return views.preview(request, self, mode_name)


class FormVersion(models.Model):
    """The frozen JSON definition of one published revision of an e-form."""

    page = models.ForeignKey(EFormPage, on_delete=models.CASCADE, related_name="versions")
    revision = models.OneToOneField(Revision, on_delete=models.SET_NULL, null=True, related_name="+")
    snapshot = models.JSONField(encoder=None)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.page.title} (revision {self.revision_id})"

    def definition(self) -> FormDefinition:
        """The frozen definition, parsed once per instance (a version never changes)."""
        if "_definition" not in self.__dict__:
            self.__dict__["_definition"] = FormDefinition.from_json(self.snapshot)
        return self.__dict__["_definition"]

    def step_form_class(self, questions: tuple[Question, ...]) -> type[StepForm]:
        """The form class asking these questions of this version, built once per instance."""
        classes = self.__dict__.setdefault("_form_classes", {})
        key = tuple(question.id for question in questions)
        if key not in classes:
            classes[key] = FormBuilder(questions).get_form_class()
        return classes[key]


class SavedJourneyQuerySet(models.QuerySet):
    def with_email(self, email: str) -> "SavedJourneyQuerySet":
        """Saved journeys whose link went to `email` (any case), found through its blind index."""
        return self.filter(matches_blind_index("email_index", email))


class SavedJourney(models.Model):
    """A journey saved with "Save and come back later": resumable from an emailed link until it expires."""

    page = models.ForeignKey(EFormPage, on_delete=models.CASCADE, related_name="saved_journeys")
    version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="+")
    email = EncryptedEmailField()
    email_index = BlindIndexField(source="email")
    data = EncryptedJSONField(help_text="The journey's wizard storage: step data, uploads, answers so far.")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    objects = SavedJourneyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Saved {self.page.title} ({self.created_at:%Y-%m-%d})"

    @property
    def has_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def upload_names(self) -> set[str]:
        """The temporary uploads this saved journey holds (its own copies)."""
        return {info["tmp_name"] for files in self.data.get("step_files", {}).values() for info in files.values()}


class FormPattern(models.Model):
    """A form pattern uploaded in the admin: an exchange document (see exchange.py) with a pattern id."""

    pattern_id = models.CharField(_("pattern id"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=255)
    description = models.CharField(_("description"), max_length=500, blank=True)
    document = models.JSONField(_("document"))
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("form pattern")

    def __str__(self) -> str:
        return self.name


class Satisfaction(models.IntegerChoices):
    """The GOV.UK satisfaction scale; each answer counts (value − 1) × 25 towards the satisfaction score."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    NEITHER = 3, _("Neither satisfied or dissatisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


class ServiceFeedback(models.Model):
    """A citizen's answer to "How was this service?", kept apart from their request.

    Only the form, its version, the day, the rating and the comment: no reference, session,
    address or time of day. The key is random, so the order answers came in is not kept either.
    """

    COMMENT_MAX_LENGTH = 1200

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    page = models.ForeignKey(EFormPage, on_delete=models.CASCADE, related_name="feedback_answers")
    version = models.ForeignKey(FormVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    day = models.DateField(_("day"), db_index=True)
    rating = models.PositiveSmallIntegerField(_("satisfaction"), choices=Satisfaction.choices)
    comment = models.TextField(_("how we could improve"), max_length=COMMENT_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("service feedback")
        verbose_name_plural = _("service feedback")

    def __str__(self) -> str:
        return f"{self.page_id} {self.day}: {self.get_rating_display()}"
