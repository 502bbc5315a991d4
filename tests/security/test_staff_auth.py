"""Staff sign-in: lock-out by account and by address, the sign-in log, password rules, the second factor.

The test settings turn the lock-out and the second factor off for the rest of the suite
(most tests sign in with `force_login`); every test here turns on the one it checks.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from io import StringIO

import pytest
import redis
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import Page, PageViewRestriction

from portal.page_cache import HIT_HEADER
from tests.backoffice.factories import PASSWORD, make_user
from tests.redis_cache import REDIS_TEST_URL, needs_redis, redis_default_cache
from tests.staff_signin import code_at, code_for_secret, device_key, force_verified_login

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
VERIFY = "/admin/second-factor/"
ENROL = "/admin/second-factor/set-up/"
WRONG = "not-the-password-at-all"


@pytest.fixture
def second_factor_on(settings):
    settings.STAFF_SECOND_FACTOR_REQUIRED = True


@pytest.fixture
def officer():
    return make_user("casey.officer", superuser=True)


def sign_in(client, username: str, password: str, address: str = "192.0.2.10"):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def with_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", key=device_key(user.username))


def current_code(device: TOTPDevice) -> str:
    return code_at(device.key, int(time.time()) // 30)


# --- Lock-out -------------------------------------------------------------------------------------


def test_thirty_wrong_passwords_then_the_right_one_does_not_sign_in(client, lockout_on, officer):
    for _ in range(30):
        sign_in(client, officer.username, WRONG)
    response = sign_in(client, officer.username, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    assert client.get("/admin/").status_code == 302


def test_the_locked_out_person_is_told_what_happened_and_for_how_long(client, lockout_on, officer):
    for _ in range(10):
        sign_in(client, officer.username, WRONG)
    response = sign_in(client, officer.username, PASSWORD)
    text = response.content.decode()
    assert response.status_code == 429 and response["Retry-After"] == "900"
    assert "Sign-in locked" in text and "10 failed attempts" in text and "locked for 15 minutes" in text
    assert "ask a portal administrator to unlock" in text


def test_nine_wrong_passwords_do_not_lock_the_account(client, lockout_on, officer):
    for _ in range(9):
        sign_in(client, officer.username, WRONG)
    assert sign_in(client, officer.username, PASSWORD).status_code == 302
    assert signed_in(client)


def test_an_account_is_locked_however_many_addresses_the_attempts_come_from(client, lockout_on, officer):
    for number in range(10):
        sign_in(client, officer.username, WRONG, address=f"198.51.100.{number}")
    assert sign_in(client, officer.username, PASSWORD, address="203.0.113.99").status_code == 429
    assert not signed_in(client)


def test_an_address_is_locked_whichever_accounts_it_tries(client, lockout_on, officer):
    for number in range(10):
        sign_in(client, f"guess{number}", WRONG, address="198.51.100.7")
    assert sign_in(client, officer.username, PASSWORD, address="198.51.100.7").status_code == 429
    assert not signed_in(client)
    # The same account from another address is not locked: only that address is.
    assert sign_in(client, officer.username, PASSWORD, address="203.0.113.5").status_code == 302


def test_an_administrator_unlocks_an_account(client, lockout_on, officer):
    for number in range(10):
        sign_in(client, officer.username, WRONG, address=f"198.51.100.{number}")
    call_command("axes_reset_username", officer.username, stdout=StringIO())
    assert sign_in(client, officer.username, PASSWORD, address="203.0.113.99").status_code == 302


def test_failed_sign_ins_are_logged_with_username_and_address_but_never_the_password(
    client, lockout_on, officer, caplog
):
    secret = "Wrong-but-secret-Passw0rd!"
    with caplog.at_level(logging.INFO):
        for _ in range(10):
            sign_in(client, officer.username, secret, address="198.51.100.44")
    failures = [r for r in caplog.records if r.name == "staff_accounts.signin" and r.msg == "staff sign-in failed"]
    assert len(failures) == 10
    assert failures[0].username == officer.username and failures[0].address == "198.51.100.44"
    assert failures[0].levelno == logging.WARNING
    assert any(r.msg == "staff sign-in locked out" for r in caplog.records)
    for record in caplog.records:
        assert secret not in record.getMessage() and secret not in str(vars(record))


def test_lockout_counts_in_the_database_without_redis_and_in_the_cache_with_it():
    def handler(**env: str) -> str:
        code = "import portal.settings.base as s; print(s.AXES_HANDLER)"
        environment = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | env
        return subprocess.run(
            [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
        ).stdout.strip()

    assert handler() == "axes.handlers.database.AxesDatabaseHandler"
    assert handler(REDIS_URL="redis://127.0.0.1:6379/0") == "axes.handlers.cache.AxesCacheHandler"


@needs_redis
def test_with_redis_the_count_is_shared_by_every_web_node(client, lockout_on, officer):
    with redis_default_cache(AXES_HANDLER="axes.handlers.cache.AxesCacheHandler") as prefix:
        for number in range(10):
            sign_in(client, officer.username, WRONG, address=f"198.51.100.{number}")
        # Another process (a web node) sees the same counts: they are in Redis, not in this process.
        assert redis.Redis.from_url(REDIS_TEST_URL).keys(f"{prefix}:*")
        assert sign_in(client, officer.username, PASSWORD, address="203.0.113.1").status_code == 429
        call_command("axes_reset_username", officer.username, stdout=StringIO())
        assert sign_in(client, officer.username, PASSWORD, address="203.0.113.1").status_code == 302


# --- Passwords ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password, problem",
    [
        ("x8Gq-2mPv", "too short"),  # 9 characters
        ("telechargement", "too common"),  # on Django's list of common passwords
        ("Password1234", "too easy to guess"),
        ("qwertyuiop12", "too easy to guess"),
        ("Ashworth2026!", "too easy to guess"),  # the council's name and a year
        ("583920174655", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused(password, problem):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert problem in " ".join(refused.value.messages)


@pytest.mark.parametrize("password", ["kettle-orbit-violet-mango", "x8Gq-2mPv-93Lk-Wz"])
def test_strong_passwords_are_accepted(password):
    validate_password(password)


def test_the_admin_refuses_a_weak_password_for_a_new_account(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/users/new/",
        {
            "username": "new.starter",
            "email": "new.starter@ashworth.example.gov.uk",
            "first_name": "New",
            "last_name": "Starter",
            "password1": "Password1234",
            "password2": "Password1234",
        },
    )
    assert response.status_code == 200
    assert "too easy to guess" in response.content.decode()
    assert not type(admin_user).objects.filter(username="new.starter").exists()


# --- Second factor ------------------------------------------------------------------------------


def test_with_the_second_factor_off_force_login_reaches_the_admin(client, officer):
    """The test settings' relaxation: other tests sign staff in with force_login alone."""
    client.force_login(officer)
    assert client.get("/admin/").status_code == 200


def test_a_password_alone_does_not_reach_the_admin(client, second_factor_on, officer):
    with_device(officer)
    response = sign_in(client, officer.username, PASSWORD)
    assert response.status_code == 302 and signed_in(client)
    for url in ("/admin/", "/admin/requests/", "/admin/pages/", "/admin/coverage/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(VERIFY + "?next="), url


def test_the_sign_in_pages_get_their_icons_and_translations(client, second_factor_on, officer):
    """The sign-in layout loads the admin's icon sprite and JavaScript translations: not redirected."""
    sign_in(client, officer.username, PASSWORD)
    assert client.get("/admin/sprite/").status_code == 200
    assert client.get("/admin/jsi18n/").status_code == 200


def test_the_check_leaves_anonymous_pages_cacheable(client, second_factor_on):
    """Citizens have no session cookie: the check must not read a session, or no page could be cached."""
    client.get("/")
    assert client.get("/")[HIT_HEADER] == "hit"


def test_an_account_without_a_device_is_sent_to_set_one_up(client, second_factor_on, officer):
    sign_in(client, officer.username, PASSWORD)
    response = client.get("/admin/requests/")
    assert response.status_code == 302 and response["Location"] == ENROL + "?next=%2Fadmin%2Frequests%2F"


def test_a_password_alone_is_signed_out_outside_the_admin(client, second_factor_on, officer):
    with_device(officer)
    restricted = Page.objects.get(depth=2).specific
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
    sign_in(client, officer.username, PASSWORD)
    assert client.get(restricted.url).status_code == 302  # to the sign-in page: as if signed out
    force_verified_login(client, officer)
    assert client.get(restricted.url).status_code == 200


def test_the_app_code_completes_the_sign_in(client, second_factor_on, officer):
    device = with_device(officer)
    sign_in(client, officer.username, PASSWORD)
    response = client.post(VERIFY, {"code": current_code(device), "next": "/admin/requests/"})
    assert response.status_code == 302 and response["Location"] == "/admin/requests/"
    assert client.get("/admin/requests/").status_code == 200
    # The same code again (a replay) is refused in a new session.
    client.logout()
    sign_in(client, officer.username, PASSWORD)
    assert client.post(VERIFY, {"code": current_code(device)}).status_code == 200
    assert client.get("/admin/").status_code == 302


def test_a_wrong_code_is_refused_with_a_clear_message(client, second_factor_on, officer):
    with_device(officer)
    sign_in(client, officer.username, PASSWORD)
    response = client.post(VERIFY, {"code": "000000"})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    empty = client.post(VERIFY, {"code": ""})
    assert "Enter the code from your authenticator app" in empty.content.decode()


def test_a_recovery_code_works_once(client, second_factor_on, officer):
    with_device(officer)
    device = StaticDevice.objects.create(user=officer, name="Recovery codes")
    StaticToken.objects.create(device=device, token="abcd2345")
    sign_in(client, officer.username, PASSWORD)
    response = client.post(VERIFY, {"code": "ABCD 2345"}, follow=True)
    assert response.status_code == 200 and "You used a recovery code. You have 0 left" in response.content.decode()
    client.logout()
    sign_in(client, officer.username, PASSWORD)
    client.post(VERIFY, {"code": "abcd2345"})
    assert client.get("/admin/").status_code == 302


def test_app_codes_never_hold_up_the_recovery_codes(client, second_factor_on, officer):
    """A code is tried on its own kind of device only: failures there make django-otp delay that device."""
    app = with_device(officer)
    recovery = StaticDevice.objects.create(user=officer, name="Recovery codes")
    StaticToken.objects.create(device=recovery, token="abcd2345")
    sign_in(client, officer.username, PASSWORD)
    client.post(VERIFY, {"code": "000000"})
    client.post(VERIFY, {"code": current_code(app)})
    recovery.refresh_from_db()
    assert recovery.throttling_failure_count == 0
    client.logout()
    sign_in(client, officer.username, PASSWORD)
    assert client.post(VERIFY, {"code": "abcd2345"}).status_code == 302


def test_wrong_codes_count_towards_the_lockout(client, second_factor_on, lockout_on, officer):
    with_device(officer)
    sign_in(client, officer.username, PASSWORD)
    for _ in range(9):
        assert client.post(VERIFY, {"code": "000000"}).status_code == 200
    response = client.post(VERIFY, {"code": "000000"})
    assert response.status_code == 429 and "Sign-in locked" in response.content.decode()
    assert not signed_in(client)
    assert sign_in(client, officer.username, PASSWORD).status_code == 429


def test_first_sign_in_sets_up_the_app_and_gives_recovery_codes(client, second_factor_on, officer):
    sign_in(client, officer.username, PASSWORD)
    page = client.get(ENROL + "?next=/admin/requests/")
    text = page.content.decode()
    assert page.status_code == 200 and "<svg" in text and 'id="totp-secret"' in text
    secret = text.split('id="totp-secret">', 1)[1].split("<", 1)[0]
    assert client.get(ENROL).content.decode().count(secret) == 1, "a reload shows the same secret"
    wrong = client.post(ENROL, {"code": "12345"})
    assert "Enter the code as 6 digits" in wrong.content.decode()
    done = client.post(ENROL, {"code": code_for_secret(secret), "next": "/admin/requests/"})
    assert done.status_code == 200 and done.content.decode().count("<li><code>") == 10
    assert 'href="/admin/requests/"' in done.content.decode()
    assert TOTPDevice.objects.get(user=officer).confirmed
    assert StaticToken.objects.filter(device__user=officer).count() == 10
    assert client.get("/admin/requests/").status_code == 200


def test_a_password_alone_cannot_add_a_device_to_an_enrolled_account(client, second_factor_on, officer):
    with_device(officer)
    sign_in(client, officer.username, PASSWORD)
    response = client.get(ENROL)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    client.post(ENROL, {"code": "123456"})
    assert TOTPDevice.objects.filter(user=officer).count() == 1


def test_next_never_leads_off_the_site(client, second_factor_on, officer):
    device = with_device(officer)
    sign_in(client, officer.username, PASSWORD)
    response = client.post(VERIFY, {"code": current_code(device), "next": "https://attacker.example/admin/"})
    assert response["Location"] == "/admin/"


def test_new_recovery_codes_replace_the_old_ones(client, second_factor_on, officer):
    force_verified_login(client, officer)
    first = client.post("/admin/second-factor/recovery-codes/").content.decode()
    second = client.post("/admin/second-factor/recovery-codes/").content.decode()
    old_code = first.split("<li><code>", 1)[1].split("<", 1)[0]
    assert old_code not in second
    assert StaticToken.objects.filter(device__user=officer).count() == 10
    assert "10 unused recovery codes" in client.get("/admin/second-factor/recovery-codes/").content.decode()


def test_an_administrator_resets_a_lost_second_factor(client, second_factor_on, officer):
    with_device(officer)
    out = StringIO()
    call_command("reset_second_factor", officer.username, stdout=out)
    assert "Removed 1 second-factor device(s)" in out.getvalue()
    sign_in(client, officer.username, PASSWORD)
    assert client.get("/admin/")["Location"].startswith(ENROL)
    with pytest.raises(CommandError, match="no account"):
        call_command("reset_second_factor", "nobody-by-this-name")


def test_make_run_explains_the_second_factor(tmp_path, settings, second_factor_on):
    settings.BASE_DIR = tmp_path
    out = StringIO()
    call_command("ensure_admin", stdout=out)
    assert "Admin login:" in out.getvalue() and "authenticator app" in out.getvalue()
    assert "reset_second_factor admin" in out.getvalue()
