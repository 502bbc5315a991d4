"""The form performance pages and CSVs: who may see them, what they show, bad input, constant queries."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forms_catalogue.models import EFormPage, Satisfaction, ServiceFeedback
from insights import charts
from insights.models import CompletionTime, JourneyCount
from insights.performance import FunnelStep, week_start

from .journeys import Clock, complete, publish_form, stop_at

pytestmark = pytest.mark.django_db

LIST = "/admin/form-performance/"
LIST_CSV = "/admin/form-performance/forms.csv"


@pytest.fixture
def walked_form(monkeypatch):
    """A form with two journeys sent (65 s and 125 s), one stopped at step 2, and two feedback answers."""
    clock = Clock(monkeypatch)
    page = publish_form()
    complete(page, clock, 65)
    complete(page, clock, 125)
    stop_at(page, "details")
    version = page.current_version()
    today = timezone.localdate()
    ServiceFeedback.objects.create(page=page, version=version, day=today, rating=Satisfaction.VERY_SATISFIED)
    ServiceFeedback.objects.create(
        page=page,
        version=version,
        day=today,
        rating=Satisfaction.DISSATISFIED,
        comment='<script>alert("x")</script> =cmd the map step was confusing',
    )
    return page


def report_url(page, table: str = "") -> str:
    return f"/admin/form-performance/{page.pk}/" + (f"{table}.csv" if table else "")


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def turned_away(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def test_urls_have_the_agreed_names(walked_form):
    assert reverse("form_performance") == LIST
    assert reverse("form_performance_report", args=[walked_form.pk]) == report_url(walked_form)


def test_the_list_shows_each_form_with_its_figures_and_links_to_its_page(client, superuser, walked_form):
    client.force_login(superuser)
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    row = next(row for row in html.split("<tr>") if f'href="{report_url(walked_form)}?' in row)
    cells = [cell.split(">", 1)[1].split("<")[0] for cell in row.split("<td")[1:]]
    assert cells[:4] == ["3", "2", "67%", "1 min 37 s"]  # median of the middles 63 s and 130 s: 96.5 s
    assert cells[4:] == ["2", "63%"]  # feedback answers; satisfaction: very satisfied 100, dissatisfied 25
    assert EFormPage.objects.live().count() == html.count("?weeks=4&amp;ending=") - 1  # every live form (and the CSV)


def test_the_list_csv_has_a_row_per_form_with_numbers_for_spreadsheets(client, superuser, walked_form):
    client.force_login(superuser)
    rows = {row["Form"]: row for row in csv_rows(client.get(LIST_CSV))}
    assert len(rows) == EFormPage.objects.live().count()
    row = rows[walked_form.title]
    assert (row["Started"], row["Completed"], row["Completion rate (%)"]) == ("3", "2", "67")
    assert row["Median time to complete (seconds in CSV)"] == "96.5"


def test_a_form_page_shows_weeks_funnel_versions_and_feedback_escaped(client, superuser, walked_form):
    client.force_login(superuser)
    response = client.get(report_url(walked_form))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('role="img"') == 1 and "Journeys that reached each step" in html
    assert "Most journeys that went no further stopped at “Your order” (1)." in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    for table in ("weeks", "versions", "funnel", "ratings", "comments"):
        assert f"/admin/form-performance/{walked_form.pk}/{table}.csv?weeks=4" in html


def test_every_table_of_a_form_downloads_as_csv(client, superuser, walked_form):
    client.force_login(superuser)
    funnel = csv_rows(client.get(report_url(walked_form, "funnel")))
    assert [(row["Step"], row["Reached"], row["Stopped here"]) for row in funnel] == [
        ("Where you live", "3", "0"),
        ("You cannot order a bin online", "0", "0"),
        ("Your order", "3", "1"),
        ("Check your answers", "2", "0"),
    ]
    weeks = csv_rows(client.get(report_url(walked_form, "weeks")))
    this_week = week_start(timezone.localdate()).isoformat()
    assert [row["Week starting"] for row in weeks][-1] == this_week and len(weeks) == 4
    assert weeks[-1]["Started"] == "3"
    versions = csv_rows(client.get(report_url(walked_form, "versions")))
    assert len(versions) == 1 and versions[0]["Completed"] == "2"
    ratings = {row["Rating"]: row["Answers"] for row in csv_rows(client.get(report_url(walked_form, "ratings")))}
    assert ratings == {
        "Very satisfied": "1",
        "Satisfied": "0",
        "Neither satisfied or dissatisfied": "0",
        "Dissatisfied": "1",
        "Very dissatisfied": "0",
    }
    (comment,) = csv_rows(client.get(report_url(walked_form, "comments")))
    assert comment["Comment"].startswith("<script>") and comment["Rating"] == "Dissatisfied"
    assert client.get(report_url(walked_form, "secrets")).status_code == 404


def test_a_formula_in_a_comment_cannot_run_in_a_spreadsheet(client, superuser, walked_form):
    ServiceFeedback.objects.create(page=walked_form, day=timezone.localdate(), rating=3, comment="=HYPERLINK(1)")
    client.force_login(superuser)
    comments = [row["Comment"] for row in csv_rows(client.get(report_url(walked_form, "comments")))]
    assert "'=HYPERLINK(1)" in comments


@pytest.mark.parametrize(
    "query",
    [
        "?weeks=abc&ending=yesterday",
        "?weeks=3&ending=9999-12-31",
        "?ending=0001-01-01",
        "?version=abc",
        "?version=999999",
        "?weeks=52&ending=2026-02-30",
    ],
)
def test_a_bad_period_or_version_is_reported_and_the_default_shown(client, superuser, walked_form, query):
    client.force_login(superuser)
    for url in (LIST, report_url(walked_form), report_url(walked_form, "funnel"), LIST_CSV):
        response = client.get(url + query)
        assert response.status_code == 200, (url, query)
    html = client.get(report_url(walked_form) + query).content.decode()
    assert "Some of the choices could not be used" in html


def test_a_chosen_period_and_version_are_kept_in_the_links(client, superuser, walked_form):
    client.force_login(superuser)
    version = walked_form.current_version().pk
    ending = timezone.localdate() - datetime.timedelta(weeks=8)
    html = client.get(report_url(walked_form) + f"?weeks=13&ending={ending}&version={version}").content.decode()
    assert f"funnel.csv?weeks=13&amp;ending={ending}&amp;version={version}" in html
    assert "Some of the choices" not in html


def test_an_unknown_form_is_not_found(client, superuser):
    client.force_login(superuser)
    assert client.get("/admin/form-performance/999999/").status_code == 404
    assert client.get("/admin/form-performance/999999/funnel.csv").status_code == 404


def test_staff_without_the_permission_are_turned_away(client, department_staff, walked_form):
    client.force_login(department_staff)
    for url in (LIST, LIST_CSV, report_url(walked_form), report_url(walked_form, "comments")):
        assert turned_away(client.get(url)), url
    assert LIST not in client.get("/admin/").content.decode()


def test_the_coverage_permission_alone_does_not_open_form_performance(client, department_staff, walked_form):
    department_staff.groups.first().permissions.add(Permission.objects.get(codename="view_coverage"))
    client.force_login(department_staff)
    assert turned_away(client.get(LIST))


def test_the_form_performance_permission_opens_every_page_and_the_menu(client, department_staff, walked_form):
    department_staff.groups.first().permissions.add(Permission.objects.get(codename="view_form_performance"))
    client.force_login(department_staff)
    for url in (LIST, LIST_CSV, report_url(walked_form), report_url(walked_form, "comments")):
        assert client.get(url).status_code == 200, url
    assert LIST in client.get("/admin/").content.decode()
    assert turned_away(client.get("/admin/coverage/"))  # and nothing more


def test_the_permission_is_offered_in_the_group_editor(client, superuser):
    client.force_login(superuser)
    group = Group.objects.get(name="Waste and Recycling staff")
    html = client.get(reverse("wagtailusers_groups:edit", args=[group.pk])).content.decode()
    assert "Can view form performance and feedback" in html


# --- constant queries ----------------------------------------------------------------------------------------


def grow_figures(pages: list[EFormPage], days: int, scale: int) -> None:
    """Counters for every page, version, step and day before today (as many journeys as `scale` says), and feedback."""
    today = timezone.localdate()
    counts, times, feedback = [], [], []
    for page in pages:
        version = page.current_version()
        steps = [step.id for step in version.definition().steps] + ["check-answers"]
        for offset in range(1, days + 1):
            day = today - datetime.timedelta(days=offset)
            counts.append(JourneyCount(page=page, version=version, day=day, event="started", count=10 * scale))
            counts.append(JourneyCount(page=page, version=version, day=day, event="completed", count=6 * scale))
            for number, step in enumerate(steps):
                counts.append(JourneyCount(page=page, version=version, day=day, event="reached", step=step, count=9))
                counts.append(JourneyCount(page=page, version=version, day=day, event="left", step=step, count=8))
                times.append(CompletionTime(page=page, version=version, day=day, bucket=60 + number, count=scale))
            feedback.append(ServiceFeedback(page=page, version=version, day=day, rating=1 + offset % 5, comment="ok"))
    JourneyCount.objects.bulk_create(counts)
    CompletionTime.objects.bulk_create(times)
    ServiceFeedback.objects.bulk_create(feedback)


def queries_of(client, url: str) -> int:
    assert client.get(url).status_code == 200  # warm per-process caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_every_page_and_csv_takes_the_same_queries_however_many_forms_and_figures(client, superuser, walked_form):
    client.force_login(superuser)
    urls = [LIST, LIST_CSV] + [report_url(walked_form, table) for table in ("", "weeks", "funnel", "comments")]
    urls.append(report_url(walked_form) + f"?version={walked_form.current_version().pk}")
    small = [queries_of(client, url + ("&" if "?" in url else "?") + "weeks=52") for url in urls]

    forms = list(EFormPage.objects.live().exclude(pk=walked_form.pk)[:40])
    grow_figures([*forms, walked_form], days=30, scale=50)
    grown = [queries_of(client, url + ("&" if "?" in url else "?") + "weeks=52") for url in urls]
    assert small == grown
    assert JourneyCount.objects.count() > 10_000


def test_the_funnel_chart_scales_bars_to_the_most_reached_and_ends_each_with_those_who_stopped():
    steps = [
        FunnelStep("where", "Where you live", reached=8, stopped=2, started=8),
        FunnelStep("elsewhere", "You cannot order", reached=1, stopped=1, is_exit=True, started=8),
        FunnelStep("details", "Your order", reached=4, stopped=0, started=8),
    ]
    chart = charts.funnel_chart(steps)
    assert [row["bar_width"] for row in chart["rows"]] == [charts.WIDTH, charts.WIDTH / 8, charts.WIDTH / 2]
    assert [row["stopped_width"] for row in chart["rows"]] == [charts.WIDTH / 4, charts.WIDTH / 8, 0]
    assert chart["rows"][0]["stopped_x"] == charts.WIDTH * 3 / 4
    assert chart["height"] == 3 * charts.BAR_ROW
    assert charts.funnel_chart([])["rows"] == []


def test_the_period_choices_are_in_the_language_of_the_request():
    from django.utils import translation

    from insights.performance_views import PeriodForm

    with translation.override("cy"):
        welsh = [str(label) for _value, label in PeriodForm().fields["weeks"].choices]
    with translation.override("en-gb"):
        english = [str(label) for _value, label in PeriodForm().fields["weeks"].choices]
    assert all(label.endswith(" wythnos") for label in welsh)
    assert all(label.endswith((" week", " weeks")) for label in english)
