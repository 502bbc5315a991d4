"""The team leaders' service-level view: exact figures for known requests, who sees which queues, the CSVs,
the chart beside its table, and a constant number of queries however many requests there are."""

import csv
import io
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backoffice.models import Queue, ServiceRequest, Status
from backoffice.references import new_reference
from backoffice.service_levels import end_of_today
from home.models import Department, ServicePage
from insights.service_levels import WEEKS, by_week, first_week, queues_now, week_rows
from tests.backoffice.factories import HIGHWAYS, WASTE, login, make_staff, make_user, make_web_team_member

pytestmark = pytest.mark.django_db

VIEW = "/admin/service-levels/"
QUEUES_CSV = "/admin/service-levels/queues.csv"
WEEKS_CSV = "/admin/service-levels/weeks.csv"
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def queue_of(department: str) -> Queue:
    return Queue.default_for(Department.objects.get(name=department))


def add(queue: Queue, *, created, resolved=None, due=None, status=None) -> ServiceRequest:
    """A request in `queue` received at `created`, resolved at `resolved` (if given), due at `due` (if any)."""
    service = ServicePage.objects.filter(department=queue.department).first()
    request = ServiceRequest.objects.create(
        reference=new_reference(),
        service=service,
        queue=queue,
        status=status or (Status.RESOLVED if resolved else Status.RECEIVED),
        resolved_at=resolved,
        due_at=due,
        target_amount=2 if due else None,
        target_unit="working_days" if due else "",
    )
    ServiceRequest.objects.filter(pk=request.pk).update(created_at=created)
    return request


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def last_week(now):
    """Tuesday noon of last week (local time)."""
    return first_week(now, 2) + timedelta(days=1, hours=12)


@pytest.fixture
def known(now, last_week):
    """Waste: 4 received and resolved last week (2 h, 1 day, 3 days late, 4 days without a target) and
    4 open now (overdue, due today, waiting, due later). Highways: 3 resolved last week (1 h, 5 h, 9 h),
    1 open and overdue."""
    waste, highways = queue_of(WASTE), queue_of(HIGHWAYS)
    in_time, too_soon = last_week + 3 * DAY, last_week + DAY
    add(waste, created=last_week, resolved=last_week + 2 * HOUR, due=in_time)
    add(waste, created=last_week, resolved=last_week + DAY, due=in_time)
    add(waste, created=last_week, resolved=last_week + 3 * DAY, due=too_soon)
    add(waste, created=last_week, resolved=last_week + 4 * DAY, status=Status.CLOSED)
    add(waste, created=now, due=now - HOUR)
    add(waste, created=now, due=end_of_today(now), status=Status.IN_PROGRESS)
    add(waste, created=now, due=now - DAY, status=Status.WAITING)
    add(waste, created=now, due=now + 10 * DAY)
    for hours in (1, 9, 5):
        add(highways, created=last_week, resolved=last_week + hours * HOUR, due=in_time, status=Status.REJECTED)
    add(highways, created=now, due=now - DAY)
    return waste, highways


def test_each_queue_now_open_overdue_due_today_and_paused(known, now):
    waste, highways = known

    rows, total = queues_now(ServiceRequest.objects.all(), [waste, highways], now)

    assert [(row.label, row.open, row.overdue, row.due_today, row.paused) for row in rows] == [
        (str(waste), 4, 1, 1, 1),
        (str(highways), 1, 1, 0, 0),
    ]
    assert (total.open, total.overdue, total.due_today, total.paused) == (5, 2, 1, 1)


def test_week_by_week_received_resolved_median_and_within_target_are_exact(known, now):
    waste, highways = known

    weeks = week_rows(by_week(ServiceRequest.objects.filter(queue=waste), now), now)

    assert len(weeks) == WEEKS and weeks[0].starts == timezone.localdate(first_week(now, 1))
    this_week, last = weeks[0], weeks[1]
    assert (this_week.received, this_week.resolved, this_week.median, this_week.percent) == (4, 0, None, None)
    assert (last.received, last.resolved, last.with_target, last.within_target, last.percent) == (4, 4, 3, 2, 67)
    assert last.median == 2 * DAY  # the mean of the middle two of 2 h, 1 day, 3 days, 4 days
    assert all(week.received == week.resolved == 0 for week in weeks[2:])

    per_queue = by_week(ServiceRequest.objects.all(), now, per_queue=True)
    highways_last = week_rows(per_queue, now, queue_id=highways.pk)[1]
    assert (highways_last.resolved, highways_last.median, highways_last.percent) == (3, 5 * HOUR, 100)
    both = week_rows(by_week(ServiceRequest.objects.all(), now), now)[1]
    assert (both.resolved, both.median) == (7, 9 * HOUR)  # 1 h, 2 h, 5 h, [9 h], 1 day, 3 days, 4 days


def test_a_request_resolved_then_reopened_is_not_counted_as_resolved(known, now, last_week):
    waste, _highways = known
    add(waste, created=last_week, resolved=last_week + HOUR, status=Status.IN_PROGRESS)

    last = week_rows(by_week(ServiceRequest.objects.filter(queue=waste), now), now)[1]

    assert (last.received, last.resolved) == (5, 4)


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def table_rows(table) -> list[list[str]]:
    return [[" ".join(cell.get_text(" ").split()) for cell in row.find_all(["th", "td"])] for row in table.select("tr")]


def test_staff_see_their_own_queues_only_with_a_chart_and_its_table(client, known, now):
    waste, highways = known
    login(client, make_staff("wendy", WASTE))

    response = client.get(VIEW)

    assert response.status_code == 200
    page = soup(response)
    queues_table, weeks_table = page.select("table.listing")
    assert table_rows(queues_table)[1:] == [[str(waste), "4", "Overdue 1", "1", "1"]]
    assert str(highways) not in response.content.decode()
    last_week_row = table_rows(weeks_table)[2]
    assert last_week_row[1:] == ["4", "4", "2 days", "2 of 3 (67%)"]
    chart = page.select_one("svg[role=img]")
    assert chart.title.get_text() == "Requests resolved within target, by week"
    assert "2 of 3 (67%)" in chart.get_text()


def test_one_queue_can_be_chosen_and_a_queue_not_yours_is_refused_with_a_message(client, known):
    waste, highways = known
    login(client, make_user("lead", groups=(waste.staff_groups.first(), highways.staff_groups.first())))

    chosen = soup(client.get(VIEW, {"queue": highways.pk}))
    assert chosen.select_one("#by-week").get_text(strip=True).endswith(str(highways))
    assert table_rows(chosen.select("table.listing")[1])[2][2] == "3"

    login(client, make_staff("wendy", WASTE))
    refused = client.get(VIEW, {"queue": highways.pk})
    assert refused.status_code == 200
    assert "Choose one of your queues" in refused.content.decode()
    assert client.get(VIEW, {"queue": "not-a-number"}).status_code == 200


def refused(response) -> bool:
    """Wagtail answers a PermissionDenied in the admin by sending the user to the admin home."""
    return response.status_code == 302 and response["Location"] == "/admin/"


def test_people_who_work_no_queue_are_refused(client, known):
    login(client, make_web_team_member())
    assert refused(client.get(VIEW)) and refused(client.get(QUEUES_CSV)) and refused(client.get(WEEKS_CSV))
    assert '"name": "service-levels"' not in client.get("/admin/").content.decode()
    client.logout()
    assert "/admin/login/" in client.get(VIEW)["Location"]


def test_the_menu_offers_the_view_to_queue_staff(client, known):
    login(client, make_staff("wendy", WASTE))
    home = client.get("/admin/").content.decode()
    assert '"name": "service-levels"' in home and VIEW in home


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_csv_downloads_of_both_tables(client, known, now):
    waste, highways = known
    login(client, make_user("admin", superuser=True))

    queues = csv_rows(client.get(QUEUES_CSV))
    weeks = csv_rows(client.get(WEEKS_CSV))

    assert queues[0] == ["queue", "open", "overdue", "due_today", "paused"]
    assert [str(waste), "4", "1", "1", "1"] in queues and [str(highways), "1", "1", "0", "0"] in queues
    last_monday = timezone.localdate(first_week(now, 2)).isoformat()
    assert [str(waste), last_monday, "4", "4", "48.0", "3", "2", "67"] in weeks
    assert [str(highways), last_monday, "3", "3", "5.0", "3", "3", "100"] in weeks
    assert len(weeks) == 1 + WEEKS * Queue.objects.count()


def test_the_view_and_csvs_take_the_same_number_of_queries_however_many_requests(client, known, now, last_week):
    waste, highways = known
    login(client, make_user("admin", superuser=True))

    def queries() -> list[int]:
        counts = []
        for url in (VIEW, QUEUES_CSV, WEEKS_CSV):
            client.get(url)  # warm per-process caches
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured.captured_queries))
        return counts

    before = queries()
    for week in range(WEEKS):
        for queue in (waste, highways):
            created = last_week - week * 7 * DAY
            add(queue, created=created, resolved=created + week * HOUR, due=created + DAY)
            add(queue, created=created, due=now - week * DAY)
    assert queries() == before
