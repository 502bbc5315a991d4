"""Settings → Sign-in lock-outs and `manage.py unlock_account`: see who is locked out, and unlock them.

Each test turns the lock-out on (the test settings leave it off), locks an account or an
address with wrong passwords through the sign-in page, and unlocks it as the service desk
would: counted in the database (listed), in a cache (looked up: locmem, and the real Redis).
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry

from backoffice.management.commands.erase_personal_data import operator
from staff_accounts.models import SignInLockout
from staff_accounts.unlocking import UNLOCK, lock_end, look_up
from staff_accounts.unlocking import unlock as unlock_lockout
from tests.backoffice.factories import PASSWORD, make_user
from tests.redis_cache import REDIS_TEST_URL, redis_default_cache

from .test_staff_auth import WRONG, sign_in, signed_in, with_device

pytestmark = pytest.mark.django_db

LOCKOUTS = "/admin/sign-in-lockouts/"
UNLOCK_URL = "/admin/sign-in-lockouts/unlock/"
CACHE_HANDLER = "axes.handlers.cache.AxesCacheHandler"
ADDRESS = "198.51.100.7"


def client_signed_in_as(user, **client_options) -> Client:
    """A client signed in as `user` without a sign-in for axes to log: force_login's request has no
    client address, which axes would record as 'unknown' (PostgreSQL's inet column refuses it)."""
    client = Client(**client_options)
    with override_settings(AXES_ENABLED=False):
        client.force_login(user)
    return client


@pytest.fixture
def officer():
    return make_user("casey.officer")


@pytest.fixture
def desk():
    """A service-desk member: admin access and "Can see and lift sign-in lock-outs", nothing else."""
    group = Group.objects.create(name="Service desk")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        Permission.objects.get(content_type__app_label="staff_accounts", codename="unlock_accounts"),
    )
    user = make_user("desk.agent", groups=(group,))
    desk_client = client_signed_in_as(user)
    desk_client.user = user
    return desk_client


@pytest.fixture
def editor():
    """An admin user without the permission."""
    group = Group.objects.create(name="Editors only")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    user = make_user("eddie.editor", groups=(group,))
    return client_signed_in_as(user)


def lock_account(client, username: str) -> None:
    """10 wrong passwords for `username`, each from another address (so no address is locked)."""
    for number in range(10):
        sign_in(client, username, WRONG, address=f"192.0.2.{number + 1}")


def lock_address(client, address: str = ADDRESS) -> None:
    """10 wrong passwords from `address`, each for another username (so no account is locked)."""
    for number in range(10):
        sign_in(client, f"guess{number}", WRONG, address=address)


def text(response) -> str:
    return response.content.decode()


def unlock(desk, **target: str):
    """Confirm, then unlock, as the page's Unlock link and button do; the page shown afterwards."""
    assert desk.get(UNLOCK_URL, target).status_code == 200
    return desk.post(UNLOCK_URL, target, follow=True)


def entries():
    return ModelLogEntry.objects.filter(action=UNLOCK).order_by("pk")


# --- Counted in the database: listed ----------------------------------------------------------


def test_a_locked_account_is_listed_unlocked_and_signs_in(client, lockout_on, officer, desk):
    device = with_device(officer)
    lock_account(client, officer.username)
    assert sign_in(client, officer.username, PASSWORD, address="203.0.113.9").status_code == 429  # counted too

    page = text(desk.get(LOCKOUTS))
    # Locked until the tenth most recent failure stops counting, 15 minutes after it.
    tenth = AccessAttempt.objects.filter(username=officer.username).order_by("-attempt_time")[9].attempt_time
    until = format_date(timezone.localtime(tenth + timedelta(minutes=15)), "H:i, j F Y")
    assert "Account casey.officer" in page and "<td>11</td>" in page and until in page
    assert f'href="{UNLOCK_URL}?username=casey.officer"' in page
    assert "Address 192.0.2.1" not in page, "ten addresses with one failure each are not locked"

    confirm = text(desk.get(UNLOCK_URL, {"username": officer.username}))
    assert "The account casey.officer: 11 failed sign-ins are counted." in confirm
    assert "Account casey.officer" in text(desk.get(LOCKOUTS)), "not unlocked by the confirmation page"

    done = unlock(desk, username=officer.username)
    assert "The account casey.officer is unlocked (11 failed sign-ins cleared)" in text(done)
    assert "Account casey.officer" not in text(desk.get(LOCKOUTS))
    assert sign_in(client, officer.username, PASSWORD, address="203.0.113.9").status_code == 302
    assert signed_in(client)
    assert TOTPDevice.objects.filter(pk=device.pk).exists(), "unlocking leaves the second factor alone"


def test_a_locked_address_is_listed_unlocked_and_signs_in(client, lockout_on, officer, desk):
    lock_address(client)
    assert sign_in(client, officer.username, PASSWORD, address=ADDRESS).status_code == 429

    page = text(desk.get(LOCKOUTS))
    assert f"Address {ADDRESS}" in page and f'href="{UNLOCK_URL}?address={ADDRESS}"' in page
    assert "Account guess0" not in page

    done = unlock(desk, address=ADDRESS)
    assert f"The address {ADDRESS} is unlocked (11 failed sign-ins cleared)" in text(done)
    assert sign_in(client, officer.username, PASSWORD, address=ADDRESS).status_code == 302


def test_in_the_database_unlocking_an_account_clears_its_failures_from_each_address(client, lockout_on, officer):
    """Each database record holds a username and an address together: the address's count goes with them."""
    for _ in range(10):
        sign_in(client, officer.username, WRONG, address=ADDRESS)
    assert look_up("username", officer.username).locked and look_up("address", ADDRESS).locked
    unlock_lockout(username=officer.username)
    assert look_up("address", ADDRESS).failures == 0


def test_a_locked_username_with_no_account_is_listed_without_an_unlock(client, lockout_on, desk):
    lock_account(client, "no.such.person")
    page = text(desk.get(LOCKOUTS))
    assert "Account no.such.person" in page and "No such account" in page
    assert "?username=no.such.person" not in page


def test_the_lock_ends_when_the_failure_that_reached_the_limit_stops_counting():
    now = timezone.now()
    spread = [(now, 3), (now - timedelta(minutes=1), 5), (now - timedelta(minutes=2), 4), (now - timedelta(5), 9)]
    assert lock_end(spread) == now - timedelta(minutes=2) + timedelta(minutes=15)
    assert lock_end([(now, 12)]) == now + timedelta(minutes=15)
    assert lock_end([(now, 9)]) is None


def test_the_look_up_finds_what_is_counted_below_the_limit(client, lockout_on, officer, desk):
    sign_in(client, officer.username, WRONG, address=ADDRESS)
    page = text(desk.get(LOCKOUTS, {"username": officer.username, "address": ADDRESS}))
    found = page.split('id="found"', 1)[1]
    assert "Account casey.officer" in found and f"Address {ADDRESS}" in found
    assert found.count("Not locked") == 2 and "<td>1</td>" in found and UNLOCK_URL not in found


# --- Counted in a cache (Redis with REDIS_URL): looked up ---------------------------------------


@contextmanager
def locmem_counts():
    """django-axes counting in a local-memory cache of this test's own."""
    cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"unlock-{uuid.uuid4().hex}"}
    with override_settings(CACHES={"default": cache}, AXES_HANDLER=CACHE_HANDLER):
        yield


@contextmanager
def redis_counts():
    """django-axes counting in the real Redis, under a key prefix of this test's own."""
    if not REDIS_TEST_URL:
        pytest.skip("REDIS_TEST_URL is not set (bin/test sets it when Redis runs)")
    with redis_default_cache(AXES_HANDLER=CACHE_HANDLER):
        yield


@pytest.fixture(params=["locmem", "redis"])
def counted_in_a_cache(request, lockout_on):
    with {"locmem": locmem_counts, "redis": redis_counts}[request.param]():
        yield


def test_in_a_cache_a_locked_account_is_looked_up_unlocked_and_signs_in(client, counted_in_a_cache, officer, desk):
    lock_account(client, officer.username)
    assert sign_in(client, officer.username, PASSWORD, address="203.0.113.9").status_code == 429

    page = text(desk.get(LOCKOUTS))
    assert "counted in Redis, which cannot list them" in page and 'id="lockouts"' not in page
    found = text(desk.get(LOCKOUTS, {"username": officer.username})).split('id="found"', 1)[1]
    assert "Account casey.officer" in found and "<td>11</td>" in found
    assert "15 minutes after the last failed sign-in" in found
    assert f'href="{UNLOCK_URL}?username=casey.officer"' in found

    done = unlock(desk, username=officer.username)
    assert "The account casey.officer is unlocked (11 failed sign-ins cleared)" in text(done)
    assert "Not locked" in text(desk.get(LOCKOUTS, {"username": officer.username}))
    assert sign_in(client, officer.username, PASSWORD, address="203.0.113.9").status_code == 302


def test_in_a_cache_a_locked_address_is_looked_up_unlocked_and_signs_in(client, counted_in_a_cache, officer, desk):
    lock_address(client)
    assert sign_in(client, officer.username, PASSWORD, address=ADDRESS).status_code == 429
    found = text(desk.get(LOCKOUTS, {"address": ADDRESS})).split('id="found"', 1)[1]
    assert f"Address {ADDRESS}" in found and "<td>11</td>" in found

    done = unlock(desk, address=ADDRESS)
    assert f"The address {ADDRESS} is unlocked (11 failed sign-ins cleared)" in text(done)
    assert sign_in(client, officer.username, PASSWORD, address=ADDRESS).status_code == 302


def test_in_a_cache_an_account_and_an_address_are_counted_and_unlocked_apart(client, counted_in_a_cache, officer):
    for _ in range(10):
        sign_in(client, officer.username, WRONG, address=ADDRESS)
    unlock_lockout(username=officer.username)
    assert look_up("username", officer.username).failures == 0 and look_up("address", ADDRESS).locked


# --- Who may ------------------------------------------------------------------------------------


def test_without_the_permission_the_page_is_refused_and_nothing_is_unlocked(client, lockout_on, officer, editor):
    lock_account(client, officer.username)
    for response in (
        editor.get(LOCKOUTS),
        editor.get(UNLOCK_URL, {"username": officer.username}),
        editor.post(UNLOCK_URL, {"username": officer.username}),
    ):
        # The admin turns a refusal into its dashboard with "Sorry, you do not have permission ...".
        assert response.status_code == 302 and response["Location"] == "/admin/"
    assert "you do not have permission" in text(editor.get(LOCKOUTS, follow=True))
    assert sign_in(client, officer.username, PASSWORD, address="203.0.113.9").status_code == 429
    assert not entries().exists()
    assert LOCKOUTS not in text(editor.get("/admin/")), "no menu item"


def test_the_menu_item_shows_for_the_service_desk_and_superusers(desk, admin_client):
    assert LOCKOUTS in text(desk.get("/admin/"))
    assert LOCKOUTS in text(admin_client.get("/admin/"))
    assert admin_client.get(LOCKOUTS).status_code == 200


def test_the_permission_is_offered_on_the_group_editor(admin_client):
    group = Group.objects.create(name="Service desk")
    page = text(admin_client.get(f"/admin/groups/edit/{group.pk}/"))
    assert "Can see and lift sign-in lock-outs" in page


def test_an_unlock_without_a_csrf_token_is_refused(client, lockout_on, officer, desk):
    lock_account(client, officer.username)
    strict = client_signed_in_as(desk.user, enforce_csrf_checks=True)
    assert strict.post(UNLOCK_URL, {"username": officer.username}).status_code == 403
    assert sign_in(client, officer.username, PASSWORD, address="203.0.113.9").status_code == 429


# --- The audit log ------------------------------------------------------------------------------


def test_each_unlock_is_in_the_audit_log_with_who_did_it(client, lockout_on, officer, desk, admin_user):
    lock_account(client, officer.username)
    lock_address(client)
    unlock(desk, username=officer.username, address=ADDRESS)

    account, address = entries()
    assert account.user == desk.user and account.label == officer.username
    assert account.content_type.model_class() is SignInLockout and account.object_id == "username:casey.officer"
    assert account.data == {"kind": "username", "failures": 10, "was_locked": True}
    assert account.message == "Unlocked the account's sign-in (10 failed sign-ins cleared)"
    assert address.object_id == f"address:{ADDRESS}" and address.data["failures"] == 10
    assert address.message == "Unlocked sign-ins from this address (10 failed sign-ins cleared)"

    history = client_signed_in_as(admin_user).get("/admin/reports/site-history/")
    assert history.status_code == 200
    assert "Unlocked the account&#x27;s sign-in" in text(history) and ADDRESS in text(history)


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, message",
    [
        ({"username": "nobody-by-this-name"}, "There is no account with the username nobody-by-this-name."),
        ({"address": "198.51.100.300"}, "Enter the address as an IPv4 or IPv6 address"),
        ({"address": "x" * 500}, "Enter the address as an IPv4 or IPv6 address"),
        ({"username": "u" * 500}, "at most 150 characters"),
        ({"username": "", "address": ""}, "Enter a username, an address, or both."),
    ],
)
def test_bad_input_gets_a_clear_message(desk, query, message):
    look_up = desk.get(LOCKOUTS, query)
    assert look_up.status_code == 200 and message in text(look_up)
    for response in (desk.get(UNLOCK_URL, query, follow=True), desk.post(UNLOCK_URL, query, follow=True)):
        assert response.redirect_chain == [(LOCKOUTS, 302)] and message in text(response)
    assert not entries().exists()


# --- The command --------------------------------------------------------------------------------


def test_the_command_unlocks_an_account_and_an_address_audited(client, lockout_on, officer):
    device = with_device(officer)
    lock_account(client, officer.username)
    lock_address(client)
    out = StringIO()
    call_command("unlock_account", officer.username, "--address", ADDRESS, stdout=out)
    assert "The account casey.officer is unlocked (10 failed sign-ins cleared)" in out.getvalue()
    assert f"The address {ADDRESS} is unlocked" in out.getvalue()
    assert sign_in(client, officer.username, PASSWORD, address=ADDRESS).status_code == 302
    assert TOTPDevice.objects.filter(pk=device.pk).exists()

    account, address = entries()
    assert account.user is None and account.data["via"] == f"unlock_account by {operator()}"
    assert account.message == (
        f"Unlocked the account's sign-in (10 failed sign-ins cleared), from the command line "
        f"(unlock_account by {operator()})"
    )
    assert address.data["via_kind"] == "command"


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["nobody-by-this-name"], "There is no account with the username nobody-by-this-name."),
        (["casey.officer", "--address", "not-an-address"], "Enter the address as an IPv4 or IPv6 address"),
    ],
)
def test_the_command_refuses_bad_input(officer, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("unlock_account", *arguments)
    assert not entries().exists()


def test_resetting_the_second_factor_still_lifts_the_lock_out_audited(client, lockout_on, officer):
    with_device(officer)
    lock_account(client, officer.username)
    call_command("reset_second_factor", officer.username, stdout=StringIO())
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert sign_in(client, officer.username, PASSWORD, address="203.0.113.9").status_code == 302
    (entry,) = entries()
    assert entry.data["via"] == f"reset_second_factor by {operator()}"
