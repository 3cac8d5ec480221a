"""Attacks on the job queue (prints and summary compiles), each against the real views:

- the same print asked for again, one after the other or at the same moment from several
  browsers: one job, one task, everyone gets that job; a failed print is printed anew;
- more new prints, compiles or retries than the person's rate allows: 429 saying when to try
  again (the page, and the htmx fragment), nothing created and nothing queued;
- compiles asked for at the same moment by several reviewers: no 500, one summary each, with
  consecutive numbers.

The simultaneous requests run in threads, each with its own test client and its own database
connection, released together by a barrier. On PostgreSQL they share the test database. On
SQLite the test database is in memory with a shared cache, where a lock that is taken is
refused at once ("database table is locked") instead of waited for, unlike the SQLite file
the portal runs on: `database_for_threads` copies the test's data into a file and points every
connection of the test at it, so the threads meet the file's locks (and its busy timeout).
"""

import datetime
import sqlite3
import threading
from contextlib import contextmanager

import pytest
from django.db import connection, connections
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Role, Unit
from conftest import make_user
from reports import tasks
from reports.models import JobStatus, ReportPrint, Summary, UnitReport
from reports.tests.printing_data import fill_report

HOUR = 3600


@pytest.fixture
def queued(monkeypatch):
    """The tasks the requests queue (print and summary ids), instead of running them."""
    calls = {"print": [], "summary": []}
    monkeypatch.setattr(tasks.render_report_print, "delay", lambda pk: calls["print"].append(pk))
    monkeypatch.setattr(tasks.compile_summary, "delay", lambda pk: calls["summary"].append(pk))
    return calls


@pytest.fixture
def report(campaign, unit_a, officer_a):
    return fill_report(campaign, unit_a, officer_a, submit_at=None)


def save(report):
    """Someone saves the report: a new version."""
    UnitReport.objects.filter(pk=report.pk).update(version=F("version") + 1)
    report.refresh_from_db()


def age(model, **fields):
    """Move every row of `model` back by more than the longest window (its timestamps)."""
    past = timezone.now() - datetime.timedelta(seconds=2 * HOUR)
    model.objects.update(**{name: past for name in fields})


# --- prints ---------------------------------------------------------------------------------
def test_the_same_print_asked_for_twice_is_one_job_and_one_task(
    report, officer_a, reviewer, client_for, queued, django_capture_on_commit_callbacks
):
    url = reverse("reports:report_print", args=[report.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = client_for(officer_a).post(url)
        again = client_for(officer_a).post(url)
        htmx = client_for(reviewer).post(url, HTTP_HX_REQUEST="true")
    job = ReportPrint.objects.get()
    assert first.url == again.url == reverse("reports:print_detail", args=[job.pk])
    assert reverse("reports:print_status", args=[job.pk]) in htmx.content.decode()
    assert queued["print"] == [job.pk]

    ReportPrint.objects.filter(pk=job.pk).update(status=JobStatus.DONE)  # printed: still the one
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(officer_a).post(url).url == first.url
    assert ReportPrint.objects.count() == 1 and queued["print"] == [job.pk]

    save(report)  # a new version is a new print
    with django_capture_on_commit_callbacks(execute=True):
        client_for(officer_a).post(url)
    newer = ReportPrint.objects.exclude(pk=job.pk).get()
    assert newer.report_version == report.version and queued["print"] == [job.pk, newer.pk]


def test_a_failed_print_is_printed_again_as_a_new_job(
    report, officer_a, client_for, queued, django_capture_on_commit_callbacks
):
    url = reverse("reports:report_print", args=[report.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client_for(officer_a).post(url)
    failed = ReportPrint.objects.get()
    ReportPrint.objects.filter(pk=failed.pk).update(status=JobStatus.FAILED, error="Không tạo được tài liệu.")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(officer_a).post(url)
    again = ReportPrint.objects.exclude(pk=failed.pk).get()
    assert response.url == reverse("reports:print_detail", args=[again.pk])
    assert again.status == JobStatus.QUEUED and again.report_version == failed.report_version
    assert ReportPrint.objects.get(pk=failed.pk).error == "Không tạo được tài liệu."  # kept for the record
    assert queued["print"] == [failed.pk, again.pk]


def test_over_the_print_rate_gets_429_with_when_and_nothing_is_created(
    report, officer_a, client_for, queued, settings, django_capture_on_commit_callbacks
):
    settings.PRINT_RATE_LIMIT = (2, HOUR)
    url = reverse("reports:report_print", args=[report.pk])
    client = client_for(officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
        save(report)
        client.post(url)
        save(report)
        page = client.post(url)
        fragment = client.post(url, HTTP_HX_REQUEST="true")
    assert ReportPrint.objects.count() == 2 and len(queued["print"]) == 2
    first = ReportPrint.objects.order_by("created_at").first()
    when = timezone.localtime(first.created_at + datetime.timedelta(hours=1)).strftime("%H:%M")
    for response in (page, fragment):
        body = response.content.decode()
        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= HOUR
        assert "Bạn đã yêu cầu 2 bản in mới trong 1 giờ qua" in body
        assert f"Có thể in tiếp từ {when}" in body
    assert "<html" in page.content.decode() and "<html" not in fragment.content.decode()
    assert 'role="alert"' in fragment.content.decode()

    # A version already printed costs nothing: handed back, even at the limit.
    previous = ReportPrint.objects.order_by("-created_at").first()
    UnitReport.objects.filter(pk=report.pk).update(version=previous.report_version)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).url == reverse("reports:print_detail", args=[previous.pk])
    # Once the oldest leaves the window, the next new print goes through.
    age(ReportPrint, created_at=True)
    save(report)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert ReportPrint.objects.count() == 3 and len(queued["print"]) == 3


def test_the_print_rate_is_each_persons_own(report, officer_a, reviewer, client_for, queued, settings):
    settings.PRINT_RATE_LIMIT = (1, HOUR)
    url = reverse("reports:report_print", args=[report.pk])
    assert client_for(officer_a).post(url).status_code == 302
    save(report)
    assert client_for(officer_a).post(url).status_code == 429
    assert client_for(reviewer).post(url).status_code == 302
    assert ReportPrint.objects.count() == 2


def test_with_the_limits_off_nobody_is_counted(report, campaign, officer_a, reviewer, client_for, queued, settings):
    settings.PRINT_RATE_LIMIT = settings.COMPILE_RATE_LIMIT = None  # PRINT_RATE_LIMIT=off
    for _ in range(3):
        assert client_for(officer_a).post(reverse("reports:report_print", args=[report.pk])).status_code == 302
        save(report)
        assert compile_post(client_for(reviewer), campaign).status_code == 302
    assert ReportPrint.objects.count() == 3 and Summary.objects.count() == 3


# --- compiles and retries -------------------------------------------------------------------
def compile_post(client, campaign, **data):
    return client.post(reverse("reports:summary_compile", args=[campaign.code]), {"document_date": "", **data})


def test_over_the_compile_rate_gets_429_with_when_and_nothing_is_created(
    campaign, reviewer, client_for, queued, settings, django_capture_on_commit_callbacks
):
    settings.COMPILE_RATE_LIMIT = (2, HOUR)
    client = client_for(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        assert compile_post(client, campaign).status_code == 302
        assert compile_post(client, campaign).status_code == 302
        refused = compile_post(client, campaign, document_number="125")
    assert Summary.objects.count() == 2 and len(queued["summary"]) == 2
    body = refused.content.decode()
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Bạn đã yêu cầu tổng hợp 2 lần trong 1 giờ qua" in body and "Có thể tổng hợp tiếp từ" in body
    assert 'value="125"' in body  # the form as it was filled in

    age(Summary, created_at=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert compile_post(client, campaign).status_code == 302
    assert Summary.objects.count() == 3


def test_retries_count_with_compiles(
    campaign, reviewer, client_for, queued, settings, django_capture_on_commit_callbacks
):
    settings.COMPILE_RATE_LIMIT = (2, HOUR)
    client = client_for(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        compile_post(client, campaign)
    summary = Summary.objects.get()
    Summary.objects.filter(pk=summary.pk).update(status=JobStatus.FAILED, error="Lỗi.")
    retry = reverse("reports:summary_retry", args=[summary.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(retry).status_code == 302  # the second request of the hour
    summary.refresh_from_db()
    assert summary.status == JobStatus.QUEUED and summary.retried_by == reviewer
    assert queued["summary"] == [summary.pk, summary.pk]

    Summary.objects.filter(pk=summary.pk).update(status=JobStatus.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(retry)
        compile_refused = compile_post(client, campaign)
    assert refused.status_code == compile_refused.status_code == 429
    assert "Bạn đã yêu cầu tổng hợp 2 lần" in refused.content.decode()
    assert Summary.objects.get().status == JobStatus.FAILED and Summary.objects.count() == 1
    assert queued["summary"] == [summary.pk, summary.pk]


def test_the_command_line_compile_has_no_rate(campaign, settings):
    from reports.summary import summary_create

    settings.COMPILE_RATE_LIMIT = (1, HOUR)
    numbers = [summary_create(campaign=campaign, by=None).number for _ in range(3)]
    assert numbers == [1, 2, 3]


# --- at the same moment ---------------------------------------------------------------------
@pytest.fixture
def database_for_threads(transactional_db, tmp_path):
    """A context in which every connection, the test's own and each thread's, uses a database
    that locks as the portal's does (see the module's docstring)."""

    @contextmanager
    def use():
        if connection.vendor != "sqlite":
            yield
            return
        path = tmp_path / "threads.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        target.close()
        settings_dict = connections.settings["default"]
        memory_name, memory = settings_dict["NAME"], connections["default"]
        settings_dict["NAME"] = str(path)
        connections["default"] = file_connection = connections.create_connection("default")
        try:
            yield
        finally:
            file_connection.close()
            connections["default"] = memory
            settings_dict["NAME"] = memory_name

    return use


def at_once(requests):
    """Run the callables together in threads released by one barrier; their results, in order
    (an exception is returned, not raised)."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def run(index, request):
        try:
            barrier.wait(timeout=30)
            results[index] = request()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            results[index] = exc
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=item) for item in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def signed_in(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_simultaneous_prints_of_one_version_make_one_job(
    database_for_threads, report, officer_a, reviewer, leader, queued
):
    url = reverse("reports:report_print", args=[report.pk])
    with database_for_threads():
        clients = [signed_in(user) for user in (officer_a, officer_a, reviewer, leader)]
        responses = at_once([lambda client=client: client.post(url) for client in clients])
        assert [getattr(response, "status_code", response) for response in responses] == [302] * 4
        job = ReportPrint.objects.get()
        assert {response.url for response in responses} == {reverse("reports:print_detail", args=[job.pk])}
        assert queued["print"] == [job.pk]


@pytest.mark.parametrize("count", [2, 6])
def test_simultaneous_compiles_get_consecutive_numbers(database_for_threads, campaign, queued, count):
    home_affairs = Unit.objects.get(code="so-noi-vu")
    reviewers = [make_user(f"reviewer{n}", Role.REVIEWER, home_affairs) for n in range(count)]
    url = reverse("reports:summary_compile", args=[campaign.code])
    with database_for_threads():
        clients = [signed_in(user) for user in reviewers]
        responses = at_once([lambda client=client: client.post(url, {"document_date": ""}) for client in clients])
        assert [getattr(response, "status_code", response) for response in responses] == [302] * count
        summaries = list(Summary.objects.order_by("number"))
        assert [summary.number for summary in summaries] == list(range(1, count + 1))
        assert {summary.requested_by for summary in summaries} == set(reviewers)
        assert sorted(queued["summary"]) == sorted(summary.pk for summary in summaries)
