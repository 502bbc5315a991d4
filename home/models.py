"""Service catalogue: the home page, categories, service pages and departments."""

import re

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Locale, Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from portal.page_cache import CacheablePageMixin

from .blocks import RICH_TEXT_FEATURES, BodyBlock
from .service_levels import Target, TargetUnit


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

    served_by_route_map = True  # a plain page: portal.page_routes may serve it from its map of pages

    intro = models.CharField(_("introduction"), max_length=255, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["home.CategoryPage", "home.InformationPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        not_private = ~Page.objects.all().private_q()  # one query for both lists
        context["categories"] = CategoryPage.objects.child_of(self).live().filter(not_private).order_by("title")
        context["popular_services"] = (
            ServicePage.objects.descendant_of(self).live().filter(not_private, popular=True).order_by("title")
        )
        return context

    def route(self, request, path_components):
        """A category child in one query (Wagtail's route takes two: the page, then its specific type)."""
        return route_to_child(self, CategoryPage.objects.all(), request, path_components)


class CategoryPage(CacheablePageMixin, Page):
    """A group of related services, such as 'Bins and recycling'."""

    served_by_route_map = True  # a plain page: portal.page_routes may serve it from its map of pages

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

    def route(self, request, path_components):
        """A service child in one query, with its department and live e-form (Wagtail's route takes three)."""
        return route_to_child(self, ServicePage.for_serving(), request, path_components)


class OnlineStatus(models.TextChoices):
    """How a citizen can do a service, derived from the service page and its e-form."""

    ONLINE_FORM = "online_form", _("Online form")
    ONLINE_ELSEWHERE = "online_elsewhere", _("Online on another site")
    OFFLINE = "offline", _("Not yet online")
    INFORMATION_ONLY = "information_only", _("Information only")


class ServicePage(CacheablePageMixin, Page):
    """One council service: what it is, who can use it, and how to do it."""

    served_by_route_map = True  # a plain page: portal.page_routes may serve it from its map of pages

    summary = models.CharField(_("summary"), max_length=255, help_text=_("One sentence: what the citizen can do."))
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))
    eligibility = RichTextField(_("who can use this service"), features=RICH_TEXT_FEATURES, blank=True)
    what_you_need = RichTextField(_("what you need"), features=RICH_TEXT_FEATURES, blank=True)
    how_long = models.CharField(_("how long it takes"), max_length=255, blank=True)
    target_amount = models.PositiveSmallIntegerField(
        _("service-level target"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(999)],
        help_text=_(
            "How long the council aims to take to deal with a request, e.g. 10 (working days) or 2 (hours). "
            "Each request gets a due date from it. Leave blank for no target."
        ),
    )
    target_unit = models.CharField(_("target unit"), max_length=13, choices=TargetUnit.choices, blank=True)
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
        MultiFieldPanel(
            [FieldPanel("how_long"), FieldPanel("target_amount"), FieldPanel("target_unit")],
            heading=_("How long it takes"),
        ),
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

    @classmethod
    def for_serving(cls):
        """Service pages with their department and the slug of their live e-form (`live_eform_slug`), in one query.

        The e-form is found by a range on the indexed tree path (see `insights.coverage`).
        """
        from forms_catalogue.models import EFormPage

        last_child = Concat(OuterRef("path"), Value(Page.alphabet[-1] * Page.steplen), output_field=CharField())
        live_eforms = EFormPage.objects.filter(
            live=True, depth=OuterRef("depth") + 1, path__gt=OuterRef("path"), path__lte=last_child
        ).order_by("path")
        live_eform_slug = Subquery(live_eforms.values("slug")[:1])
        return cls.objects.select_related("department").annotate(live_eform_slug=live_eform_slug)

    @classmethod
    def for_route_map(cls, children):
        """As `for_serving()`, with the live e-form found among the page's live children in the map of pages
        (`portal.page_routes`) instead of by a subquery."""
        from forms_catalogue.models import EFormPage

        eform_type = ContentType.objects.get_for_model(EFormPage, for_concrete_model=False).pk
        slug = next((child.slug for child in children if child.content_type_id == eform_type), None)
        return cls.objects.select_related("department").annotate(live_eform_slug=Value(slug, output_field=CharField()))

    def live_eform(self):
        """The published e-form under this service, or None."""
        from forms_catalogue.models import EFormPage

        return EFormPage.objects.child_of(self).live().first() if self.pk else None

    @property
    def eform_start_url(self) -> str | None:
        """Where "Start now" leads: the first step of the live e-form, or None without one.

        No query when the page came from `for_serving()` (as when Wagtail serves it); one otherwise.
        """
        if "live_eform_slug" in self.__dict__:
            slug = self.live_eform_slug
        else:
            eform = self.live_eform()
            slug = eform.slug if eform else None
        page_url = self.url
        return f"{page_url}{slug}/start/" if slug and page_url else None

    def compute_online_status(self) -> str:
        """Derive how the service can be done: live e-form, another site, offline, or information only."""
        if self.live_eform():
            return OnlineStatus.ONLINE_FORM
        if self.external_url:
            return OnlineStatus.ONLINE_ELSEWHERE
        if self.information_only:
            return OnlineStatus.INFORMATION_ONLY
        return OnlineStatus.OFFLINE

    @property
    def service_level(self) -> Target | None:
        """The service-level target, or None when the page sets none."""
        return Target.of(self.target_amount, self.target_unit)

    def clean(self):
        """A target needs both its number and its unit, and "How long it takes" (when given) must say it."""
        super().clean()
        if self.target_amount and not self.target_unit:
            message = gettext("Choose what the target counts: working days, calendar days or hours.")
            raise ValidationError({"target_unit": message})
        if self.target_unit and self.target_amount is None:
            message = gettext("Enter the number of %(unit)s.") % {"unit": self.get_target_unit_display()}
            raise ValidationError({"target_amount": message})
        target = self.service_level
        if target and self.how_long and not self.states_target(target):
            raise ValidationError(
                {
                    "how_long": gettext(
                        "Say the target here, for example 'We aim to reply within %(target)s', "
                        "or leave this blank to show the target on its own."
                    )
                    % {"target": target}
                }
            )

    def states_target(self, target: Target) -> bool:
        """True when "How long it takes" says the target: in words in English, by its number in a translation.

        A translation's words follow its own grammar (Welsh writes "o fewn 2 ddiwrnod gwaith" but
        "o fewn 10 diwrnod gwaith"), so only the number is looked for there.
        """
        if self.locale_id and self.locale_id != Locale.get_default().pk:
            return re.search(rf"(?<![\d.,]){target.amount}\b", self.how_long) is not None
        return target.is_stated_in(self.how_long)

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


def route_to_child(parent: Page, children, request, path_components):
    """Route to a child found in `children` (a queryset of one specific page type) in one query.

    A child of another type, and a request for `parent` itself, are routed by Wagtail as usual.
    """
    if path_components:
        child = children.child_of(parent).filter(slug=path_components[0]).first()
        if child is not None:
            child._cached_parent_obj = parent  # breadcrumbs and `get_parent()` need no query
            return child.route(request, path_components[1:])
    return Page.route(parent, request, path_components)


class InformationPage(CacheablePageMixin, Page):
    """A plain page of information, such as accessibility or privacy statements."""

    served_by_route_map = True  # a plain page: portal.page_routes may serve it from its map of pages

    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("body")]
    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("information page")
