"""The coverage figures: what the demo council's data gives, publishing and routing, constant queries."""

import json
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from forms_catalogue.demo import demo_forms
from home.models import Department, OnlineStatus, ServicePage
from insights.coverage import coverage, not_online, online_services
from tests.forms_catalogue.journey_helpers import form_page
from tests.forms_catalogue.welsh import publish_welsh_form
from tests.home.factories import make_category, make_services

pytestmark = pytest.mark.django_db

DEMO_SERVICES = json.loads((Path(settings.BASE_DIR) / "home" / "demo_data" / "services.json").read_text())


def demo_transactional() -> list[dict]:
    """The demo services that are not information only."""
    return [row for row in DEMO_SERVICES if row["pattern"] != "info"]


def demo_online_slugs() -> set[str]:
    """Transactional demo services with a demo e-form (each department has a queue) or an external link."""
    return {row["slug"] for row in demo_transactional() if row["slug"] in demo_forms() or row.get("external_url")}


def test_headline_figures_follow_the_demo_data():
    overall = coverage().overall
    assert overall.total == len(DEMO_SERVICES)
    assert overall.transactional == len(demo_transactional())
    assert overall.online == len(demo_online_slugs())
    assert overall.percent == round(100 * len(demo_online_slugs()) / len(demo_transactional()))


def test_breakdown_by_category_and_by_department_follows_the_demo_data():
    figures = coverage()
    online = demo_online_slugs()
    for key, tallies in (("category", figures.by_category), ("department", figures.by_department)):
        expected_total = Counter(row[key] for row in DEMO_SERVICES)
        expected_transactional = Counter(row[key] for row in demo_transactional())
        expected_online = Counter(row[key] for row in DEMO_SERVICES if row["slug"] in online)
        assert {tally.label: tally.total for tally in tallies} == dict(expected_total)
        assert {tally.label: tally.transactional for tally in tallies} == {
            label: expected_transactional[label] for label in expected_total
        }
        assert {tally.label: tally.online for tally in tallies} == {
            label: expected_online[label] for label in expected_total
        }


def test_not_online_lists_every_transactional_service_without_a_form_or_link():
    expected = {row["slug"] for row in demo_transactional()} - demo_online_slugs()
    assert {service.slug for service in not_online()} == expected
    assert {service.slug for service in online_services()} == demo_online_slugs()


def test_unpublishing_a_form_takes_the_service_offline_at_once_and_republishing_restores_it():
    service = ServicePage.objects.get(slug="report-missed-bin")
    eform = service.live_eform()
    before = coverage().overall.online

    eform.unpublish()
    assert coverage().overall.online == before - 1
    assert service in not_online()
    service.refresh_from_db()
    assert service.online_status == OnlineStatus.OFFLINE  # the stored status follows too (forms_catalogue.signals)

    eform.get_latest_revision().publish()
    assert coverage().overall.online == before
    assert service not in not_online()
    service.refresh_from_db()
    assert service.online_status == OnlineStatus.ONLINE_FORM


def test_a_live_form_whose_department_has_no_queue_is_not_online():
    """Nothing would receive its requests: routing finds no queue."""
    service = ServicePage.objects.get(slug="report-missed-bin")
    before = coverage().overall.online
    ServicePage.objects.filter(pk=service.pk).update(department=Department.objects.create(name="No queue here"))
    assert coverage().overall.online == before - 1
    assert service in not_online()


def test_an_external_link_counts_and_information_only_services_leave_the_denominator():
    before = coverage().overall
    category = make_category("Extra", "extra")
    make_services(category, 2, external_url="https://pay.example.gov.uk/")
    make_services(category, 3, slug_start=2, information_only=True)
    after = coverage().overall
    assert (after.total, after.transactional, after.online) == (
        before.total + 5,
        before.transactional + 2,
        before.online + 2,
    )


def test_private_and_draft_services_are_not_counted():
    before = coverage().overall.total
    category = make_category("Hidden", "hidden")
    draft, private = make_services(category, 2)
    draft.unpublish()
    private.view_restrictions.create(restriction_type="login")
    assert coverage().overall.total == before


def test_a_service_is_online_in_welsh_only_while_its_welsh_form_is_live():
    before = coverage()
    assert before.overall.online_welsh == 0
    english = form_page("report-missed-bin")
    department = english.get_parent().specific.department.name

    welsh = publish_welsh_form(english)
    welsh.get_parent().specific.save_revision().publish()  # the Welsh service page: the same service, not another
    now = coverage()

    assert (now.overall.total, now.overall.online, now.overall.online_welsh) == (
        before.overall.total,
        before.overall.online,
        1,
    )
    assert now.overall.percent_welsh == round(100 / now.overall.transactional)
    assert [tally.online_welsh for tally in now.by_department if tally.label == department] == [1]
    assert sum(tally.online_welsh for tally in now.by_category) == 1
    welsh.unpublish()
    assert coverage().overall.online_welsh == 0


def test_a_welsh_form_of_a_service_whose_department_has_no_queue_is_not_online_in_welsh():
    english = form_page("report-missed-bin")
    publish_welsh_form(english)
    assert coverage().overall.online_welsh == 1
    no_queue = Department.objects.create(name="No queue here")
    ServicePage.objects.filter(pk=english.get_parent().pk).update(department=no_queue)

    assert coverage().overall.online_welsh == 0
