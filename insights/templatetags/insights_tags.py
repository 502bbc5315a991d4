"""Template filters of the insights dashboards."""

from decimal import Decimal

from django import template

from insights.channel_shift import pounds

register = template.Library()


@register.filter
def money(value) -> str:
    """A sum in pounds to the penny, with thousands separated: "£1,234.56", "-£3.10"."""
    amount = pounds(Decimal(value))
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"
