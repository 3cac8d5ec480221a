"""seed_demo: never on a production configuration unless told, and a demo whose reviewer,
leader and administrator can get past two-factor sign-in without a phone."""

import io
import re
from base64 import b32decode

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from campaigns.models import Campaign
from conftest import PASSWORD
from reports.management.commands import seed_demo

from .two_factor import code_for_key


@pytest.fixture
def quick_demo(monkeypatch, settings, campaign):
    """The command as it is, on campaign 1908 alone and without sample reports (those have
    their own tests), so it runs in a second; in development (pytest-django turns DEBUG off)."""
    settings.DEBUG = True
    monkeypatch.setattr(seed_demo, "demo_campaigns", lambda: [campaign])
    monkeypatch.setattr(seed_demo, "demo_reports", lambda campaign: "")


def run(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_it_refuses_to_run_with_debug_off(settings, db):
    settings.DEBUG = False
    with pytest.raises(CommandError) as refused:
        run()
    assert "không chạy khi DJANGO_DEBUG=0" in str(refused.value)
    assert "--i-know-this-is-not-production" in str(refused.value)
    assert not User.objects.exists() and not Campaign.objects.exists()


def test_it_runs_with_debug_off_when_told(settings, quick_demo):
    settings.DEBUG = False
    assert "Tài khoản mẫu" in run("--i-know-this-is-not-production")
    assert User.objects.filter(username="sonoivu").exists()


def recovery_codes_in(output):
    return {name: codes.split() for name, codes in re.findall(r"^\s+(\S+)\s+mã khôi phục: ([a-z2-7 ]+)$", output, re.M)}


def test_the_privileged_demo_accounts_get_past_two_factor_without_a_phone(settings, quick_demo):
    output = run()
    assert f"mật khẩu chung: {PASSWORD}" in output
    codes = recovery_codes_in(output)
    assert list(codes) == ["quantri", "sonoivu", "lanhdao"]
    assert all(len(their) == 5 for their in codes.values())
    assert len(re.findall(r"khóa bí mật:\s+[A-Z2-7]{4} ", output)) == 3
    assert not TOTPDevice.objects.filter(user__username__startswith="canbo.").exists()

    settings.TWO_FACTOR_ENFORCED = True
    for username in ("sonoivu", "lanhdao", "quantri"):
        client = Client()
        client.post("/login/", {"username": username, "password": PASSWORD})
        assert client.get("/")["Location"].startswith("/account/two-factor/")
        response = client.post("/account/two-factor/", {"code": codes[username][0]})
        assert response.status_code == 302 and response["Location"] == "/", username
    # The printed secret is the device's own: an app given it shows codes that work.
    secret = re.search(r"sonoivu\s+mã khôi phục: .*\n\s+khóa bí mật:\s+([A-Z2-7 ]+)\n", output).group(1)
    key = b32decode(secret.replace(" ", "")).hex()
    assert TOTPDevice.objects.get(user__username="sonoivu").key == key
    client = Client()
    client.post("/login/", {"username": "sonoivu", "password": PASSWORD})
    assert client.post("/account/two-factor/", {"code": code_for_key(key)}).status_code == 302


def test_running_it_again_keeps_the_secret_and_gives_new_codes(quick_demo):
    first = run()
    keys = dict(TOTPDevice.objects.values_list("user__username", "key"))
    second = run()
    assert dict(TOTPDevice.objects.values_list("user__username", "key")) == keys
    assert recovery_codes_in(first)["sonoivu"] != recovery_codes_in(second)["sonoivu"]
