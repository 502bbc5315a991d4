"""Template tags for the public site."""

from collections.abc import Callable

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext

from portal.language import language_links

register = template.Library()


HOME_DEPTH = 2  # the tree's root is depth 1; the site's home page is its child


def breadcrumb_ancestors(page) -> list:
    """The page's ancestors from the home page down to its parent.

    No query for a page Wagtail routed to (each parent was loaded on the way and is kept on
    its child); one query otherwise (a preview, say).
    """
    ancestors, current = [], page
    while current.depth > HOME_DEPTH:
        parent = getattr(current, "_cached_parent_obj", None)
        if parent is None:
            return list(page.get_ancestors().filter(depth__gte=HOME_DEPTH))
        ancestors.append(parent)
        current = parent
    return ancestors[::-1]


@register.inclusion_tag("includes/breadcrumbs.html")
def breadcrumbs(page):
    """Breadcrumbs from the home page down to the page's parent."""
    return {"ancestors": breadcrumb_ancestors(page) if page else []}


class NavigationNode(template.Node):
    """Its content in a <nav> landmark with the given label; nothing at all when the content is blank."""

    def __init__(self, nodelist, label):
        self.nodelist = nodelist
        self.label = label

    def render(self, context):
        content = self.nodelist.render(context)  # already escaped: a NodeList renders to a SafeString
        if not content.strip():
            return ""
        return format_html('<nav aria-label="{}">{}</nav>', self.label.resolve(context), content)


@register.tag
def navigation(parser, token):
    """`{% navigation _("Back") %}…{% endnavigation %}`: a labelled navigation landmark, left out when empty.

    It puts links that sit outside <main> (such as a back link a page gives in a block) inside a
    landmark, without leaving an empty landmark on pages that have none.
    """
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one argument: the landmark's label")
    nodelist = parser.parse(("endnavigation",))
    parser.delete_first_token()
    return NavigationNode(nodelist, parser.compile_filter(bits[1]))


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context):
    """English / Cymraeg: the current language, and this page (or view) in the other one."""
    request = context.get("request")
    if request is None:
        return {"links": []}
    return {"links": language_links(request, context.get("page"))}


# A count in each CLDR plural category, for the GOV.UK Frontend i18n messages chosen with Intl.PluralRules.
PLURAL_CATEGORY_EXAMPLES = {"zero": 0, "one": 1, "two": 2, "few": 3, "many": 6, "other": 4}
COUNT = "%{count}"  # GOV.UK Frontend's placeholder, left for its JavaScript to fill in


def _plural_attributes(key: str, message: Callable[[int], str]) -> list[tuple[str, str]]:
    return [
        (f"data-i18n.{key}.{category}", message(count).replace("%(count)s", COUNT))
        for category, count in PLURAL_CATEGORY_EXAMPLES.items()
    ]


@register.simple_tag
def character_count_i18n():
    """The `data-i18n.*` attributes of a GOV.UK character count, in the active language.

    Its JavaScript replaces the "You can enter up to … characters" hint with these messages as
    the resident types; without them it would print English on a Welsh page.
    """
    attributes = [
        *_plural_attributes(
            "characters-under-limit",
            lambda n: ngettext("You have %(count)s character remaining", "You have %(count)s characters remaining", n),
        ),
        ("data-i18n.characters-at-limit", gettext("You have 0 characters remaining")),
        *_plural_attributes(
            "characters-over-limit",
            lambda n: ngettext("You have %(count)s character too many", "You have %(count)s characters too many", n),
        ),
        *_plural_attributes(
            "textarea-description",
            lambda n: ngettext(
                "You can enter up to %(count)s character", "You can enter up to %(count)s characters", n
            ),
        ),
    ]
    return format_html_join(" ", '{}="{}"', attributes)
