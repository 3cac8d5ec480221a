"""Login protection: after too many wrong passwords the username is locked from that address
for a while, with a Vietnamese message; other accounts on the same address (a department
shares one) keep working; weak passwords are refused by Django's validators."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from conftest import PASSWORD


@pytest.fixture
def axes_on(settings):
    """The project's own limits (5 failures, 15 minutes), with throttling switched back on."""
    settings.AXES_ENABLED = True
    assert settings.AXES_FAILURE_LIMIT == 5 and timedelta(hours=settings.AXES_COOLOFF_TIME) == timedelta(minutes=15)
    return settings


def attempt(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def fail_until_locked(client, username):
    responses = [attempt(client, username, "sai-mat-khau") for _ in range(5)]
    assert [response.status_code for response in responses[:4]] == [200] * 4  # the form again, with its error
    return responses[-1]


def test_repeated_failures_lock_the_username_from_that_address(axes_on, officer_a):
    client = Client(REMOTE_ADDR="10.1.2.3")
    locked = fail_until_locked(client, "alice")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Tạm khóa đăng nhập" in html
    assert "Vui lòng thử lại sau 15 phút" in html

    # Even the right password is refused while the lock holds, and no session is opened.
    again = attempt(client, "alice", PASSWORD)
    assert again.status_code == 429 and "Tạm khóa đăng nhập" in again.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/my-unit/").status_code == 302  # still sent to the login page


def test_another_username_on_the_same_address_is_not_locked(axes_on, officer_a, officer_b):
    fail_until_locked(Client(REMOTE_ADDR="10.1.2.3"), "alice")
    colleague = Client(REMOTE_ADDR="10.1.2.3")
    response = attempt(colleague, "bob", PASSWORD)
    assert response.status_code == 302
    assert colleague.get("/my-unit/").status_code == 200


def test_the_same_username_from_another_address_is_not_locked(axes_on, officer_a):
    fail_until_locked(Client(REMOTE_ADDR="10.1.2.3"), "alice")
    elsewhere = Client(REMOTE_ADDR="10.9.9.9")
    assert attempt(elsewhere, "alice", PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_cool_off(axes_on, officer_a):
    from axes.models import AccessAttempt

    client = Client(REMOTE_ADDR="10.1.2.3")
    fail_until_locked(client, "alice")
    assert attempt(client, "alice", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=16))
    assert attempt(client, "alice", PASSWORD).status_code == 302


def test_a_successful_login_resets_the_count(axes_on, officer_a):
    client = Client(REMOTE_ADDR="10.1.2.3")
    for _ in range(4):
        attempt(client, "alice", "sai-mat-khau")
    assert attempt(client, "alice", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, "alice", "sai-mat-khau").status_code == 200
    assert attempt(client, "alice", PASSWORD).status_code == 302


@pytest.mark.parametrize("weak", ["123456", "password", "alice2024", "Ab1!"])
def test_weak_passwords_are_refused(officer_a, weak):
    with pytest.raises(ValidationError):
        validate_password(weak, user=officer_a)


def test_weak_password_message_is_vietnamese(officer_a):
    with pytest.raises(ValidationError) as refused:
        validate_password("123456", user=officer_a)
    text = " ".join(refused.value.messages)
    assert "Mật khẩu" in text or "mật khẩu" in text, text


def test_a_strong_password_is_accepted(officer_a):
    validate_password("Dien-Bien-thi-dua-2024!", user=officer_a)
