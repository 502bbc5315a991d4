"""Routing: a service's rules pick a queue by the answers; otherwise the department's default queue."""

import pytest

from backoffice.models import Delivery, Destination, DestinationKind, Queue, RoutingRule
from backoffice.routing import answer_at, route, starts_with
from home.models import Department, ServicePage

from .delivery_fixtures import *  # noqa: F403
from .delivery_fixtures import ANSWERS, MISSED_BIN, WASTE, submit_request, waste_queue

pytestmark = pytest.mark.django_db


def make_queue(slug: str) -> Queue:
    return Queue.objects.create(
        department=Department.objects.get(name=WASTE), name=slug.replace("-", " ").title(), slug=slug, is_default=False
    )


def rule(question_id: str, operator: str, value: str, queue: Queue, priority: int = 100) -> RoutingRule:
    return RoutingRule.objects.create(
        service=ServicePage.objects.get(slug=MISSED_BIN),
        question_id=question_id,
        operator=operator,
        value=value,
        queue=queue,
        priority=priority,
    )


def missed_bin(**changes) -> dict:
    answers = {**ANSWERS[MISSED_BIN], **changes}
    return answers


def with_postcode(postcode) -> dict:
    return missed_bin(collection_address={**ANSWERS[MISSED_BIN]["collection_address"], "postcode": postcode})


@pytest.fixture
def service():
    return ServicePage.objects.get(slug=MISSED_BIN)


def test_without_rules_a_request_goes_to_its_departments_default_queue(service):
    default = waste_queue()
    make_queue("waste-extra")  # a second, non-default queue of the department is not chosen
    assert default.is_default and default.department.name == WASTE
    assert route(service, missed_bin()) == default
    assert submit_request().queue == default


def test_equals_rule_on_an_answer(service):
    garden = make_queue("garden-waste-team")
    rule("bin_type", "equals", "garden", garden)
    assert route(service, missed_bin(bin_type="garden")) == garden
    assert route(service, missed_bin(bin_type="general")) == waste_queue()


def test_any_of_rule(service):
    recycling = make_queue("recycling-team")
    rule("bin_type", "any_of", "recycling, food", recycling)
    assert route(service, missed_bin(bin_type="food")) == recycling
    assert route(service, missed_bin(bin_type="recycling")) == recycling
    assert route(service, missed_bin(bin_type="garden")) == waste_queue()


@pytest.mark.parametrize(
    ("prefix", "postcode", "matches"),
    [
        ("AB4", "AB4 7QT", True),  # district
        ("ab4", "ab4 7qt", True),  # any case
        ("AB4", "AB47QT", True),  # typed without the space
        ("AB4", "AB40 1AA", False),  # another district that merely starts with the same characters
        ("AB", "AB40 1AA", True),  # area: every district of AB
        ("A", "AB4 7QT", False),  # area A is not area AB
        ("B", "BA1 1AA", False),  # Birmingham's area is not Bath's
        ("AB4 7", "AB4 7QT", True),  # sector
        ("AB4 7", "AB4 8QT", False),
        ("SW1A", "SW1A 2AA", True),
        ("AB4", "", False),
        ("AB4", None, False),
        ("", "AB4 7QT", False),  # an empty rule matches nothing
    ],
)
def test_starts_with_compares_postcodes_by_whole_units(prefix, postcode, matches):
    assert starts_with(postcode, prefix) is matches


def test_starts_with_on_other_text_is_a_plain_prefix():
    assert starts_with("Mill Lane, Ashworth", "mill")
    assert not starts_with("Station Road", "mill")


def test_starts_with_rule_on_the_postcode_part_of_an_address(service):
    north = make_queue("waste-north")
    rule("collection_address.postcode", "starts_with", "AB4", north)
    assert answer_at(with_postcode("AB4 7QT"), "collection_address.postcode") == "AB4 7QT"
    assert route(service, with_postcode("AB4 7QT")) == north
    assert route(service, with_postcode("AB40 1AA")) == waste_queue()
    assert route(service, with_postcode("AB1 2CD")) == waste_queue()
    # a part of an answer that is missing or not an address matches nothing
    assert route(service, missed_bin(collection_address="14 Mill Lane")) == waste_queue()
    assert route(service, {key: value for key, value in missed_bin().items() if key != "collection_address"}) == (
        waste_queue()
    )


def test_lower_priority_number_wins_whatever_the_order_rules_were_made_in(service):
    first, second = make_queue("waste-first"), make_queue("waste-second")
    rule("bin_type", "equals", "garden", second, priority=50)
    rule("collection_address.postcode", "starts_with", "AB4", first, priority=10)
    assert route(service, missed_bin()) == first  # both match: priority 10 wins
    assert route(service, with_postcode("AB1 2CD")) == second


def test_rules_of_another_service_do_not_apply(service):
    other = make_queue("fly-tipping-team")
    RoutingRule.objects.create(
        service=ServicePage.objects.get(slug="report-fly-tipping"),
        question_id="bin_type",
        operator="equals",
        value="garden",
        queue=other,
    )
    assert route(service, missed_bin()) == waste_queue()


def test_submit_stores_the_routed_queue_and_sends_to_that_queues_destination(service, receiver):
    north = make_queue("waste-north")
    rule("collection_address.postcode", "starts_with", "AB4", north)
    north_hook = Destination.objects.create(
        queue=north, kind=DestinationKind.WEBHOOK, url=receiver.url, secret=receiver.secret
    )
    Destination.objects.create(queue=waste_queue(), kind=DestinationKind.EMAIL, email_to="waste@example.com")

    routed = submit_request(answers=with_postcode("AB4 7QT"))
    default = submit_request(answers=with_postcode("AB1 2CD"))

    assert routed.queue == north
    assert default.queue == waste_queue()
    assert list(routed.deliveries.exclude(kind="citizen_email").values_list("destination", flat=True)) == [
        north_hook.pk
    ]
    assert list(default.deliveries.exclude(kind="citizen_email").values_list("kind", flat=True)) == ["email"]
    assert Delivery.objects.get(destination=north_hook).payload["queue"] == "waste-north"
