"""Two-factor sign-in: required for reviewers, leaders and administrators, optional for
officers; set up with a QR code or the secret typed by hand; a code (or a one-time recovery
code) after the password before any other page; wrong codes slow down."""

import re
from base64 import b32decode
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import recovery_codes_issue, totp_device_of, two_factor_required
from campaigns.models import Role
from conftest import PASSWORD, make_user

from .two_factor import code_for_key, enrol, sign_in_verified, totp_code, verify

VERIFY = "/account/two-factor/"
SETUP = "/account/two-factor/setup/"


def password_login(user, **extra):
    client = Client(**extra)
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def text(response):
    return response.content.decode()


def setup_key(client):
    """The secret the set-up page offers (kept in the session until confirmed)."""
    return client.session["accounts_totp_setup_key"]


# --- who must -----------------------------------------------------------------------------
def test_who_must_use_two_factor(actors, superuser, django_user_model):
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    stranger = django_user_model.objects.create_user("nobody")
    assert two_factor_required(actors["reviewer"])
    assert two_factor_required(actors["leader"])
    assert two_factor_required(superuser) and two_factor_required(staff)
    assert not two_factor_required(actors["officer_a"])
    assert not two_factor_required(stranger)
    admin_with_profile = make_user("qt", Role.ADMINISTRATOR)
    assert two_factor_required(admin_with_profile)


def test_the_required_roles_come_from_the_setting(settings, actors):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["leader"]
    assert not two_factor_required(actors["reviewer"]) and two_factor_required(actors["leader"])


# --- set-up -------------------------------------------------------------------------------
def test_a_reviewer_without_a_device_is_sent_to_set_up_from_every_page(two_factor_on, reviewer, campaign):
    client = password_login(reviewer)
    for path in ("/", "/review/", f"/campaigns/{campaign.code}/", "/account/", "/account/password/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(SETUP), (path, response)
    page = client.get(SETUP)
    assert "Vai trò của bạn bắt buộc đăng nhập bằng xác thực hai bước: sau mật khẩu" in text(page)


def test_set_up_shows_a_qr_code_and_the_secret_then_recovery_codes_once(two_factor_on, reviewer):
    client = password_login(reviewer)
    page = client.get(SETUP)
    html = text(page)
    assert page.status_code == 200
    # An inline SVG drawn on the server: the CSP allows nothing from elsewhere, no inline style.
    svg = re.search(r"<svg[^>]*class=\"totp-qr\".*?</svg>", html, re.S).group(0)
    assert "style=" not in svg and "<path" in svg
    key = setup_key(client)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1)
    assert bytes.fromhex(key) == b32decode(secret.replace(" ", ""))
    assert client.get(SETUP).content.decode().count(secret) == 1  # a reload shows the same secret
    assert setup_key(client) == key

    wrong = client.post(SETUP, {"code": "000000" if code_for_key(key) != "000000" else "111111"})
    assert wrong.status_code == 200 and "Mã không khớp" in text(wrong)
    assert not TOTPDevice.objects.filter(user=reviewer).exists()

    done = client.post(SETUP, {"code": code_for_key(key)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", text(done))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "Các mã chỉ hiện một lần" in text(done)
    device = totp_device_of(reviewer)
    assert device.key == key and device.confirmed
    assert sorted(StaticToken.objects.filter(device__user=reviewer).values_list("token", flat=True)) == sorted(codes)
    # Verified by the code just typed: the portal opens.
    assert client.get("/review/").status_code == 200
    # The code used to confirm cannot sign in again.
    other = password_login(reviewer)
    assert other.post(VERIFY, {"code": code_for_key(key)}).status_code == 200


def test_the_secret_typed_with_spaces_and_the_code_with_a_space_are_accepted(two_factor_on, reviewer):
    client = password_login(reviewer)
    client.get(SETUP)
    code = code_for_key(setup_key(client))
    assert client.post(SETUP, {"code": f"{code[:3]} {code[3:]}"}).status_code == 200
    assert totp_device_of(reviewer) is not None


# --- signing in ---------------------------------------------------------------------------
def test_after_the_password_a_code_is_asked_before_any_page(two_factor_on, reviewer, campaign):
    device = enrol(reviewer)
    client = password_login(reviewer)
    for path in ("/", "/review/", f"/dashboard/{campaign.code}/", "/account/", SETUP):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(VERIFY), (path, response)
    assert client.get("/review/")["Location"] == f"{VERIFY}?next=%2Freview%2F"
    page = client.get(VERIFY)
    assert "Nhập mã 6 chữ số" in text(page)

    wrong = client.post(VERIFY, {"code": "12345x"})
    assert wrong.status_code == 200 and "Mã không đúng hoặc đã được dùng" in text(wrong)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None, throttling_failure_count=0)

    ok = client.post(VERIFY, {"code": totp_code(device), "next": "/review/"})
    assert ok.status_code == 302 and ok["Location"] == "/review/"
    assert client.get("/review/").status_code == 200


def test_a_recovery_code_works_once(two_factor_on, reviewer):
    enrol(reviewer)
    codes = recovery_codes_issue(user=reviewer)
    client = password_login(reviewer)
    response = client.post(VERIFY, {"code": codes[0].upper()})
    assert response.status_code == 302
    page = client.get("/review/")
    assert page.status_code == 200 and "Bạn vừa dùng một mã khôi phục, còn 9 mã" in text(page)

    again = password_login(reviewer)
    refused = again.post(VERIFY, {"code": codes[0]})
    assert refused.status_code == 200 and "Mã không đúng hoặc đã được dùng" in text(refused)


def test_wrong_codes_are_slowed_down(two_factor_on, reviewer):
    """django-otp's throttling: after n wrong codes the next try waits 2^(n-1) seconds, and
    a right code inside that wait is refused too."""
    device = enrol(reviewer)
    client = password_login(reviewer)
    client.post(VERIFY, {"code": "000001" if totp_code(device) != "000001" else "000002"})
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # As after three wrong codes (a 4 s wait), so a slow machine still answers inside the wait.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=3)
    refused = client.post(VERIFY, {"code": totp_code(device)})
    assert refused.status_code == 200
    assert re.search(r"Đã nhập sai nhiều lần. Vui lòng đợi \d+ giây rồi thử lại.", text(refused))
    assert client.get("/review/").status_code == 302

    # Ten wrong codes in a row (each after its wait) make the next wait over eight minutes.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=10)
    refused = client.post(VERIFY, {"code": totp_code(device)})
    seconds = int(re.search(r"đợi (\d+) giây", text(refused)).group(1))
    assert 500 <= seconds <= 512

    # Once the wait is over the right code gets in and the count starts again.
    device.refresh_from_db()
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=device.throttling_failure_timestamp - timedelta(hours=1)
    )
    assert client.post(VERIFY, {"code": totp_code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_recovery_codes_are_throttled_too(two_factor_on, reviewer):
    enrol(reviewer)
    codes = recovery_codes_issue(user=reviewer)
    client = password_login(reviewer)
    client.post(VERIFY, {"code": "aaaaaaaa"})
    refused = client.post(VERIFY, {"code": codes[0]})
    assert "Đã nhập sai nhiều lần" in text(refused)


def test_next_never_leaves_the_portal(two_factor_on, reviewer):
    device = enrol(reviewer)
    client = password_login(reviewer)
    response = client.post(VERIFY, {"code": totp_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_htmx_requests_get_hx_redirect(two_factor_on, reviewer, officer_a, campaign):
    enrol(reviewer)
    client = password_login(reviewer)
    response = client.post("/review/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == VERIFY
    fresh = make_user("rina", Role.REVIEWER)
    client = password_login(fresh)
    assert client.get("/review/", headers={"HX-Request": "true"})["HX-Redirect"] == SETUP


def test_sign_out_and_the_language_stay_reachable(two_factor_on, reviewer):
    enrol(reviewer)
    client = password_login(reviewer)
    assert client.post("/i18n/setlang/", {"language": "en", "next": VERIFY}).status_code == 302
    page = text(client.get(VERIFY))
    assert '<html lang="en">' in page and "Two-step verification" in page
    assert client.post("/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_check_can_be_switched_off(settings, reviewer):
    settings.TWO_FACTOR_ENFORCED = False
    enrol(reviewer)
    client = password_login(reviewer)
    assert client.get("/review/").status_code == 200


# --- the admin site -----------------------------------------------------------------------
def test_the_admin_site_needs_a_verified_administrator(two_factor_on, superuser):
    client = Client()
    client.force_login(superuser)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    enrol(superuser)
    response = client.get("/admin/auth/user/")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    verify(client, superuser)
    assert client.get("/admin/auth/user/").status_code == 200


def test_the_admin_can_remove_a_lost_phone_and_the_user_sets_up_again(two_factor_on, superuser, reviewer):
    admin = sign_in_verified(Client(), superuser)
    device = enrol(reviewer)
    response = admin.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not TOTPDevice.objects.filter(user=reviewer).exists()
    client = password_login(reviewer)
    assert client.get("/")["Location"].startswith(SETUP)


# --- officers: optional -------------------------------------------------------------------
def test_an_officer_is_not_forced_but_may_turn_it_on_and_off(two_factor_on, officer_a):
    client = password_login(officer_a)
    assert client.get("/my-unit/").status_code == 200
    account = text(client.get("/account/"))
    assert "Chưa bật" in account and "Bật xác thực hai bước" in account
    client.get(SETUP)
    assert client.post(SETUP, {"code": code_for_key(setup_key(client))}).status_code == 200
    assert "Đang bật" in text(client.get("/account/"))

    # From now on the officer, too, enters a code after the password.
    again = password_login(officer_a)
    assert again.get("/my-unit/")["Location"].startswith(VERIFY)
    verify(again, officer_a)
    response = again.post("/account/two-factor/off/")
    assert response.status_code == 302
    assert totp_device_of(officer_a) is None
    assert password_login(officer_a).get("/my-unit/").status_code == 200


def test_a_reviewer_cannot_turn_it_off(two_factor_on, reviewer):
    client = sign_in_verified(Client(), reviewer)
    response = client.post("/account/two-factor/off/", follow=True)
    assert "bắt buộc đăng nhập bằng xác thực hai bước" in text(response)
    assert totp_device_of(reviewer) is not None


def test_new_recovery_codes_replace_the_old_ones(two_factor_on, reviewer):
    client = sign_in_verified(Client(), reviewer)
    old = list(StaticToken.objects.filter(device__user=reviewer).values_list("token", flat=True))
    assert client.get("/account/two-factor/recovery-codes/").status_code == 405
    response = client.post("/account/two-factor/recovery-codes/")
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", text(response))
    assert len(new) == 10 and not set(new) & set(old)
    assert sorted(StaticToken.objects.filter(device__user=reviewer).values_list("token", flat=True)) == sorted(new)


def test_a_new_phone_replaces_the_old_one_after_a_code_from_the_old(two_factor_on, reviewer):
    old = enrol(reviewer)
    client = password_login(reviewer)
    assert client.get(SETUP)["Location"].startswith(VERIFY)  # not with the password alone
    verify(client, reviewer, old)
    page = client.get(SETUP)
    assert "điện thoại mới" in text(page)
    assert client.post(SETUP, {"code": code_for_key(setup_key(client))}).status_code == 200
    assert list(TOTPDevice.objects.filter(user=reviewer)) == [totp_device_of(reviewer)] != [old]


def test_the_account_page(two_factor_on, reviewer):
    client = sign_in_verified(Client(), reviewer)
    html = text(client.get("/account/"))
    for words in (
        "Tài khoản",
        "rita",
        "Sở Nội vụ (Ban Thi đua – Khen thưởng)",
        "Đang bật",
        "Còn 10 mã khôi phục",
        "Đổi mật khẩu",
        "Tạo mã khôi phục mới",
        "bắt buộc đăng nhập bằng xác thực hai bước",
    ):
        assert words in html, words
    assert "Tắt xác thực hai bước" not in html


def test_the_navigation_leads_to_the_account_page(client_for, officer_a):
    html = text(client_for(officer_a).get("/my-unit/"))
    assert 'href="/account/"' in html


def test_a_user_without_a_device_on_the_verify_page_is_sent_on(two_factor_on, officer_a):
    client = password_login(officer_a)
    assert client.get(VERIFY)["Location"] == "/account/"


@pytest.mark.parametrize("username", ["lanhdao"])
def test_a_leader_is_forced_too(two_factor_on, campaign, username):
    leader = make_user(username, Role.LEADER)
    client = password_login(leader)
    assert client.get("/")["Location"].startswith(SETUP)
    assert User.objects.get(username=username).profile.role == Role.LEADER
