"""Template tags for the public site."""

from django import template

register = template.Library()


@register.inclusion_tag("includes/breadcrumbs.html")
def breadcrumbs(page):
    """Breadcrumbs from the home page down to the page's parent (one query)."""
    ancestors = page.get_ancestors().filter(depth__gt=1) if page else []
    return {"ancestors": ancestors}
