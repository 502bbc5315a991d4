"""The channel-shift figures (exact, with the README's formula), the dashboard, its CSVs, costs and access."""

import csv
import datetime
import io
import itertools
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backoffice.models import ServiceRequest
from home.models import ServicePage
from insights.channel_shift import Costs, channel_shift, column_of, month_starts, pounds
from insights.models import ChannelCosts
from tests.backoffice.factories import make_staff, make_user
from tests.home.factories import make_category, make_services

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/channel-shift/"
MONTHS_CSV = "/admin/channel-shift/months.csv"
SERVICES_CSV = "/admin/channel-shift/services.csv"
SOCITM = Costs(online=Decimal("0.15"), phone=Decimal("2.83"), face_to_face=Decimal("8.62"), post=Decimal("12.10"))
TODAY = timezone.localdate()
THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = (THIS_MONTH - datetime.timedelta(days=1)).replace(day=1)
_references = itertools.count(1)


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def label(month: datetime.date) -> str:
    return f"{month:%B %Y}"


def add_requests(service: ServicePage, channel: str, count: int, day: datetime.date) -> None:
    """`count` requests of a service through a channel on a day (bulk: the figures read only these columns)."""
    references = [f"CS{next(_references):08d}" for _ in range(count)]
    ServiceRequest.objects.bulk_create(
        ServiceRequest(reference=reference, service=service, channel=channel) for reference in references
    )
    ServiceRequest.objects.filter(reference__in=references).update(created_at=at(day))


@pytest.fixture
def two_services():
    """Two new services, and every demo request moved out of the last two years so only ours count."""
    ServiceRequest.objects.update(created_at=at(datetime.date(2000, 1, 1)))
    return make_services(make_category("Channel shift", "channel-shift"), 2)


@pytest.fixture
def known_requests(two_services):
    """Last month: bins 10 web + 2 api + 1 open311; parking 3 phone, 1 face to face, 1 post. This month: bins 5 web."""
    bins, parking = two_services
    october, november = LAST_MONTH + datetime.timedelta(days=13), THIS_MONTH
    add_requests(bins, "web", 10, october)
    add_requests(bins, "api", 2, october)
    add_requests(bins, "open311", 1, october)
    add_requests(parking, "phone", 3, october)
    add_requests(parking, "face_to_face", 1, october)
    add_requests(parking, "post", 1, october)
    add_requests(bins, "web", 5, november)
    return bins, parking


def test_web_api_and_open311_are_online_and_the_old_staff_channel_counts_as_staff():
    assert [column_of(channel) for channel in ("web", "api", "open311")] == ["online"] * 3
    assert [column_of(c) for c in ("phone", "face_to_face", "post", "staff")] == [
        "phone",
        "face_to_face",
        "post",
        "not_recorded",
    ]


def test_month_starts_cross_the_year():
    assert month_starts(3, datetime.date(2026, 2, 10)) == [
        datetime.date(2025, 12, 1),
        datetime.date(2026, 1, 1),
        datetime.date(2026, 2, 1),
    ]


def test_figures_are_exact_by_the_readme_formula(known_requests):
    bins, parking = known_requests
    shift = channel_shift(SOCITM, months=2, today=TODAY)
    october, november = shift.months
    # Last month's assisted mix: 3 phone and 1 face to face -> (3 x 2.83 + 8.62) / 4 = 4.2775 a request.
    assert shift.unit_savings[LAST_MONTH] == Decimal("4.2775") - Decimal("0.15")
    # This month has no phone or face-to-face request: the phone cost is the assisted cost.
    assert shift.unit_savings[THIS_MONTH] == Decimal("2.83") - Decimal("0.15")
    assert (october.label, october.online, october.phone, october.face_to_face, october.post) == (
        label(LAST_MONTH),
        13,
        3,
        1,
        1,
    )
    assert (october.staff, october.total, october.percent) == (5, 18, 72)  # 13 / 18 = 72.2%
    assert october.saved == 13 * Decimal("4.1275") and pounds(october.saved) == Decimal("53.66")
    assert october.cost == 13 * Decimal("0.15") + 3 * Decimal("2.83") + Decimal("8.62") + Decimal("12.10")
    assert pounds(october.cost) == Decimal("31.16")
    assert (november.online, november.total, november.percent, pounds(november.saved)) == (5, 5, 100, Decimal("13.40"))
    assert pounds(shift.overall.saved) == Decimal("67.06") and shift.overall.total == 23
    by_service = {counts.key: counts for counts in shift.services}
    assert pounds(by_service[bins.pk].saved) == Decimal("67.06") and by_service[parking.pk].saved == 0
    assert [counts.key for counts in shift.services] == [bins.pk, parking.pk]  # most requests first


def test_one_service_by_month_uses_the_mix_of_every_service(known_requests):
    bins, parking = known_requests
    shift = channel_shift(SOCITM, months=2, service_id=bins.pk, today=TODAY)
    assert shift.service_title == bins.title
    assert [(month.online, month.staff) for month in shift.months] == [(13, 0), (5, 0)]
    assert pounds(shift.overall.saved) == Decimal("67.06")  # the October mix comes from parking's requests
    assert len(shift.services) == 2  # the table by service still lists every service


def test_requests_before_the_period_are_left_out(known_requests):
    shift = channel_shift(SOCITM, months=1, today=TODAY)
    assert [month.label for month in shift.months] == [label(THIS_MONTH)]
    assert shift.overall.total == 5


def test_old_staff_requests_cost_a_phone_call_and_show_their_own_column(two_services):
    bins, _parking = two_services
    add_requests(bins, "staff", 2, TODAY)
    shift = channel_shift(SOCITM, months=1, today=TODAY)
    assert (shift.overall.not_recorded, shift.overall.staff, shift.overall.cost) == (2, 2, 2 * Decimal("2.83"))
    assert shift.shows_not_recorded


@pytest.fixture
def web_lead(db):
    return make_user("web-lead", superuser=True)


def test_dashboard_shows_the_figures_chart_tables_and_costs(client, web_lead, known_requests):
    client.force_login(web_lead)
    response = client.get(DASHBOARD, {"months": 24})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<dd>£67.06</dd>" in html and "<dd>23</dd>" in html
    assert 'role="img"' in html and "Share of requests made online by residents, by month" in html
    assert f"{label(LAST_MONTH)}: 13 of 18 (72%)" in html  # the chart's own words
    assert "£53.66" in html and "£31.16" in html
    assert "online £0.15, phone £2.83, face to face £8.62, post £12.10" in html
    assert "/admin/settings/insights/channelcosts/" in html  # superusers may change the costs


def test_costs_are_a_setting_the_figures_follow(client, web_lead, known_requests):
    costs = ChannelCosts.load()
    costs.phone, costs.face_to_face = Decimal("3.00"), Decimal("9.00")
    costs.save()
    client.force_login(web_lead)
    html = client.get(DASHBOARD).content.decode()
    # Last month: ((3 x 3.00 + 9.00) / 4 - 0.15) x 13 = 4.35 x 13 = 56.55; this month: (3.00 - 0.15) x 5 = 14.25.
    assert "<dd>£70.80</dd>" in html


def test_csv_of_each_table(client, web_lead, known_requests):
    bins, parking = known_requests
    client.force_login(web_lead)
    months = list(csv.DictReader(io.StringIO(client.get(MONTHS_CSV, {"months": 3}).content.decode())))
    assert [row["month"] for row in months][1:] == [f"{LAST_MONTH:%Y-%m}", f"{THIS_MONTH:%Y-%m}"]
    assert months[1] == {
        "month": f"{LAST_MONTH:%Y-%m}",
        "online": "13",
        "phone": "3",
        "face_to_face": "1",
        "post": "1",
        "staff_channel_not_recorded": "0",
        "entered_by_staff": "5",
        "total": "18",
        "share_online_percent": "72",
        "cost": "31.16",
        "cost_saved": "53.66",
    }
    services = list(csv.DictReader(io.StringIO(client.get(SERVICES_CSV, {"months": 24}).content.decode())))
    assert [(row["service"], row["cost_saved"]) for row in services] == [(bins.title, "67.06"), (parking.title, "0.00")]


def test_a_service_title_cannot_become_a_spreadsheet_formula(client, web_lead, two_services):
    bins, _parking = two_services
    ServicePage.objects.filter(pk=bins.pk).update(title="=HYPERLINK(1)")
    add_requests(bins, "web", 1, timezone.localdate())
    client.force_login(web_lead)
    rows = list(csv.reader(io.StringIO(client.get(SERVICES_CSV).content.decode())))
    assert rows[1][0] == "'=HYPERLINK(1)"


@pytest.mark.parametrize(
    "query, message",
    [({"months": "7"}, "Choose a period from the list"), ({"service": "abc"}, "Choose a service from the list")],
)
def test_bad_filters_are_refused_with_a_message_not_a_500(client, web_lead, query, message):
    client.force_login(web_lead)
    response = client.get(DASHBOARD, query)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "<title>Error:" in html
    assert client.get(MONTHS_CSV, query).status_code == 200


def test_only_superusers_and_holders_of_the_permission_see_it(client):
    officer = make_staff("officer", "Waste and Recycling")
    client.force_login(officer)
    for url in (DASHBOARD, MONTHS_CSV, SERVICES_CSV):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/admin/")  # the admin's "permission denied"
    assert "Channel shift" not in client.get("/admin/").content.decode()
    group = Group.objects.create(name="Web team (channel shift)")
    group.permissions.add(Permission.objects.get(codename="view_channel_shift"))
    officer.groups.add(group)
    officer = type(officer).objects.get(pk=officer.pk)  # forget the cached permissions
    client.force_login(officer)
    assert client.get(DASHBOARD).status_code == 200
    assert "Channel shift" in client.get("/admin/").content.decode()
    assert "/admin/settings/insights/channelcosts/" not in client.get(DASHBOARD).content.decode()


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_dashboard_and_csvs_take_the_same_queries_as_services_and_requests_grow(
    client, web_lead, two_services, django_assert_num_queries
):
    client.force_login(web_lead)
    category = make_category("Growing", "growing")
    channels = itertools.cycle(["web", "api", "phone", "face_to_face", "post", "open311", "staff"])
    urls = (f"{DASHBOARD}?months=24", MONTHS_CSV, SERVICES_CSV, f"{DASHBOARD}?service={two_services[0].pk}")

    def grow(services: int, requests_each: int, start: int) -> None:
        for index, service in enumerate(make_services(category, services, slug_start=start)):
            for month in range(requests_each):
                add_requests(service, next(channels), 1, TODAY - datetime.timedelta(days=31 * (month % 20) + index))

    grow(5, 4, 0)
    for url in urls:
        client.get(url)  # warm per-process caches (site root paths, the setting's row)
    small = {url: count_queries(client, url) for url in urls}
    grow(60, 30, 5)
    assert ServiceRequest.objects.filter(service__slug__startswith="growing").count() == 5 * 4 + 60 * 30
    for url in urls:
        with django_assert_num_queries(small[url]):
            assert client.get(url).status_code == 200
