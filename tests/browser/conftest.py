"""A real Chromium (Debian's /usr/bin/chromium) driven by Playwright against pytest-django's
live server. Test modules here mark themselves `browser` (`make test-browser`); a failing
test leaves a screenshot and the page's console errors under test-artifacts/."""

import os
import re
from pathlib import Path

import pytest

from conftest import PASSWORD

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# test itself (fixtures, assertions) would otherwise be refused as "async-unsafe".
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 15_000


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser profile (Vietnamese, Hà Nội time) on the live server. `page.problems`
    collects console errors and failed requests, so a journey can prove the page ran
    cleanly under the Content-Security-Policy."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        accept_downloads=True,
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    tab.problems = []
    tab.on("console", lambda message: _console_problem(tab, message))
    tab.on("pageerror", lambda error: tab.problems.append(f"script error: {error}"))
    tab.on("response", lambda response: _response_problem(tab, response))
    yield tab
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        try:
            tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            (ARTIFACTS / f"{name}.txt").write_text(f"{tab.url}\n" + "\n".join(tab.problems), encoding="utf-8")
        except Exception as error:  # the screenshot must never hide the real failure
            print(f"screenshot failed: {error}")
    context.close()


def _console_problem(tab, message):
    # A failed load is reported with its address by _response_problem.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        tab.problems.append(message.text)


def _response_problem(tab, response):
    if response.status >= 400 and not response.url.endswith("/favicon.ico"):
        tab.problems.append(f"{response.status} {response.request.method} {response.url}")


@pytest.fixture
def sign_in(page):
    """sign_in(user): type the username and password on the login page, like a person does."""

    def _sign_in(user, password=PASSWORD):
        page.context.clear_cookies()
        page.goto("/login/")
        page.get_by_label("Tên đăng nhập").fill(user.username)
        page.get_by_label("Mật khẩu").fill(password)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_load_state()
        assert "/login/" not in page.url, f"{user.username} could not sign in"
        return page

    return _sign_in


def csp_problems(page):
    return [problem for problem in page.problems if "Content Security Policy" in problem]
