"""Service catalogue: the home page, categories, service pages and departments."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from portal.page_cache import CacheablePageMixin

from .blocks import RICH_TEXT_FEATURES, BodyBlock


@register_snippet
class Department(index.Indexed, models.Model):
    """A council department: it owns services and (later) a back-office queue."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=255, blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("email"),
        FieldPanel("phone"),
        FieldPanel("address"),
        FieldPanel("opening_hours"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")

    def __str__(self) -> str:
        return self.name


class HomePage(CacheablePageMixin, Page):
    """The council's front page: search, categories and the most used services."""

    intro = models.CharField(_("introduction"), max_length=255, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["home.CategoryPage", "home.InformationPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["categories"] = CategoryPage.objects.child_of(self).live().public().order_by("title")
        context["popular_services"] = (
            ServicePage.objects.descendant_of(self).live().public().filter(popular=True).order_by("title")
        )
        return context


class CategoryPage(CacheablePageMixin, Page):
    """A group of related services, such as 'Bins and recycling'."""

    summary = models.CharField(_("summary"), max_length=255, help_text=_("Shown on the home page under the link."))
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("summary"), FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.ServicePage"]

    class Meta:
        verbose_name = _("category page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["services"] = ServicePage.objects.child_of(self).live().public().order_by("title")
        return context


class OnlineStatus(models.TextChoices):
    """How a citizen can do a service, derived from the service page and its e-form."""

    ONLINE_FORM = "online_form", _("Online form")
    ONLINE_ELSEWHERE = "online_elsewhere", _("Online on another site")
    OFFLINE = "offline", _("Not yet online")
    INFORMATION_ONLY = "information_only", _("Information only")


class ServicePage(CacheablePageMixin, Page):
    """One council service: what it is, who can use it, and how to do it."""

    summary = models.CharField(_("summary"), max_length=255, help_text=_("One sentence: what the citizen can do."))
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))
    eligibility = RichTextField(_("who can use this service"), features=RICH_TEXT_FEATURES, blank=True)
    what_you_need = RichTextField(_("what you need"), features=RICH_TEXT_FEATURES, blank=True)
    how_long = models.CharField(_("how long it takes"), max_length=255, blank=True)
    what_happens_next = RichTextField(_("what happens next"), features=RICH_TEXT_FEATURES, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="services"
    )
    keywords = models.TextField(
        _("keywords and synonyms"),
        blank=True,
        help_text=_("Words residents might search for, separated by commas, e.g. 'rubbish, refuse, wheelie bin'."),
    )
    lgsl_code = models.PositiveIntegerField(
        _("LGSL code"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(99999)],
        help_text=_("The service's id in the national Local Government Service List."),
    )
    information_only = models.BooleanField(
        _("information only"),
        default=False,
        help_text=_("Tick when this page only gives information and there is nothing to apply for or report."),
    )
    popular = models.BooleanField(_("show on the home page"), default=False)
    phone = models.CharField(_("phone"), max_length=50, blank=True, help_text=_("Leave blank to use the department's."))
    email = models.EmailField(_("email"), blank=True, help_text=_("Leave blank to use the department's."))
    address = models.CharField(_("address for visits or post"), max_length=255, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=255, blank=True)
    external_url = models.URLField(
        _("online on another site"),
        blank=True,
        help_text=_("For services done on another website, such as payments."),
    )
    external_url_label = models.CharField(_("button text"), max_length=80, blank=True, default="")
    online_status = models.CharField(
        _("online status"),
        max_length=20,
        choices=OnlineStatus.choices,
        default=OnlineStatus.OFFLINE,
        editable=False,
        db_index=True,
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("department"),
        FieldPanel("body"),
        FieldPanel("eligibility"),
        FieldPanel("what_you_need"),
        FieldPanel("how_long"),
        FieldPanel("what_happens_next"),
        MultiFieldPanel(
            [FieldPanel("external_url"), FieldPanel("external_url_label"), FieldPanel("information_only")],
            heading=_("Doing it online"),
        ),
        MultiFieldPanel(
            [FieldPanel("phone"), FieldPanel("email"), FieldPanel("address"), FieldPanel("opening_hours")],
            heading=_("Other ways to do it"),
        ),
    ]
    promote_panels = Page.promote_panels + [FieldPanel("keywords"), FieldPanel("lgsl_code"), FieldPanel("popular")]
    search_fields = Page.search_fields + [
        index.SearchField("keywords"),
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("eligibility"),
        index.FilterField("online_status"),
        index.RelatedFields("department", [index.SearchField("name")]),
    ]
    parent_page_types = ["home.CategoryPage"]
    subpage_types = ["forms_catalogue.EFormPage"]

    class Meta:
        verbose_name = _("service page")

    def live_eform(self):
        """The published e-form under this service, or None."""
        from forms_catalogue.models import EFormPage

        return EFormPage.objects.child_of(self).live().first() if self.pk else None

    def compute_online_status(self) -> str:
        """Derive how the service can be done: live e-form, another site, offline, or information only."""
        if self.live_eform():
            return OnlineStatus.ONLINE_FORM
        if self.external_url:
            return OnlineStatus.ONLINE_ELSEWHERE
        if self.information_only:
            return OnlineStatus.INFORMATION_ONLY
        return OnlineStatus.OFFLINE

    def save(self, *args, **kwargs):
        self.online_status = self.compute_online_status()
        return super().save(*args, **kwargs)

    def refresh_online_status(self) -> None:
        """Recompute the stored online status, e.g. after its e-form is published or unpublished."""
        status = self.compute_online_status()
        if status != self.online_status:
            ServicePage.objects.filter(pk=self.pk).update(online_status=status)
            self.online_status = status

    @property
    def contact_phone(self) -> str:
        return self.phone or self.department.phone

    @property
    def contact_email(self) -> str:
        return self.email or self.department.email

    @property
    def contact_address(self) -> str:
        return self.address or self.department.address

    @property
    def contact_opening_hours(self) -> str:
        return self.opening_hours or self.department.opening_hours

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip() for word in self.keywords.split(",") if word.strip()]


class InformationPage(CacheablePageMixin, Page):
    """A plain page of information, such as accessibility or privacy statements."""

    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("body")]
    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("information page")
