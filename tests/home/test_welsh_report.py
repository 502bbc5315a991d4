"""The "Welsh translations" report: every service page and e-form with its Welsh version's state, a filter for
those missing Welsh, a CSV download, for editors only, in a constant number of queries; bad filters never a 500."""

from __future__ import annotations

import csv
import io

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Locale

from forms_catalogue.models import EFormPage
from home.models import ServicePage
from tests.backoffice.factories import login, make_staff, make_user

URL = "/admin/reports/welsh-translations/"


@pytest.fixture
def editor(client, db):
    user = make_user("editor", superuser=True)
    login(client, user)
    return user


def rows(response) -> list[list[str]]:
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    return [[cell.get_text(" ", strip=True) for cell in row.find_all("td")] for row in soup.select("tbody tr")]


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def english_counts() -> tuple[int, int]:
    default = Locale.get_default()
    return ServicePage.objects.filter(locale=default).count(), EFormPage.objects.filter(locale=default).count()


def test_it_is_in_the_reports_menu_and_lists_the_welsh_state_of_each_page(client, editor, welsh_demo):
    assert URL.encode() in client.get(reverse("wagtailadmin_home")).content
    live = rows(client.get(URL, {"welsh_status": "live", "kind": "eformpage"}))
    assert len(live) == 12
    assert all(row[1] == "E-form" and row[2] == "Live" and row[3] == "Edit the Welsh version" for row in live)
    pothole = next(row for row in rows(client.get(URL, {"welsh_status": "live"})) if row[0] == "Report a pothole")
    assert pothole[1:] == ["Service page", "Live", "Edit the Welsh version"]


def test_the_missing_welsh_filter_lists_the_untranslated_pages_with_a_translate_link(client, editor, welsh_demo):
    services, forms = english_counts()
    response = client.get(URL, {"welsh_status": "missing", "kind": "servicepage"})
    listed = rows(response)
    assert len(listed) == min(services - 12, 100)
    assert all(row[2] == "None" and row[3] == "Translate into Welsh" for row in listed)
    graffiti = ServicePage.objects.get(slug="report-graffiti", locale=Locale.get_default())
    assert reverse("simple_translation:submit_page_translation", args=[graffiti.pk]).encode() in response.content


def test_a_draft_translation_is_reported_as_draft(client, editor, welsh_demo):
    welsh = ServicePage.objects.get(slug="report-pothole", locale__language_code="cy")
    welsh.unpublish()
    listed = rows(client.get(URL, {"welsh_status": "draft"}))
    assert [row[:3] for row in listed] == [["Report a pothole", "Service page", "Draft"]]


def test_the_csv_download_lists_every_service_and_form(client, editor, welsh_demo):
    services, forms = english_counts()
    table = csv_rows(client.get(URL, {"export": "csv"}))
    assert table[0] == ["Page", "Type", "Welsh version", "Edit the English page", "Translate or edit in Welsh"]
    assert len(table) - 1 == services + forms
    assert sum(row[2] == "Live" for row in table[1:]) == 24
    missing = csv_rows(client.get(URL, {"export": "csv", "welsh_status": "missing"}))
    assert len(missing) - 1 == services + forms - 24


@pytest.mark.parametrize(
    "query",
    [
        {"welsh_status": "nonsense"},
        {"kind": "wagtailcore.page"},
        {"welsh_status": ["live", "draft"]},
        {"p": "999"},
        {"p": "abc"},
        {"export": "pdf"},
        {"welsh_status": "\x00"},
    ],
)
def test_bad_filters_are_not_a_server_error(client, editor, query):
    assert client.get(URL, query).status_code in (200, 404)


def test_the_number_of_queries_does_not_grow_with_the_number_of_pages(client, editor, welsh_demo):
    client.get(URL)  # warm caches (site, locales, permissions)

    def queries(params) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as context:
            listed = rows(client.get(URL, params))
        return len(listed), len(context)

    few, few_queries = queries({"welsh_status": "live", "kind": "eformpage"})
    many, many_queries = queries({"kind": "servicepage"})
    assert (few, many) == (12, english_counts()[0])
    assert many_queries == few_queries
    with CaptureQueriesContext(connection) as context:
        csv_rows(client.get(URL, {"export": "csv"}))
    assert len(context) <= few_queries


def test_back_office_staff_without_page_permissions_do_not_see_it(client, db):
    login(client, make_staff("clerk", "Waste and Recycling"))
    assert client.get(URL).status_code in (302, 403)
    assert URL.encode() not in client.get(reverse("wagtailadmin_home")).content
