"""Passwords: the rule (12 characters, not common, not like the username) in Vietnamese; every
user changes their own; an account whose password an administrator set changes it first."""

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from campaigns.demo import DEMO_PASSWORD, demo_accounts
from campaigns.models import Profile, Role
from conftest import PASSWORD, make_user

from .two_factor import enrol, sign_in_verified, verify

NEW = "Muong-Ang-bao-cao-2025"
CHANGE = "/account/password/"


def messages_of(error):
    return " ".join(error.value.messages)


@translation.override("vi")
def test_the_rule_in_vietnamese(officer_a):
    with pytest.raises(ValidationError) as short:
        validate_password("Ab1!cd2@ef3", user=officer_a)  # 11 characters
    assert "Mật khẩu quá ngắn: cần ít nhất 12 ký tự." in messages_of(short)
    with pytest.raises(ValidationError) as common:
        validate_password("password1234", user=officer_a)
    assert "Mật khẩu này quá phổ biến." in messages_of(common)
    officer_a.username = "canbo.muongang"
    with pytest.raises(ValidationError) as similar:
        validate_password("canbo.muongang1", user=officer_a)
    assert "Mật khẩu quá giống với" in messages_of(similar)
    validate_password(NEW, user=officer_a)


def test_the_demo_password_obeys_the_rule(officer_a):
    assert DEMO_PASSWORD == PASSWORD
    validate_password(DEMO_PASSWORD, user=officer_a)


def test_every_user_changes_their_own_password(client_for, officer_a):
    client = client_for(officer_a)
    page = client.get(CHANGE)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Đổi mật khẩu" in html and "Mật khẩu cũ" in html and "ít nhất 12 ký tự" in html

    short = client.post(
        CHANGE, {"old_password": PASSWORD, "new_password1": "Ngan-qua-1", "new_password2": "Ngan-qua-1"}
    )
    assert short.status_code == 200
    assert "Mật khẩu quá ngắn: cần ít nhất 12 ký tự." in short.content.decode()
    assert 'aria-invalid="true"' in short.content.decode()

    wrong_old = client.post(CHANGE, {"old_password": "sai", "new_password1": NEW, "new_password2": NEW})
    assert "Mật khẩu cũ không chính xác" in wrong_old.content.decode()

    done = client.post(CHANGE, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/account/password/done/"
    assert "Đã đổi mật khẩu" in client.get(done["Location"]).content.decode()
    officer_a.refresh_from_db()
    assert officer_a.check_password(NEW)
    assert client.get("/my-unit/").status_code == 200  # still signed in


def test_changing_the_password_keeps_the_second_factor(settings, reviewer):
    settings.TWO_FACTOR_ENFORCED = True
    client = sign_in_verified(Client(), reviewer)
    client.post(CHANGE, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert client.get("/review/").status_code == 200


# --- forced change ------------------------------------------------------------------------
@pytest.fixture
def admin_client(superuser):
    client = Client()
    client.force_login(superuser)
    return client


def test_an_account_an_administrator_creates_must_change_its_password(admin_client, campaign, unit_a):
    response = admin_client.post(
        "/admin/auth/user/add/",
        {
            "username": "canbo.moi",
            "usable_password": "true",
            "password1": "Tam-thoi-2024-abc",
            "password2": "Tam-thoi-2024-abc",
            "profile-TOTAL_FORMS": "1",
            "profile-INITIAL_FORMS": "0",
            "profile-MIN_NUM_FORMS": "0",
            "profile-MAX_NUM_FORMS": "1",
            "profile-0-role": Role.OFFICER,
            "profile-0-unit": unit_a.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="canbo.moi")
    assert user.profile.must_change_password and user.profile.unit == unit_a

    client = Client()
    assert client.post("/login/", {"username": "canbo.moi", "password": "Tam-thoi-2024-abc"}).status_code == 302
    for path in ("/", "/my-unit/", "/account/", f"/campaigns/{campaign.code}/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == CHANGE, path
    page = client.get(CHANGE).content.decode()
    assert "Mật khẩu của tài khoản này do quản trị đặt. Vui lòng đổi mật khẩu trước khi tiếp tục." in page
    # htmx requests are told where to go; leaving and the language still work.
    assert client.post("/my-unit/", headers={"HX-Request": "true"})["HX-Redirect"] == CHANGE
    assert client.post("/i18n/setlang/", {"language": "vi", "next": "/"}).status_code == 302
    assert client.get("/static/css/portal.css").status_code in (200, 404)  # never sent to the change page

    done = client.post(CHANGE, {"old_password": "Tam-thoi-2024-abc", "new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    user.profile.refresh_from_db()
    assert not user.profile.must_change_password
    assert client.get("/my-unit/").status_code == 200


def test_a_password_the_administrator_sets_must_be_changed(admin_client, superuser, officer_a):
    response = admin_client.post(
        f"/admin/auth/user/{officer_a.pk}/password/",
        {"password1": "Dat-lai-2024-xyz", "password2": "Dat-lai-2024-xyz", "usable_password": "true"},
    )
    assert response.status_code == 302
    officer_a.profile.refresh_from_db()
    assert officer_a.profile.must_change_password
    # A refused form changes nothing.
    Profile.objects.filter(user=officer_a).update(must_change_password=False)
    admin_client.post(f"/admin/auth/user/{officer_a.pk}/password/", {"password1": "a", "password2": "b"})
    officer_a.profile.refresh_from_db()
    assert not officer_a.profile.must_change_password


def test_an_administrator_setting_their_own_password_is_not_asked_again(campaign):
    admin = make_user("qt", Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    response = client.post(
        f"/admin/auth/user/{admin.pk}/password/", {"password1": NEW, "password2": NEW, "usable_password": "true"}
    )
    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.check_password(NEW) and not admin.profile.must_change_password


def test_a_profile_given_in_the_admin_to_a_new_account_asks_for_a_change(admin_client, campaign, unit_a):
    fresh = User.objects.create_user("moi", password="Tam-thoi-2024-abc")
    response = admin_client.post(
        "/admin/campaigns/profile/add/", {"user": fresh.pk, "role": Role.OFFICER, "unit": unit_a.pk}
    )
    assert response.status_code == 302
    assert Profile.objects.get(user=fresh).must_change_password


def test_the_demo_accounts_are_not_asked_to_change(campaign):
    demo_accounts(campaigns=[campaign])
    assert Profile.objects.count() > 10
    assert not Profile.objects.filter(must_change_password=True).exists()


def test_with_a_temporary_password_a_protected_account_shows_the_code_first(settings, reviewer):
    """Both gates: the password change page sits behind the second factor."""
    settings.TWO_FACTOR_ENFORCED = True
    Profile.objects.filter(user=reviewer).update(must_change_password=True)
    enrol(reviewer)
    client = Client()
    client.post("/login/", {"username": reviewer.username, "password": PASSWORD})
    assert client.get("/review/")["Location"] == CHANGE
    assert client.get(CHANGE)["Location"].startswith("/account/two-factor/")
    verify(client, reviewer)
    assert client.get("/review/")["Location"] == CHANGE
    client.post(CHANGE, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert client.get("/review/").status_code == 200


def test_with_a_temporary_password_and_no_device_the_reviewer_sets_one_up_first(settings, reviewer):
    settings.TWO_FACTOR_ENFORCED = True
    Profile.objects.filter(user=reviewer).update(must_change_password=True)
    client = Client()
    client.post("/login/", {"username": reviewer.username, "password": PASSWORD})
    assert client.get(CHANGE)["Location"].startswith("/account/two-factor/setup/")
    assert client.get("/account/two-factor/setup/").status_code == 200
