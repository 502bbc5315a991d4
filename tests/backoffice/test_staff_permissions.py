"""Per-queue permissions: staff reach only their own queues' requests, by any view or any URL.

A request outside the user's queues is a 404, exactly like one that does not exist, and
nothing about it changes or is logged; anonymous users and users without admin access get
the admin's login page; the deliveries view and queue settings are for admins only.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import ModelLogEntry

from backoffice.models import Delivery, DeliveryState, ServiceRequest, Status

from .factories import (
    FLY_TIPPING,
    POTHOLE,
    WASTE,
    login,
    make_request,
    make_staff,
    make_user,
    page,
    staff_group,
)

pytestmark = pytest.mark.django_db

INDEX = reverse("backoffice_requests:index")
DELIVERIES = reverse("backoffice_deliveries:index")
LOGIN = reverse("wagtailadmin_login")
ADMIN_HOME = reverse("wagtailadmin_home")


def every_request_url(service_request) -> list[tuple[str, str, dict]]:
    """(method, URL, data) of every staff view of one request, as a member of its queue would use them."""
    pk = service_request.pk
    stored = service_request.files.first()
    file_pk = stored.pk if stored else 1
    seen = {"seen_assignee": "", "seen_status": service_request.status}
    return [
        ("get", reverse("backoffice_requests:detail", args=[pk]), {}),
        ("get", reverse("backoffice_requests:file", args=[pk, file_pk]), {}),
        ("get", reverse("backoffice_requests:reference", args=[service_request.reference]), {}),
        ("post", reverse("backoffice_requests:claim", args=[pk]), seen),
        ("post", reverse("backoffice_requests:assign", args=[pk]), {**seen, "assignee": "1"}),
        (
            "post",
            reverse("backoffice_requests:status", args=[pk]),
            {**seen, "status": Status.CLOSED, "public_note": "x"},
        ),
    ]


def snapshot(service_request) -> tuple:
    """What a change or a view would alter: status, assignee, history, deliveries, audit entries."""
    service_request = ServiceRequest.objects.get(pk=service_request.pk)
    return (
        service_request.status,
        service_request.assignee_id,
        service_request.events.count(),
        service_request.deliveries.count(),
        ModelLogEntry.objects.filter(object_id=str(service_request.pk), action__startswith="backoffice.").count(),
    )


def listed(response) -> list[str]:
    return [cell.get_text(strip=True) for cell in page(response).select("table.listing tbody td.title a")]


@pytest.fixture
def waste_request(media_root):
    return make_request(FLY_TIPPING)


# --- another department's requests ---------------------------------------------------------


def test_another_departments_request_is_not_found_by_any_view(client, waste_request, highways_officer):
    before = snapshot(waste_request)
    login(client, highways_officer)

    for method, url, data in every_request_url(waste_request):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url)

    assert snapshot(waste_request) == before


def test_another_departments_request_looks_exactly_like_one_that_does_not_exist(
    client, waste_request, highways_officer
):
    missing = ServiceRequest.objects.order_by("-pk").first().pk + 1000
    login(client, highways_officer)

    foreign = client.get(reverse("backoffice_requests:detail", args=[waste_request.pk]))
    absent = client.get(reverse("backoffice_requests:detail", args=[missing]))

    assert foreign.status_code == absent.status_code == 404
    assert foreign.content == absent.content


def test_guessing_ids_reaches_only_the_users_own_queue(client, media_root, highways_officer):
    waste = [make_request(FLY_TIPPING) for _ in range(3)]
    own = make_request(POTHOLE)
    login(client, highways_officer)
    first, last = min(r.pk for r in [*waste, own]), max(r.pk for r in [*waste, own])

    reachable = [
        pk
        for pk in range(first, last + 3)
        if client.get(reverse("backoffice_requests:detail", args=[pk])).status_code == 200
    ]

    assert reachable == [own.pk]


def test_another_departments_files_cannot_be_reached_through_the_users_own_request(
    client, waste_request, highways_officer
):
    own = make_request(POTHOLE)
    foreign_file = waste_request.files.get()
    login(client, highways_officer)

    response = client.get(reverse("backoffice_requests:file", args=[own.pk, foreign_file.pk]))

    assert response.status_code == 404


def test_the_list_never_shows_another_departments_request_whatever_the_filters(client, waste_request, highways_officer):
    own = make_request(POTHOLE)
    login(client, highways_officer)

    for query in (
        {},
        {"q": waste_request.reference},
        {"queue": waste_request.queue_id},
        {"service": waste_request.service_id},
        {"status": Status.RECEIVED},
    ):
        response = client.get(INDEX, query)
        assert response.status_code == 200
        assert waste_request.display_reference not in response.content.decode(), query
    assert listed(client.get(INDEX)) == [own.display_reference]
    queue_choices = [option.get_text(strip=True) for option in page(client.get(INDEX)).select("#id_queue option")]
    assert "Waste and Recycling" not in queue_choices and "Highways" in queue_choices


def test_a_request_cannot_be_assigned_to_staff_of_another_queue(client, waste_request, waste_officer, highways_officer):
    login(client, waste_officer)

    client.post(
        reverse("backoffice_requests:assign", args=[waste_request.pk]),
        {"assignee": highways_officer.pk, "seen_assignee": ""},
    )

    waste_request.refresh_from_db()
    assert waste_request.assignee is None


def test_moving_to_another_departments_group_takes_the_old_queue_away(client, waste_request, waste_officer):
    login(client, waste_officer)
    url = reverse("backoffice_requests:detail", args=[waste_request.pk])
    assert client.get(url).status_code == 200

    waste_officer.groups.add(staff_group("Highways"))
    waste_officer.groups.remove(staff_group(WASTE))

    assert client.get(url).status_code == 404
    assert waste_request.display_reference not in client.get(INDEX).content.decode()


# --- no admin access, or no queue ------------------------------------------------------------


def test_anonymous_users_get_the_login_page_for_every_staff_url(client, waste_request):
    urls = every_request_url(waste_request) + [("get", INDEX, {}), ("get", DELIVERIES, {})]
    urls.append(("post", reverse("backoffice_deliveries:replay", args=[waste_request.deliveries.first().pk]), {}))
    before = snapshot(waste_request)

    for method, url, data in urls:
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{LOGIN}?next="), url

    assert snapshot(waste_request) == before


def test_users_without_admin_access_get_the_login_page(client, waste_request):
    citizen = make_user("citizen")
    login(client, citizen)

    for method, url, data in every_request_url(waste_request) + [("get", INDEX, {})]:
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN), url


def test_editors_in_no_queue_have_no_requests_menu_list_or_request(client, waste_request):
    editors, _created = Group.objects.get_or_create(name="Content editors")
    editors.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    editor = make_user("editor", groups=(editors,))
    login(client, editor)

    listing = client.get(INDEX)
    home = client.get(ADMIN_HOME).content.decode()

    assert listing.status_code == 302 and listing["Location"] == ADMIN_HOME
    assert '"name": "requests"' not in home
    assert client.get(reverse("backoffice_requests:detail", args=[waste_request.pk])).status_code == 404


def test_superusers_reach_every_queue(client, media_root, superuser):
    waste, highways = make_request(FLY_TIPPING), make_request(POTHOLE)
    login(client, superuser)

    for service_request in (waste, highways):
        assert client.get(reverse("backoffice_requests:detail", args=[service_request.pk])).status_code == 200


# --- admin-only views --------------------------------------------------------------------------


def test_queue_staff_cannot_see_deliveries_or_replay_them(client, waste_request, waste_officer):
    delivery = waste_request.deliveries.get()
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.DEAD, attempts=15)
    login(client, waste_officer)

    listing = client.get(DELIVERIES)
    replay = client.post(reverse("backoffice_deliveries:replay", args=[delivery.pk]))

    assert listing.status_code == 302 and listing["Location"] == ADMIN_HOME
    assert replay.status_code == 302 and replay["Location"] == ADMIN_HOME
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.DEAD, 15)
    assert '"name": "deliveries"' not in client.get(ADMIN_HOME).content.decode()


def test_web_team_sees_deliveries_but_not_the_queues_requests(client, waste_request, web_team):
    login(client, web_team)

    assert client.get(DELIVERIES).status_code == 200
    assert client.get(reverse("backoffice_requests:detail", args=[waste_request.pk])).status_code == 404
    home = client.get(ADMIN_HOME).content.decode()
    assert '"name": "deliveries"' in home and '"name": "requests"' not in home


@pytest.mark.parametrize(
    "url_name", ["backoffice_queues:index", "backoffice_queues:add", "backoffice_routing_rules:index"]
)
def test_queue_settings_are_for_admins(client, waste_officer, superuser, url_name):
    login(client, waste_officer)
    denied = client.get(reverse(url_name))
    client.logout()
    login(client, superuser)

    assert denied.status_code == 302 and denied["Location"] == ADMIN_HOME
    assert client.get(reverse(url_name)).status_code == 200


def test_queue_staff_cannot_edit_their_own_queue(client, waste_officer):
    queue = staff_group(WASTE).work_queues.get()
    login(client, waste_officer)

    response = client.post(reverse("backoffice_queues:edit", args=[queue.pk]), {"name": "Renamed"})

    assert response.status_code == 302 and response["Location"] == ADMIN_HOME
    queue.refresh_from_db()
    assert queue.name == WASTE


def test_staff_of_two_departments_reach_both(client, media_root):
    officer = make_staff("both", WASTE)
    officer.groups.add(staff_group("Highways"))
    waste, highways = make_request(FLY_TIPPING), make_request(POTHOLE)
    login(client, officer)

    assert {*listed(client.get(INDEX))} == {waste.display_reference, highways.display_reference}
