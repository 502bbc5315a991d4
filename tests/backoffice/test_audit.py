"""The audit trail in Wagtail's log: every view of a request's personal data and every change, with the user.

Entries are ModelLogEntry rows with the back office's registered actions; they record ids and
statuses, never the answers or the notes; superusers read them in Reports → Site history and
on the request's page.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from backoffice.models import ServiceRequest, Status

from .factories import FLY_TIPPING, login, make_request, page, staff_file_link

pytestmark = pytest.mark.django_db

ACTIONS = {
    "backoffice.view_request": "View request",
    "backoffice.download_file": "Download request file",
    "backoffice.assign": "Assign request",
    "backoffice.change_status": "Change request status",
    "backoffice.replay_delivery": "Replay delivery",
}


def entries(service_request, action: str | None = None):
    found = ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ServiceRequest), object_id=str(service_request.pk)
    ).order_by("pk")
    return found.filter(action=action) if action else found


def url(name: str, service_request, *args) -> str:
    return reverse(f"backoffice_requests:{name}", args=[service_request.pk, *args])


@pytest.fixture
def service_request(media_root):
    return make_request(FLY_TIPPING)


def test_the_back_office_actions_are_registered_with_wagtails_log():
    for action, label in ACTIONS.items():
        assert log_registry.action_exists(action)
        assert log_registry.get_action_label(action) == label
    assert set(ACTIONS) <= {action for action, _label in log_registry.get_choices()}


def test_every_view_of_a_request_is_logged_with_the_user(client, service_request, waste_officer, waste_colleague):
    login(client, waste_officer)
    client.get(url("detail", service_request))
    client.get(url("detail", service_request))
    client.logout()
    login(client, waste_colleague)
    client.get(url("detail", service_request))

    views = entries(service_request, "backoffice.view_request")
    assert [entry.user for entry in views] == [waste_officer, waste_officer, waste_colleague]
    assert {entry.label for entry in views} == {service_request.display_reference}
    assert views.first().message == "Viewed the request's answers"


def test_the_list_shows_no_personal_data_and_is_not_logged(client, service_request, waste_officer):
    login(client, waste_officer)

    response = client.get(reverse("backoffice_requests:index"))

    assert service_request.display_reference in response.content.decode()
    assert "sam.okafor@example.com" not in response.content.decode()
    assert not entries(service_request).exists()


def test_a_file_download_is_logged_without_the_files_name(client, service_request, waste_officer):
    stored = service_request.files.get()
    login(client, waste_officer)

    client.get(staff_file_link(client, service_request))

    entry = entries(service_request, "backoffice.download_file").get()
    assert entry.user == waste_officer
    assert entry.data == {"file_id": stored.pk, "question_id": "photo"}


def test_claim_and_assign_are_logged(client, service_request, waste_officer, waste_colleague):
    login(client, waste_officer)

    client.post(url("claim", service_request), {"seen_assignee": ""})
    client.post(url("assign", service_request), {"assignee": waste_colleague.pk, "seen_assignee": waste_officer.pk})

    claimed, assigned = entries(service_request, "backoffice.assign")
    assert (claimed.user, claimed.data["claimed"], claimed.message) == (waste_officer, True, "Claimed the request")
    assert (assigned.user, assigned.data["assignee_id"]) == (waste_officer, waste_colleague.pk)
    assert assigned.message == "Assigned the request to Walter Tester"


def test_a_status_change_is_logged_without_the_notes(client, service_request, waste_officer):
    login(client, waste_officer)

    client.post(
        url("status", service_request),
        {
            "seen_status": "received",
            "status": "in_progress",
            "public_note": "A crew is on its way.",
            "internal_note": "The landowner is Mr Jones.",
        },
    )

    entry = entries(service_request, "backoffice.change_status").get()
    assert entry.user == waste_officer
    assert entry.data["from_status"] == Status.RECEIVED and entry.data["to_status"] == Status.IN_PROGRESS
    assert entry.data["public_note"] is True and entry.data["citizen_emailed"] is True
    assert entry.data["event_id"] == service_request.events.latest("pk").pk
    assert "crew" not in str(entry.data) and "Jones" not in str(entry.data)
    assert entry.message == "Changed status from Received to In progress"


def test_a_change_that_was_refused_is_not_logged_as_a_change(client, service_request, waste_officer):
    login(client, waste_officer)

    client.post(url("status", service_request), {"seen_status": "received", "status": "received"})

    assert not entries(service_request, "backoffice.change_status").exists()
    # The page shown again with the error holds the answers: that is a view, and is logged.
    assert entries(service_request, "backoffice.view_request").count() == 1


def test_denied_access_leaves_no_entry(client, service_request, highways_officer):
    login(client, highways_officer)

    client.get(url("detail", service_request))
    client.post(url("status", service_request), {"seen_status": "received", "status": "closed"})

    assert not entries(service_request).exists()


def test_superusers_read_the_trail_on_the_request_and_in_site_history(
    client, service_request, waste_officer, superuser
):
    login(client, waste_officer)
    client.get(url("detail", service_request))
    client.post(url("claim", service_request), {"seen_assignee": ""})
    staff_page = client.get(url("detail", service_request))
    client.logout()
    login(client, superuser)

    on_request = page(client.get(url("detail", service_request))).select_one("#audit-section")
    history = client.get(reverse("wagtailadmin_reports:site_history"), {"action": "backoffice.view_request"})

    assert page(staff_page).select_one("#audit-section") is None
    trail = " ".join(on_request.get_text(" ").split())
    assert "Wendy Tester Viewed the request's answers" in trail and "Wendy Tester Claimed the request" in trail
    assert history.status_code == 200
    listed = " ".join(page(history).select_one("table.listing").get_text(" ").split())
    assert f"{service_request.display_reference} Service request Viewed the request's answers Wendy Tester" in listed
