"""Password reset by email: the same answer whether or not the address has an account, a
Vietnamese email with a one-time link, the rule on the new password, and afterwards no forced
change and no lock left on the name."""

import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.utils import timezone

from campaigns.models import Profile

NEW = "Muong-Ang-bao-cao-2025"
RESET = "/account/password/reset/"


def ask(email):
    return Client().post(RESET, {"email": email}, follow=True)


def link_in(message):
    return re.search(r"http://testserver(/account/password/reset/[^/\s]+/[^/\s]+/)", message.body).group(1)


def test_the_login_page_links_to_the_reset(client):
    html = client.get("/login/").content.decode()
    assert f'href="{RESET}"' in html and "Quên mật khẩu?" in html


def test_the_answer_does_not_tell_whether_an_account_has_the_address(officer_a):
    known = ask(officer_a.email)
    unknown = ask("khong-co@example.vn")
    assert known.redirect_chain == unknown.redirect_chain == [("/account/password/reset/sent/", 302)]

    def page(response):  # the same words, whatever the CSRF token
        return re.sub(r'value="[^"]+"', "", response.content.decode())

    assert page(known) == page(unknown)
    assert "Nếu địa chỉ bạn nhập gắn với một tài khoản" in page(known)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [officer_a.email]


def test_the_email_is_vietnamese_and_its_link_sets_a_new_password(officer_a):
    Profile.objects.filter(user=officer_a).update(must_change_password=True)
    ask(officer_a.email.upper())
    (message,) = mail.outbox
    assert message.subject == "Đặt lại mật khẩu cổng thông tin thi đua"
    assert "Kính gửi Alice," in message.body
    assert "Tên đăng nhập của bạn: alice" in message.body
    assert "Nếu bạn không yêu cầu, hãy bỏ qua thư này" in message.body

    client = Client()
    form = client.get(link_in(message), follow=True)
    assert form.status_code == 200 and "Đặt mật khẩu mới" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    short = client.post(set_url, {"new_password1": "ngan", "new_password2": "ngan"})
    assert "Mật khẩu quá ngắn: cần ít nhất 12 ký tự." in short.content.decode()
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/account/password/reset/done/"
    assert "Đã đặt mật khẩu mới" in client.get(done["Location"]).content.decode()

    officer_a.refresh_from_db()
    assert officer_a.check_password(NEW)
    assert not Profile.objects.get(user=officer_a).must_change_password
    assert Client().post("/login/", {"username": "alice", "password": NEW}).status_code == 302

    # The link works once.
    again = Client().get(link_in(message), follow=True)
    assert "không còn dùng được" in again.content.decode()


def test_a_reset_lifts_the_lock_on_the_name(settings, officer_a):
    settings.AXES_ENABLED = True
    locked = Client(REMOTE_ADDR="10.1.2.3")
    for _ in range(5):
        locked.post("/login/", {"username": "alice", "password": "sai-mat-khau"})
    assert AccessAttempt.objects.filter(username="alice").exists()
    ask(officer_a.email)
    client = Client()
    set_url = client.get(link_in(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert not AccessAttempt.objects.filter(username="alice").exists()
    assert locked.post("/login/", {"username": "alice", "password": NEW}).status_code == 302


@pytest.mark.parametrize("who", ["no address", "inactive", "no usable password"])
def test_no_email_for_accounts_that_cannot_use_it(officer_a, who):
    if who == "no address":
        User.objects.filter(pk=officer_a.pk).update(email="")
        ask("")
    elif who == "inactive":
        User.objects.filter(pk=officer_a.pk).update(is_active=False)
        ask(officer_a.email)
    else:
        officer_a.set_unusable_password()
        officer_a.save()
        ask(officer_a.email)
    assert mail.outbox == []


def test_an_expired_link_is_refused(settings, officer_a, monkeypatch):
    ask(officer_a.email)
    link = link_in(mail.outbox[0])
    settings.PASSWORD_RESET_TIMEOUT = 60
    later = default_token_generator._now() + timedelta(hours=1)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    assert "không còn dùng được" in Client().get(link, follow=True).content.decode()


def test_the_development_email_goes_to_the_console():
    """Without EMAIL_HOST (development) the reset email is printed by runserver."""
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    env = {key: value for key, value in os.environ.items() if not key.startswith("EMAIL_")}
    env["DJANGO_SETTINGS_MODULE"] = "emulation.settings"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.stdout.strip() == "django.core.mail.backends.console.EmailBackend", result.stderr


def ask_from(email, address):
    return Client(REMOTE_ADDR=address).post(RESET, {"email": email}, follow=True)


def test_one_mailbox_gets_only_so_many_links_and_the_page_never_says_so(settings, officer_a):
    settings.PASSWORD_RESET_RATE_LIMIT = (3, 3600)
    answers = [ask_from(officer_a.email, f"10.0.0.{n}") for n in range(1, 7)]
    assert len(mail.outbox) == 3  # six asks from six addresses: three links, then nothing
    assert {answer.redirect_chain[-1] for answer in answers} == {("/account/password/reset/sent/", 302)}
    assert len({re.sub(r'value="[^"]+"', "", answer.content.decode()) for answer in answers}) == 1

    # Another mailbox is not held back by this one's limit.
    ask_from("bob@example.vn", "10.0.0.9")
    assert len(mail.outbox) == 3  # bob has no account: still nothing, as always
    other = User.objects.create_user("carol", email="carol@example.vn", password=NEW)
    ask_from(other.email, "10.0.0.9")
    assert mail.outbox[-1].to == ["carol@example.vn"]


def test_one_address_asking_for_many_mailboxes_is_stopped(settings, officer_a, officer_b):
    settings.PASSWORD_RESET_ADDRESS_RATE_LIMIT = (5, 3600)
    for n in range(5):
        ask_from(f"khong-co-{n}@example.vn", "10.9.9.9")
    ask_from(officer_a.email, "10.9.9.9")
    assert mail.outbox == []  # the address used its five asks on mailboxes with no account
    ask_from(officer_b.email, "10.9.9.8")
    assert [message.to for message in mail.outbox] == [[officer_b.email]]


def test_the_window_passes_and_old_asks_are_forgotten(settings, officer_a):
    from accounts.models import PasswordResetRequest

    settings.PASSWORD_RESET_RATE_LIMIT = (1, 3600)
    ask_from(officer_a.email, "10.0.0.1")
    ask_from(officer_a.email, "10.0.0.1")
    assert len(mail.outbox) == 1
    PasswordResetRequest.objects.update(created_at=timezone.now() - timedelta(hours=2))
    ask_from(officer_a.email, "10.0.0.1")
    assert len(mail.outbox) == 2
    PasswordResetRequest.objects.update(created_at=timezone.now() - timedelta(days=2))
    ask_from(officer_a.email, "10.0.0.1")
    assert PasswordResetRequest.objects.count() == 1  # older than a day: gone
