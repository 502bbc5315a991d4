"""Settings → API keys in the Wagtail admin: issue (shown once), list, rename and revoke, with permissions."""

import pytest
from django.contrib.auth.models import Group, Permission
from wagtail.models import ModelLogEntry

from api.keys import authenticate, hash_key
from api.models import Open311Client, QueueApiKey
from backoffice.models import Queue
from tests.backoffice.factories import make_user

QUEUE_KEYS = "/admin/api-keys/queue-keys/"
CLIENTS = "/admin/api-keys/open311-clients/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(make_user("keyadmin", superuser=True))
    return client


def user_with(*codenames: str):
    """A user with admin access and the given API permissions (e.g. "add_queueapikey")."""
    group = Group.objects.create(name=f"API {'-'.join(codenames) or 'none'}")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    for codename in codenames:
        group.permissions.add(Permission.objects.get(content_type__app_label="api", codename=codename))
    return make_user(f"user-{group.pk}", groups=(group,))


def issue_through_admin(client, url: str, **form) -> tuple[str, str]:
    """POST the add form; returns the page's HTML and the key it shows."""
    response = client.post(f"{url}new/", form)
    assert response.status_code == 200, response.content
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    record = type_of(url).objects.get(name=form["name"])
    key = next(word for word in html.split('"') if word.startswith(f"{record.KEY_KIND}_{record.prefix}_"))
    return html, key


def type_of(url: str):
    return QueueApiKey if url == QUEUE_KEYS else Open311Client


def test_a_queue_key_is_shown_once_stored_hashed_and_never_shown_again(superuser_client):
    queue = Queue.objects.order_by("pk").first()

    html, key = issue_through_admin(superuser_client, QUEUE_KEYS, name="Waste CRM", queue=queue.pk)

    assert "You will not see it again" in html
    record = QueueApiKey.objects.get(name="Waste CRM")
    assert record.queue == queue and record.created_by.username == "keyadmin"
    assert record.key_hash == hash_key(key) and key not in (record.key_hash, record.prefix)
    assert authenticate(QueueApiKey, key) == record
    entry = ModelLogEntry.objects.get(action="api.issue_key", object_id=str(record.pk))
    assert key not in str(entry.data) and record.key_hash not in str(entry.data)
    secret = key.split("_", 2)[2]
    pages = ["", f"edit/{record.pk}/", f"history/{record.pk}/", f"revoke/{record.pk}/", "results/"]
    for url in [f"{QUEUE_KEYS}{page}" for page in pages]:
        page = superuser_client.get(url)
        assert page.status_code == 200
        text = page.content.decode()
        assert secret not in text and record.key_hash not in text
    listing = superuser_client.get(QUEUE_KEYS).content.decode()
    assert "Waste CRM" in listing and f"pq_{record.prefix}_…" in listing and queue.name in listing


def test_an_open311_client_key_with_its_contact(superuser_client):
    html, key = issue_through_admin(superuser_client, CLIENTS, name="FixMyStreet", contact_email="ops@example.org")
    client_record = Open311Client.objects.get(name="FixMyStreet")
    assert client_record.contact_email == "ops@example.org" and key.startswith("o311_")
    assert authenticate(Open311Client, key) == client_record
    listing = superuser_client.get(CLIENTS).content.decode()
    assert "ops@example.org" in listing and key.split("_", 2)[2] not in listing


def test_a_form_with_problems_issues_nothing(superuser_client):
    response = superuser_client.post(f"{QUEUE_KEYS}new/", {"name": "", "queue": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not QueueApiKey.objects.exists()


def test_editing_renames_a_key_but_never_moves_it_to_another_queue(superuser_client):
    first, second = Queue.objects.order_by("pk")[:2]
    issue_through_admin(superuser_client, QUEUE_KEYS, name="Old name", queue=first.pk)
    record = QueueApiKey.objects.get()
    key_hash = record.key_hash

    response = superuser_client.post(f"{QUEUE_KEYS}edit/{record.pk}/", {"name": "New name", "queue": second.pk})

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.name == "New name" and record.queue == first and record.key_hash == key_hash


def test_revoking_asks_first_then_refuses_the_key_and_is_audited(superuser_client):
    _html, key = issue_through_admin(superuser_client, CLIENTS, name="Council app", contact_email="")
    record = Open311Client.objects.get()
    assert f"{CLIENTS}revoke/{record.pk}/" in superuser_client.get(CLIENTS).content.decode()

    confirm = superuser_client.get(f"{CLIENTS}revoke/{record.pk}/")
    assert confirm.status_code == 200 and "Yes, revoke" in confirm.content.decode()
    record.refresh_from_db()
    assert record.is_active  # a GET changes nothing

    response = superuser_client.post(f"{CLIENTS}revoke/{record.pk}/")

    assert response.status_code == 302 and response["Location"] == CLIENTS
    record.refresh_from_db()
    assert record.revoked_at is not None and authenticate(Open311Client, key) is None
    assert ModelLogEntry.objects.filter(action="api.revoke_key", object_id=str(record.pk)).count() == 1
    listing = superuser_client.get(CLIENTS).content.decode()
    assert "Revoked" in listing and f"{CLIENTS}revoke/{record.pk}/" not in listing
    # Revoking again changes nothing and logs nothing more.
    superuser_client.post(f"{CLIENTS}revoke/{record.pk}/")
    assert ModelLogEntry.objects.filter(action="api.revoke_key").count() == 1


def test_the_settings_menu_offers_api_keys_to_those_who_may_manage_them(client):
    client.force_login(user_with("add_queueapikey"))
    assert "API keys" in client.get("/admin/").content.decode()
    assert client.get("/admin/api-keys/")["Location"] == QUEUE_KEYS

    client.force_login(user_with("change_open311client"))
    assert client.get("/admin/api-keys/")["Location"] == CLIENTS

    client.force_login(user_with())
    assert "API keys" not in client.get("/admin/").content.decode()
    for url in ["/admin/api-keys/", QUEUE_KEYS, CLIENTS, f"{QUEUE_KEYS}new/"]:
        assert client.get(url).status_code in (302, 403), url


def test_each_action_needs_its_own_permission(client):
    queue = Queue.objects.order_by("pk").first()
    client.force_login(user_with("add_queueapikey"))
    issue_through_admin(client, QUEUE_KEYS, name="Highways system", queue=queue.pk)
    record = QueueApiKey.objects.get()

    listing = client.get(QUEUE_KEYS).content.decode()
    assert "Highways system" in listing and "revoke/" not in listing
    assert CLIENTS not in listing  # no link to the listing this user may not see
    assert client.post(f"{QUEUE_KEYS}revoke/{record.pk}/").status_code in (302, 403)
    record.refresh_from_db()
    assert record.is_active
    assert client.get(CLIENTS).status_code in (302, 403)
    assert client.post(f"{CLIENTS}new/", {"name": "Sneaky"}).status_code in (302, 403)
    assert not Open311Client.objects.exists()

    client.force_login(user_with("change_queueapikey"))
    assert client.post(f"{QUEUE_KEYS}revoke/{record.pk}/").status_code == 302
    record.refresh_from_db()
    assert not record.is_active
    assert client.get(f"{QUEUE_KEYS}new/").status_code in (302, 403)
