"""A service page's service-level target: both parts or neither, stated in "How long it takes" when that
is given (shown on its own when it is not), and the demo council's targets match their pages' text."""

import json

import pytest
from django.core.exceptions import ValidationError

from home.demo import DATA_DIR
from home.models import ServicePage
from home.service_levels import Target
from tests.home.factories import make_category, make_services

pytestmark = pytest.mark.django_db


def page_with(**fields) -> ServicePage:
    (page,) = make_services(make_category("Targets", "targets"), 1)
    for name, value in fields.items():
        setattr(page, name, value)
    return page


@pytest.mark.parametrize(
    ("fields", "field_in_error", "message"),
    [
        ({"target_amount": 10}, "target_unit", "Choose what the target counts"),
        ({"target_unit": "hours"}, "target_amount", "Enter the number of hours."),
        (
            {"target_amount": 10, "target_unit": "working_days", "how_long": "We reply within 2 weeks."},
            "how_long",
            "Say the target here, for example 'We aim to reply within 10 working days'",
        ),
        ({"target_amount": 0, "target_unit": "hours"}, "target_amount", "greater than or equal to 1"),
    ],
)
def test_a_target_that_is_incomplete_or_not_stated_is_refused_with_a_message(fields, field_in_error, message):
    page = page_with(**fields)

    with pytest.raises(ValidationError) as raised:
        page.full_clean()

    assert message in " ".join(raised.value.message_dict[field_in_error])


@pytest.mark.parametrize(
    ("amount", "unit", "how_long"),
    [
        (10, "working_days", "We aim to decide within 10 working days."),
        (1, "working_days", "We start our checks within 1 working day."),
        (14, "calendar_days", "We aim to decide within 14 days of receiving everything."),
        (28, "calendar_days", "Within 28 calendar days."),
        (2, "hours", "We make it safe within 2 hours."),
        (5, "working_days", ""),
    ],
)
def test_a_target_stated_in_how_long_it_takes_is_accepted(amount, unit, how_long):
    page_with(target_amount=amount, target_unit=unit, how_long=how_long).full_clean()


def test_a_number_inside_another_is_not_the_target():
    assert not Target(4, "calendar_days").is_stated_in("within 14 days")
    assert not Target(1, "hours").is_stated_in("within 1.5 hours")
    assert Target(1, "hours").is_stated_in("within 1 hour")


def test_the_page_states_the_target_when_how_long_it_takes_is_blank(client):
    page = page_with(target_amount=3, target_unit="working_days", how_long="")
    page.save_revision().publish()

    html = client.get(page.url).content.decode()

    assert "How long it takes" in html and "We aim to deal with your request within 3 working days." in html


def test_the_demo_councils_targets_are_stated_on_their_pages():
    with open(DATA_DIR / "services.json", encoding="utf-8") as handle:
        rows = [row for row in json.load(handle) if "target" in row]

    assert len(rows) >= 50
    for row in rows:
        target = Target(row["target"]["amount"], row["target"]["unit"])
        assert target.is_stated_in(row["how_long"]), (row["slug"], str(target))
        page = ServicePage.objects.get(slug=row["slug"])
        assert page.service_level == target
