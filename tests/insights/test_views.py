"""The coverage dashboard, its CSV and who may see them; the public page; the daily snapshot; the charts."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from home.models import ServicePage
from insights import charts
from insights.coverage import coverage, not_online, online_services
from insights.models import CoverageSnapshot
from tests.forms_catalogue.journey_helpers import form_page
from tests.forms_catalogue.welsh import publish_welsh_form
from tests.home.factories import make_category, make_department, make_services

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/coverage/"
CSV_URL = "/admin/coverage/coverage.csv"
PUBLIC = "/online-services/"


def offline_service() -> ServicePage:
    """A transactional service that is not online, whatever the demo data holds (once every demo service is)."""
    (service,) = make_services(make_category("Not yet", "not-yet"), 1)
    return service


def csv_rows(client) -> list[dict]:
    response = client.get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_urls_have_the_agreed_names():
    assert reverse("service_coverage") == DASHBOARD
    assert reverse("online_services") == PUBLIC


def test_dashboard_shows_the_headline_figures_and_every_service_not_online(client, superuser):
    offline_service()
    client.force_login(superuser)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    overall = coverage().overall
    for figure in (overall.total, overall.transactional, overall.online, f"{overall.percent}%"):
        assert f"<dd>{figure}</dd>" in html
    for service in not_online():
        assert reverse("wagtailadmin_pages:edit", args=[service.id]) in html
    assert html.count('role="img"') == 2  # by category and by department; no snapshots yet, so no trend chart
    assert "Service coverage" in html and CSV_URL in html


def test_dashboard_links_each_service_to_put_it_online_when_that_action_exists(client, superuser):
    service = offline_service()
    client.force_login(superuser)
    html = client.get(DASHBOARD).content.decode()
    try:
        put_online = reverse("put_service_online", args=[service.id])
    except NoReverseMatch:  # the action is built on another branch; until it is merged there is no link
        assert "Put this service online" not in html
    else:
        assert put_online in html


def test_dashboard_links_to_put_online_once_the_action_is_there(client, superuser, settings):
    offline_service()
    settings.ROOT_URLCONF = "tests.insights.urls_with_put_online"
    client.force_login(superuser)
    html = client.get(DASHBOARD).content.decode()
    for service in not_online():
        assert f'href="/admin/services/{service.id}/put-online/"' in html
    assert html.count("Put this service online") == len(not_online())


def test_dashboard_draws_the_trend_from_snapshots_with_its_table(client, superuser):
    today = datetime.date.today()
    for days_ago, online in ((2, 10), (1, 12)):
        CoverageSnapshot.objects.create(
            date=today - datetime.timedelta(days=days_ago), total=96, transactional=91, online=online
        )
    client.force_login(superuser)
    html = client.get(DASHBOARD).content.decode()
    assert html.count('role="img"') == 3 and "<polyline" in html
    assert "11%" in html and "13%" in html  # 10 and 12 of 91, in the trend's table


def turned_away(response) -> bool:
    """The admin answers PermissionDenied by sending the user to the dashboard with a message."""
    return response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def test_department_staff_without_the_permission_are_turned_away(client, department_staff):
    client.force_login(department_staff)
    assert turned_away(client.get(DASHBOARD))
    assert turned_away(client.get(CSV_URL))
    assert DASHBOARD not in client.get("/admin/").content.decode()  # no menu item either


def test_the_view_coverage_permission_opens_the_dashboard(client, department_staff):
    department_staff.groups.first().permissions.add(Permission.objects.get(codename="view_coverage"))
    client.force_login(department_staff)
    assert client.get(DASHBOARD).status_code == 200
    assert client.get(CSV_URL).status_code == 200
    assert DASHBOARD in client.get("/admin/").content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_csv_has_a_row_per_service_saying_how_it_is_online(client, superuser):
    offline_title = offline_service().title
    client.force_login(superuser)
    rows = csv_rows(client)
    assert list(rows[0]) == [
        "service",
        "category",
        "department",
        "transactional",
        "online",
        "how",
        "form_url",
        "online_in_welsh",
    ]
    by_title = {row["service"]: row for row in rows}
    assert len(rows) == coverage().overall.total
    missed_bin = by_title[ServicePage.objects.get(slug="report-missed-bin").title]
    assert (missed_bin["online"], missed_bin["how"], missed_bin["category"]) == ("yes", "form", "Bins and recycling")
    assert missed_bin["form_url"].startswith("http://testserver/") and missed_bin["form_url"].endswith("/form/")
    council_tax = by_title[ServicePage.objects.get(slug="pay-council-tax").title]
    assert (council_tax["how"], council_tax["form_url"]) == (
        "external",
        "https://pay.ashworth.example.gov.uk/council-tax",
    )
    offline = by_title[offline_title]
    assert (offline["transactional"], offline["online"], offline["how"], offline["form_url"]) == (
        "yes",
        "no",
        "none",
        "",
    )
    assert sum(row["online"] == "yes" for row in rows) == coverage().overall.online


def test_csv_cells_cannot_become_spreadsheet_formulas(client, superuser):
    (service,) = make_services(make_category("Odd", "odd"), 1)
    service.title = '=HYPERLINK("http://evil.example","Click")'
    service.save_revision().publish()
    client.force_login(superuser)
    titles = {row["service"] for row in csv_rows(client)}
    assert "'" + service.title in titles and service.title not in titles


def count_queries(function) -> int:
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def test_figures_dashboard_csv_and_public_page_take_the_same_queries_with_100_and_1000_services(client, superuser):
    """One catalogue grown from 100 to 1,000 extra services (a department without a queue: none online)."""
    client.force_login(superuser)
    demo_total = coverage().overall.total
    category = make_category("Growing", "growing")
    make_services(category, 100, department=make_department())

    def fetch(url):
        assert client.get(url).status_code == 200

    def measure():
        for url in (DASHBOARD, CSV_URL, PUBLIC):
            fetch(url)  # warm per-process caches such as the site root paths
        return [count_queries(coverage), count_queries(lambda: list(not_online()))] + [
            count_queries(lambda url=url: fetch(url)) for url in (DASHBOARD, CSV_URL, PUBLIC)
        ]

    publish_welsh_form(form_page("report-missed-bin"))
    with_100 = measure()
    make_services(category, 900, slug_start=100)
    publish_welsh_form(form_page("report-fly-tipping"))  # more Welsh forms: still the same queries
    with_1000 = measure()
    assert coverage().overall.online_welsh == 2
    assert coverage().overall.total == demo_total + 1000 and len(not_online()) >= 1000
    assert with_100 == with_1000


def test_public_page_shows_the_proportion_the_categories_and_what_can_be_done_online(client):
    response = client.get(PUBLIC)
    assert response.status_code == 200
    html = response.content.decode()
    overall = coverage().overall
    assert f"{overall.percent}%" in html and f"{overall.online} of our {overall.transactional}" in html
    for tally in coverage().by_category:
        assert tally.label.replace(",", "") in html.replace(",", "")
    for service in online_services():
        assert f'href="{service.url}"' in html
    for service in not_online():
        assert f'href="{service.url}"' not in html
    assert 'role="img"' in html and "<table" in html


def test_public_page_is_linked_from_the_footer_and_the_a_to_z(client):
    assert f'href="{PUBLIC}"' in client.get("/").content.decode()
    assert f'href="{PUBLIC}"' in client.get(reverse("services_a_to_z")).content.decode()


def test_public_page_refuses_other_methods_without_an_error(client):
    assert client.post(PUBLIC).status_code == 405


def test_snapshot_command_stores_today_once_and_updates_it(client):
    out = io.StringIO()
    call_command("snapshot_coverage", stdout=out)
    assert "Took the snapshot" in out.getvalue()
    snapshot = CoverageSnapshot.objects.get()
    overall = coverage().overall
    assert (snapshot.total, snapshot.transactional, snapshot.online) == (
        overall.total,
        overall.transactional,
        overall.online,
    )
    assert {row["label"] for row in snapshot.by_category} == {tally.label for tally in coverage().by_category}

    ServicePage.objects.get(slug="report-missed-bin").live_eform().unpublish()
    call_command("snapshot_coverage", stdout=out)
    assert "Updated the snapshot" in out.getvalue()
    assert CoverageSnapshot.objects.get().online == overall.online - 1


def test_bar_chart_widths_follow_the_percentages():
    tallies = coverage().by_category
    chart = charts.bar_chart(tallies)
    assert [row["bar_width"] for row in chart["rows"]] == [round(charts.WIDTH * t.percent / 100, 1) for t in tallies]
    assert chart["height"] == len(tallies) * charts.BAR_ROW


def test_line_chart_puts_100_percent_at_the_top_and_a_single_point_in_the_middle():
    snapshot = CoverageSnapshot(date=datetime.date(2026, 1, 1), total=10, transactional=10, online=10)
    chart = charts.line_chart([snapshot])
    assert chart["points"][0]["y"] == charts.LINE_MARGIN["top"]
    assert chart["polyline"] and chart["first_label"] == "1 Jan 2026" and chart["last_label"] == ""


def test_the_dashboard_the_public_page_and_the_csv_show_the_services_online_in_welsh(client, superuser):
    publish_welsh_form(form_page("report-missed-bin"))
    overall = coverage().overall
    client.force_login(superuser)

    dashboard = client.get(DASHBOARD).content.decode()
    public = client.get(PUBLIC).content.decode()
    rows = {row["service"]: row for row in csv_rows(client)}

    assert f"{overall.online_welsh} ({overall.percent_welsh}%)" in dashboard and overall.online_welsh == 1
    assert f"1 of our {overall.transactional} services ({overall.percent_welsh}%) can be done online in Welsh" in public
    assert "Online in Welsh" in dashboard and "Online in Welsh" in public  # the tables' column
    assert rows[form_page("report-missed-bin").get_parent().title]["online_in_welsh"] == "yes"
    assert [row["service"] for row in rows.values() if row["online_in_welsh"] == "yes"] == [
        form_page("report-missed-bin").get_parent().title
    ]
