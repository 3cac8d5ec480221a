"""A real Chromium (Debian's /usr/bin/chromium) driven by Playwright against pytest-django's
live server. Test modules here mark themselves `browser` (`make test-browser`); a failing
test leaves a screenshot and the page's console errors under test-artifacts/."""

import os
import re
import threading
import time
from decimal import Decimal
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
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """A test database in a file rather than in memory, so the live server's threads and the
    background job thread each use their own connection instead of sharing one."""
    from django.db import connections

    database = connections["default"].settings_dict
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("browser-db") / "portal.sqlite3")


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


@pytest.fixture
def background_jobs(monkeypatch):
    """Print (unit and commendation) and summary jobs run in a thread after a short pause, as
    a worker would, so the page first shows the queued job and its progress bar and its poll
    then sees it finish."""
    from django.db import connections

    from commendations.tasks import render_commendation_print
    from reports import tasks

    threads = []

    def deferred(task):
        def delay(*args):
            def run():
                try:
                    time.sleep(1.5)
                    task.apply(args=args, throw=True)
                finally:
                    connections.close_all()

            thread = threading.Thread(target=run, daemon=True)
            threads.append(thread)
            thread.start()

        return delay

    for task in (tasks.compile_summary, tasks.render_report_print, render_commendation_print):
        monkeypatch.setattr(task, "delay", deferred(task))
    yield threads
    for thread in threads:
        thread.join(120)


def figures_for(report):
    """code → (measure name, what an officer types, the Decimal it means): a complete, valid
    set of the unit's figures, typed the Vietnamese way (parts never exceed their whole)."""
    from reports.services import report_measures

    measures = report_measures(report)
    by_id = {measure.pk: measure for measure in measures}
    wholes = {measure.part_of_id for measure in measures if measure.part_of_id}
    typed = {0: ("12.345", Decimal(12345)), 1: ("5.000", Decimal(5000)), 2: ("1.150", Decimal(1150))}
    figures = {}
    for measure in measures:
        depth, parent = 0, by_id.get(measure.part_of_id)
        while parent is not None:
            depth, parent = depth + 1, by_id.get(parent.part_of_id)
        if measure.value_type == "boolean":
            text, value = "1", Decimal(1)
        elif measure.value_type in ("percent", "decimal"):
            text, value = "85,5", Decimal("85.5")
        elif depth or measure.pk in wholes:
            text, value = typed[min(depth, 2)]
        else:
            text, value = "45", Decimal(45)
        figures[measure.code] = (measure.name, text, value)
    return figures


def report_filled(*, campaign, unit, officer, submit=True):
    """A unit's report with a complete set of figures (submitted unless `submit` is false)."""
    from reports.services import report_get_or_create, report_save_values
    from reports.workflow import report_submit

    report = report_get_or_create(campaign=campaign, unit=unit, by=officer)
    values = {code: value for code, (_name, _text, value) in figures_for(report).items()}
    report_save_values(report=report, by=officer, values=values, narratives={"I": "Đã triển khai đầy đủ."})
    if submit:
        report_submit(report=report, by=officer)
    report.refresh_from_db()
    return report


def pdf_download(page, click):
    """Click something that downloads a file; return the file's bytes."""
    with page.expect_download() as info:
        click()
    return Path(info.value.path()).read_bytes()
