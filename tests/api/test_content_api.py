"""The content API (/api/v2/pages/): catalogue fields, filters, problem documents, constant query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forms_catalogue.models import EFormPage
from home.models import CategoryPage, OnlineStatus, ServicePage
from tests.home.factories import make_category, make_department, make_services

PAGES = "/api/v2/pages/"
pytestmark = pytest.mark.django_db


def get_json(client, url: str, **params) -> dict:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def problem(client, url: str, status: int, **params) -> dict:
    response = client.get(url, params)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["detail"] and body["message"] == body["detail"]
    return body


def test_a_service_page_carries_the_catalogue_fields(client):
    service = ServicePage.objects.live().get(slug="report-missed-bin")
    eform = EFormPage.objects.child_of(service).live().get()

    page = get_json(client, f"{PAGES}{service.pk}/")

    assert page["meta"]["type"] == "home.ServicePage"
    assert page["meta"]["parent"]["id"] == service.get_parent().pk
    assert page["title"] == service.title and page["summary"] == service.summary
    assert page["online_status"] == "online_form" and page["lgsl_code"] == service.lgsl_code
    department = service.department
    assert page["department"] == {"name": department.name, "phone": department.phone, "email": department.email}
    assert page["keywords"] == service.keyword_list and "wheelie bin" in page["keywords"]
    assert page["offline_channels"] == {
        "phone": service.contact_phone,
        "email": service.contact_email,
        "address": service.contact_address,
        "opening_hours": service.contact_opening_hours,
    }
    assert page["eform"] == {
        "code": "report-missed-bin",
        "url": eform.get_full_url(),
        "api_url": eform.get_site().root_url + "/api/v1/forms/report-missed-bin",
    }
    assert page["external_url"] == "" and page["body"][0]["type"] == "paragraph"
    assert "<p>" in page["body"][0]["value"]


def test_offline_channels_fall_back_to_the_department_and_an_external_service_has_no_eform(client):
    department = make_department("Parking Services Test")
    category = make_category()
    (service,) = make_services(
        category, 1, department=department, phone="01632 000111", external_url="https://pay.example.gov.uk/"
    )

    page = get_json(client, f"{PAGES}{service.pk}/")

    assert page["offline_channels"]["phone"] == "01632 000111"
    assert page["offline_channels"]["email"] == department.email
    assert page["online_status"] == OnlineStatus.ONLINE_ELSEWHERE
    assert page["eform"] is None and page["external_url"] == "https://pay.example.gov.uk/"


def test_a_category_page_carries_its_summary_and_intro(client):
    category = CategoryPage.objects.live().get(slug="bins-and-recycling")
    page = get_json(client, f"{PAGES}{category.pk}/")
    assert page["summary"] == category.summary and page["intro"] == category.intro


def test_the_category_filter_lists_one_categorys_services_with_their_listing_fields(client):
    category = CategoryPage.objects.live().get(slug="bins-and-recycling")
    expected = set(ServicePage.objects.child_of(category).live().public().values_list("title", flat=True))

    listing = get_json(client, PAGES, category="bins-and-recycling", limit=50)

    assert {item["title"] for item in listing["items"]} == expected
    assert listing["meta"]["total_count"] == len(expected)
    first = listing["items"][0]
    assert {"summary", "online_status", "department", "eform", "lgsl_code", "external_url"} <= first.keys()
    assert get_json(client, PAGES, child_of=category.pk, type="home.ServicePage", limit=50)["meta"][
        "total_count"
    ] == len(expected)


def test_the_online_status_filter(client):
    listing = get_json(client, PAGES, online_status="online_form", limit=100, fields="_,title,eform")
    online = ServicePage.objects.live().public().filter(online_status="online_form")
    assert listing["meta"]["total_count"] == online.count() > 0
    assert all(item["eform"]["code"] for item in listing["items"])

    category = make_category()
    make_services(category, 2, information_only=True)
    informational = get_json(client, PAGES, online_status="information_only", category=category.slug)
    assert informational["meta"]["total_count"] == 2
    assert all(item["eform"] is None for item in informational["items"])


def test_search_finds_services_by_keyword_and_combines_with_filters(client):
    found = get_json(client, PAGES, search="wheelie bin", type="home.ServicePage", fields="_,title")
    assert "Report a missed bin collection" in {item["title"] for item in found["items"]}

    in_category = get_json(client, PAGES, search="bin", category="bins-and-recycling", limit=50)
    category = CategoryPage.objects.get(slug="bins-and-recycling")
    slugs = set(ServicePage.objects.child_of(category).values_list("slug", flat=True))
    assert in_category["items"] and {item["meta"]["slug"] for item in in_category["items"]} <= slugs
    assert get_json(client, PAGES, search="bin", search_operator="or", order="title")["items"]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"unknown": "1"}, "not an operation or a recognised field: unknown"),
        ({"fields": "nope"}, "unknown fields: nope"),
        ({"fields": "title("}, "fields error"),
        ({"offset": "-1"}, "offset must be a positive integer"),
        ({"offset": "abc"}, "offset must be a positive integer"),
        ({"offset": "9" * 30}, "offset is too large"),
        ({"limit": "1000"}, "limit cannot be higher than 100"),
        ({"type": "home.Nope"}, "type doesn't exist"),
        ({"type": "auth.User"}, "type doesn't exist"),
        ({"child_of": "999999"}, "parent page doesn't exist"),
        ({"child_of": "9" * 30}, "child_of is too large"),
        ({"order": "nope"}, "cannot order by 'nope'"),
        ({"online_status": "bogus"}, "online_status must be one of: online_form"),
        ({"category": "no-such-category"}, "there is no category with the slug 'no-such-category'"),
        ({"category": "\x00"}, "there is no category"),
        ({"category": "x", "type": "home.CategoryPage"}, "category filters service pages"),
        ({"lgsl_code": "abc"}, "not a valid value for lgsl_code"),
        ({"department": "9" * 30}, "department is too large"),
        ({"search": ""}, "search must contain at least one letter or number"),
        ({"search": "\"')(*"}, "search must contain at least one letter or number"),
        ({"search": "bin", "search_operator": "xor"}, "search_operator must be 'and' or 'or'"),
        ({"rich_text_format": "bad"}, "rich_text_format must be one of"),
    ],
)
def test_bad_queries_are_400_problem_documents(client, params, words):
    body = problem(client, PAGES, 400, **params)
    assert words in body["detail"]
    assert body["type"].endswith("/invalid-query") and body["instance"] == PAGES


def test_odd_search_input_gives_results_not_errors(client):
    for query in ["bin AND OR NOT", '"bin', "b" * 10_000, "bin\x01\x7f", "bin*"]:
        assert "items" in get_json(client, PAGES, search=query)


def test_missing_pages_and_addresses_are_404_problem_documents(client):
    for url in [f"{PAGES}999999/", f"{PAGES}{'9' * 30}/", f"{PAGES}abc/", "/api/v2/", "/api/v2/images/"]:
        assert problem(client, url, 404)["type"].endswith("/not-found")
    assert problem(client, f"{PAGES}find/", 404, id="999999")
    assert "id must be a positive integer" in problem(client, f"{PAGES}find/", 400, id="abc")["detail"]
    assert client.post(PAGES).status_code == 405


def test_find_by_html_path_redirects_to_the_detail(client):
    response = client.get(f"{PAGES}find/", {"html_path": "/bins-and-recycling/report-missed-bin/"})
    service = ServicePage.objects.get(slug="report-missed-bin")
    assert response.status_code == 302 and f"{PAGES}{service.pk}/" in response["Location"]


def test_drafts_and_private_pages_are_not_listed(client):
    category = make_category()
    live, draft = make_services(category, 2)
    draft.unpublish()
    listing = get_json(client, PAGES, category=category.slug)
    assert [item["id"] for item in listing["items"]] == [live.pk]
    assert problem(client, f"{PAGES}{draft.pk}/", 404)


def count_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        get_json(client, PAGES, **params)
    return len(queries)


def test_a_listing_takes_the_same_number_of_queries_however_many_pages_it_holds(client):
    for params, few, many in [
        ({"type": "home.ServicePage", "fields": "*"}, 2, 100),
        ({"online_status": "online_form", "fields": "*"}, 1, 80),
        ({"search": "bin", "type": "home.ServicePage", "fields": "*"}, 1, 16),
        ({"fields": "*"}, 1, 100),
    ]:
        count_queries(client, limit=many, **params)  # warm per-process caches: site root paths, content types
        assert count_queries(client, limit=few, **params) == count_queries(client, limit=many, **params), params
