"""Template tags for the public site."""

from django import template
from django.utils.html import format_html

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
