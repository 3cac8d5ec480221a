"""Attacks on accounts: the second factor on every route, the forced password change on every
route, guessing codes, and one address trying passwords against many accounts.

The world is the access matrix's (tests/test_attack_matrix.py): unit A's report numbered PK
with its evidence, print and summary, so every route's arguments point at a real row. Each
request runs in a rolled-back savepoint and is judged against a snapshot that includes
passwords and two-factor devices."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.tests.two_factor import enrol, totp_code, verify
from campaigns.models import Profile
from conftest import PASSWORD, make_user
from tests import test_attack_matrix as matrix

# The matrix's fixtures, used here as they are.
world = matrix.world
report_status = matrix.report_status
_quick_passwords = matrix._quick_passwords

VERIFY = "/account/two-factor/"
SETUP = "/account/two-factor/setup/"
CHANGE = "/account/password/"
# Routes the gates let through, named here on their own so a change to the list is a
# change to this test: leaving, the language, the pages of people not signed in.
OPEN = {
    "logout",
    "set_language",
    "login",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
}
TWO_FACTOR_PAGES = {"accounts:two_factor_verify", "accounts:two_factor_setup"}
PASSWORD_PAGES = {"accounts:password_change", "accounts:password_change_done"}


def through_the_gate(client, world, expect_location, passes):
    """GET, POST and htmx POST on every route with `client`, each in a rolled-back savepoint.
    Routes in `passes` go through; every other one must send the client to a URL starting
    with `expect_location` and change nothing. Returns the problems as readable lines."""
    report = world["report_a"]
    before = matrix.snapshot()
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    problems = []
    for name, path in world["urls"]:
        for method, headers in (("GET", {}), ("POST", {}), ("POST", {"HX-Request": "true"})):
            where = f"{method:4}{' htmx' if headers else ''} {name} ({path})"
            with transaction.atomic():
                if method == "GET":
                    response = client.get(path, headers=headers)
                else:
                    response = client.post(path, matrix.post_data(report), headers=headers)
                changed = matrix.snapshot() != before
                transaction.set_rollback(True)
            # The session as it was (signing out, rolled back, would leave the client without).
            client.cookies[settings.SESSION_COOKIE_NAME] = session
            location = response.get("HX-Redirect") if headers else response.get("Location")
            if name in passes:
                # The two-factor pages send a user on to each other by themselves.
                if location and location.startswith(expect_location) and name not in TWO_FACTOR_PAGES:
                    problems.append(f"{where}: sent to {location} although the gate lets it through")
                continue
            if headers and (response.status_code != 204 or not location):
                problems.append(f"{where}: htmx answered {response.status_code} without HX-Redirect")
            elif not headers and response.status_code != 302:
                problems.append(f"{where}: answered {response.status_code}, expected a redirect")
            if not (location or "").startswith(expect_location):
                problems.append(f"{where}: sent to {location!r}, expected {expect_location}")
            if changed:
                problems.append(f"{where}: changed data although the gate stopped it")
            response.close()
    return problems


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


# --- the second factor on every route ------------------------------------------------------
@pytest.mark.parametrize("actor", ["reviewer", "leader", "admin"])
def test_an_unverified_reviewer_leader_or_admin_gets_nowhere_without_a_code(settings, world, actor):
    settings.TWO_FACTOR_ENFORCED = True
    user = world["actors"][actor]
    enrol(user)
    problems = through_the_gate(signed_in(user), world, VERIFY, OPEN | TWO_FACTOR_PAGES)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


@pytest.mark.parametrize("actor", ["reviewer", "leader", "admin"])
def test_without_a_device_they_are_sent_to_set_one_up_from_every_route(settings, world, actor):
    settings.TWO_FACTOR_ENFORCED = True
    user = world["actors"][actor]
    problems = through_the_gate(signed_in(user), world, SETUP, OPEN | TWO_FACTOR_PAGES)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


@pytest.mark.parametrize("actor", ["reviewer", "leader", "admin"])
def test_once_verified_every_route_of_their_audience_opens(settings, world, actor):
    settings.TWO_FACTOR_ENFORCED = True
    user = world["actors"][actor]
    client = signed_in(user)
    verify(client, user)
    problems = []
    for name, path in world["urls"]:
        if actor not in matrix.audience(name):
            continue
        with transaction.atomic():
            response = client.get(path)
            transaction.set_rollback(True)
        location = response.get("Location", "")
        if location.startswith((VERIFY, SETUP)) or response.status_code == 404:
            problems.append(f"GET {name} ({path}): {response.status_code} {location}")
        response.close()
    assert not problems, "\n".join(problems)


def test_an_officer_without_a_device_is_not_stopped(settings, world):
    settings.TWO_FACTOR_ENFORCED = True
    client = signed_in(world["actors"]["officer_a"])
    assert client.get(f"/reports/{matrix.PK}/edit/").status_code == 200


def test_an_officer_with_a_device_gets_nowhere_without_a_code(settings, world):
    settings.TWO_FACTOR_ENFORCED = True
    officer = world["actors"]["officer_a"]
    enrol(officer)
    problems = through_the_gate(signed_in(officer), world, VERIFY, OPEN | TWO_FACTOR_PAGES)
    assert not problems, "\n".join(problems)


def test_a_session_verified_for_one_user_is_not_verified_for_another(settings, world):
    """The verified device is the one in the session; signing in as someone else drops it."""
    settings.TWO_FACTOR_ENFORCED = True
    reviewer, leader = world["actors"]["reviewer"], world["actors"]["leader"]
    client = signed_in(reviewer)
    verify(client, reviewer)
    enrol(leader)
    client.force_login(leader)
    assert client.get("/")["Location"].startswith(VERIFY)


# --- guessing codes ------------------------------------------------------------------------
def test_guessing_codes_is_slowed_down_to_a_crawl(settings, reviewer):
    settings.TWO_FACTOR_ENFORCED = True
    device = enrol(reviewer)
    client = Client()
    client.post("/login/", {"username": reviewer.username, "password": PASSWORD})
    right = totp_code(device)
    wrong = [f"{n:06d}" for n in range(100) if f"{n:06d}" != right][:50]
    for guess in wrong:
        client.post(VERIFY, {"code": guess})
    device.refresh_from_db()
    # Fifty quick guesses: the waits (1 s, 2 s, 4 s…) let only the first few be checked, the
    # others were refused unread.
    assert 1 <= device.throttling_failure_count <= 3
    refused = client.post(VERIFY, {"code": totp_code(device)})
    assert "Đã nhập sai nhiều lần" in refused.content.decode()
    assert client.get("/review/")["Location"].startswith(VERIFY)


def test_a_new_session_does_not_reset_the_wait(settings, reviewer):
    settings.TWO_FACTOR_ENFORCED = True
    device = enrol(reviewer)
    Client().post("/login/", {"username": reviewer.username, "password": PASSWORD})
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=8)
    first = Client()
    first.post("/login/", {"username": reviewer.username, "password": PASSWORD})
    first.post(VERIFY, {"code": "000000" if totp_code(device) != "000000" else "111111"})
    fresh = Client()
    fresh.post("/login/", {"username": reviewer.username, "password": PASSWORD})
    answer = fresh.post(VERIFY, {"code": totp_code(device)}).content.decode()
    assert int(re.search(r"đợi (\d+) giây", answer).group(1)) > 60


# --- the forced password change on every route ---------------------------------------------
@pytest.mark.parametrize("actor", ["officer_a", "reviewer"])
def test_a_temporary_password_opens_nothing_but_its_change(world, actor):
    user = world["actors"][actor]
    Profile.objects.filter(user=user).update(must_change_password=True)
    user.profile.refresh_from_db()
    problems = through_the_gate(signed_in(user), world, CHANGE, OPEN | TWO_FACTOR_PAGES | PASSWORD_PAGES)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_the_password_change_needs_the_old_password(client_for, officer_a):
    client = client_for(officer_a)
    response = client.post(CHANGE, {"new_password1": "Mot-mat-khau-moi-2025", "new_password2": "Mot-mat-khau-moi-2025"})
    assert response.status_code == 200
    officer_a.refresh_from_db()
    assert officer_a.check_password(PASSWORD)


def test_the_password_change_refuses_a_post_without_csrf(officer_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_a)
    data = {
        "old_password": PASSWORD,
        "new_password1": "Mot-mat-khau-moi-2025",
        "new_password2": "Mot-mat-khau-moi-2025",
    }
    assert client.post(CHANGE, data).status_code == 403
    officer_a.refresh_from_db()
    assert officer_a.check_password(PASSWORD)


# --- one address, many accounts ------------------------------------------------------------
@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    assert settings.AXES_FAILURE_LIMIT == 5 and settings.AXES_ADDRESS_FAILURE_LIMIT == 30
    return settings


def attempt(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_five_wrong_passwords_lock_that_user_from_that_address_only(axes_on, officer_a, officer_b):
    address = Client(REMOTE_ADDR="10.1.2.3")
    answers = [attempt(address, "alice", "sai-mat-khau").status_code for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]
    locked = attempt(address, "alice", PASSWORD)
    assert locked.status_code == 429
    assert "Tài khoản này đã đăng nhập sai quá nhiều lần từ địa chỉ của bạn" in locked.content.decode()
    assert attempt(Client(REMOTE_ADDR="10.9.9.9"), "alice", PASSWORD).status_code == 302
    assert attempt(Client(REMOTE_ADDR="10.1.2.3"), "bob", PASSWORD).status_code == 302


def test_wrong_passwords_over_thirty_accounts_lock_the_address_for_everyone(axes_on, campaign, officer_a, officer_b):
    address = Client(REMOTE_ADDR="10.1.2.3")
    # Four tries each (under the per-account limit) against guessable officer names.
    names = [f"cb.don-vi-{n:02}" for n in range(8)]
    answers = [attempt(address, name, "Thidua@2024").status_code for name in names for _ in range(4)][:30]
    assert answers == [200] * 29 + [429]
    for username in ("alice", "bob", "cb.don-vi-99"):
        response = attempt(Client(REMOTE_ADDR="10.1.2.3"), username, PASSWORD)
        assert response.status_code == 429, username
    html = response.content.decode()
    assert "Tạm khóa đăng nhập" in html
    assert "Có quá nhiều lần đăng nhập sai từ địa chỉ mạng của bạn" in html
    assert "Vui lòng thử lại sau 15 phút" in html
    # Another address is not touched.
    assert attempt(Client(REMOTE_ADDR="10.9.9.9"), "alice", PASSWORD).status_code == 302
    # After the cool-off the address may try again.
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=16))
    assert attempt(Client(REMOTE_ADDR="10.1.2.3"), "alice", PASSWORD).status_code == 302


def test_signing_in_to_ones_own_account_does_not_reset_the_address_count(axes_on, officer_a, officer_b):
    address = Client(REMOTE_ADDR="10.1.2.3")
    for n in range(29):
        attempt(address, f"cb.khach-{n:02}", "doan-mo")
    assert attempt(Client(REMOTE_ADDR="10.1.2.3"), "bob", PASSWORD).status_code == 302
    assert attempt(address, "cb.khach-99", "doan-mo").status_code == 429
    assert attempt(Client(REMOTE_ADDR="10.1.2.3"), "alice", PASSWORD).status_code == 429


def test_the_admin_login_counts_for_the_address_too(axes_on, officer_a):
    address = Client(REMOTE_ADDR="10.1.2.3")
    for n in range(30):
        address.post("/admin/login/", {"username": f"admin{n}", "password": "doan-mo"})
    assert attempt(Client(REMOTE_ADDR="10.1.2.3"), "alice", PASSWORD).status_code == 429


def test_behind_the_proxy_the_address_is_the_clients(axes_on, settings, officer_a):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(30):
        attempt(Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.2.3"), f"cb.x-{n}", "doan-mo")
    colleague = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.7.7.7")
    assert attempt(colleague, "alice", PASSWORD).status_code == 302
    attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.2.3")
    assert attempt(attacker, "alice", PASSWORD).status_code == 429


def test_the_address_limit_is_a_setting(axes_on, settings, officer_a):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 3
    address = Client(REMOTE_ADDR="10.1.2.3")
    assert [attempt(address, f"cb.y-{n}", "doan-mo").status_code for n in range(3)] == [200, 200, 429]
    make_user("carol", "officer", officer_a.profile.unit)
    assert attempt(Client(REMOTE_ADDR="10.1.2.3"), "carol", PASSWORD).status_code == 429
