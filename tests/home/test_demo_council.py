"""The demo council loader builds the whole catalogue and is idempotent."""

import csv
import json

import pytest
from django.core.management import call_command
from wagtail.models import Page, Revision, Site

from home.demo import DATA_DIR, load_demo_council
from home.models import CategoryPage, Department, HomePage, ServicePage

pytestmark = pytest.mark.django_db


def test_every_service_is_under_its_category():
    services = json.loads((DATA_DIR / "services.json").read_text())
    assert ServicePage.objects.live().count() == 96 == len(services)
    assert CategoryPage.objects.live().count() == 17
    for row in services:
        page = ServicePage.objects.get(slug=row["slug"])
        assert page.get_parent().title == row["category"]
        assert page.department.name == row["department"]
        assert page.summary and page.body and page.what_you_need


def test_demo_data_matches_the_council_services_list():
    """services.json lists the same 96 services as the council's list (demo_data/council-services.csv), in order."""
    with (DATA_DIR / "council-services.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    services = json.loads((DATA_DIR / "services.json").read_text())
    assert [(r["service"], r["category"], r["department"], r["pattern"]) for r in rows] == [
        (s["name"], s["category"], s["department"], s["pattern"]) for s in services
    ]


def test_home_page_is_the_site_root(council_name):
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert site.site_name == council_name
    assert not Page.objects.filter(slug="welcome-placeholder").exists()


def test_loading_twice_changes_nothing():
    before = (Page.objects.count(), Revision.objects.count(), Department.objects.count())
    report = load_demo_council("Ashworth Borough Council")
    call_command("load_demo_council", verbosity=0)
    assert report.total == 0
    assert (Page.objects.count(), Revision.objects.count(), Department.objects.count()) == before


def test_loader_keeps_editor_changes():
    page = ServicePage.objects.get(slug="report-missed-bin")
    page.summary = "Edited by an editor"
    page.save_revision().publish()
    load_demo_council("Ashworth Borough Council")
    page.refresh_from_db()
    assert page.summary == "Edited by an editor"


def test_online_status_is_derived_from_the_demo_data():
    statuses = dict(ServicePage.objects.values_list("slug", "online_status"))
    services = json.loads((DATA_DIR / "services.json").read_text())
    for row in services:
        expected = (
            "online_elsewhere" if row["external_url"] else "information_only" if row["pattern"] == "info" else None
        )
        if expected:
            assert statuses[row["slug"]] == expected, row["slug"]
