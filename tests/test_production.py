"""Production settings: check --deploy is silent, the portal refuses to start without a
secret, security headers are sent, and gunicorn serves the portal with whitenoise."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def production_env(tmp_path, **extra):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="emulation.settings",
        DJANGO_DEBUG="0",
        SECRET_KEY="a-production-secret-key-that-is-long-and-random-0123456789-abcdefghij",
        ALLOWED_HOSTS="thidua.example.vn,127.0.0.1",
        CSRF_TRUSTED_ORIGINS="https://thidua.example.vn",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        BROKER_DIR=str(tmp_path / "broker"),
    )
    env.update(extra)
    return env


def manage(env, *args, check=True):
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=check
    )


@pytest.mark.parametrize("proxies", ["0", "1"])
def test_check_deploy_is_silent_with_production_settings(tmp_path, proxies):
    env = production_env(tmp_path, TRUSTED_PROXY_COUNT=proxies)
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


# What the portal makes of a plain-HTTP request that claims HTTPS: whether it is secure, and
# what SECURE_SSL_REDIRECT answers it (301 to https, or the portal's own redirect to login).
CLAIMS_HTTPS = """
from django.test import Client, RequestFactory
claim = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_HOST": "thidua.example.vn"}
print(RequestFactory().get("/", **claim).is_secure())
response = Client().get("/", **claim)
print(response.status_code, response.get("Location", "-"))
"""


def test_without_a_proxy_x_forwarded_proto_does_not_make_a_request_secure(tmp_path):
    env = production_env(tmp_path, TRUSTED_PROXY_COUNT="0")
    secure, answer = manage(env, "shell", "--no-imports", "-c", CLAIMS_HTTPS).stdout.splitlines()
    assert secure == "False"
    assert answer == "301 https://thidua.example.vn/"


def test_behind_a_trusted_proxy_x_forwarded_proto_is_believed(tmp_path):
    env = production_env(tmp_path, TRUSTED_PROXY_COUNT="1")
    secure, answer = manage(env, "shell", "--no-imports", "-c", CLAIMS_HTTPS).stdout.splitlines()
    assert secure == "True"
    assert answer == "302 /login/?next=/"


def test_production_refuses_to_start_without_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = manage(env, "check", check=False)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_security_headers_and_cookies(client, settings):
    response = client.get("/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "http" not in csp  # only the portal's own files
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_AGE == 60 * 60


def test_session_expires_after_inactivity_setting(tmp_path):
    env = production_env(tmp_path, SESSION_IDLE_MINUTES="15")
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_AGE, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    result = manage(env, "shell", "--no-imports", "-c", code)
    assert result.stdout.split() == ["900", "True", "31536000"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_serves_the_portal_and_static_files(tmp_path):
    env = production_env(tmp_path, SECURE_SSL_REDIRECT="0", TRUSTED_PROXY_COUNT="1")
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    port = free_port()
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "emulation.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 30
        while True:
            try:
                # As nginx forwards it after terminating TLS.
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/login/", headers={"X-Forwarded-Proto": "https"}
                )
                page = urllib.request.urlopen(request, timeout=5)
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise AssertionError("gunicorn did not start") from None
                time.sleep(0.3)
        with page:
            html = page.read().decode()
        assert page.status == 200 and "Đăng nhập" in html
        assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        css = urllib.request.urlopen(f"http://127.0.0.1:{port}/static/vendor/bootstrap/bootstrap.min.css", timeout=5)
        with css:
            assert css.status == 200 and b"Bootstrap" in css.read(2000)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_login_throttling_uses_the_client_address_behind_a_proxy(rf, settings):
    from emulation.middleware import client_ip

    request = rf.get("/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1  # nginx appends the client it saw: the right-most entry
    assert client_ip(request) == "203.0.113.9"
