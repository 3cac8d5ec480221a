"""Errors shown as a reference, never as a traceback: a failed job tells the people waiting
for it what failed and a reference code; the exception and its traceback go to the log and to
an ErrorRecord the administrators find by that reference in the admin."""

import logging
import re

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.contrib.auth.models import User
from django.db import DatabaseError
from django.urls import reverse

from reports import summary as summary_package
from reports.errors import error_record, error_reference
from reports.jobs import job_claim, job_run
from reports.models import ErrorRecord, JobStatus, ReportPrint, Summary
from reports.summary import summary_create
from reports.tasks import compile_summary, render_report_print
from reports.tests.printing_data import fill_report

REFERENCE = re.compile(r"Mã tham chiếu: (E-\d{8}-[0-9A-F]{6})")


def failing(*args, **kwargs):
    raise RuntimeError("secret path /etc/x")


@pytest.fixture
def failed_summary(campaign, reviewer, monkeypatch):
    monkeypatch.setattr(summary_package, "summary_compile", failing)
    summary = summary_create(campaign=campaign, by=reviewer)
    compile_summary.delay(summary.pk)
    summary.refresh_from_db()
    return summary


def test_a_failed_summary_shows_the_reviewer_a_reference_not_the_exception(failed_summary, client_for, reviewer):
    assert failed_summary.status == JobStatus.FAILED
    page = client_for(reviewer).get(reverse("reports:summary_detail", args=[failed_summary.pk])).content.decode()
    reference = REFERENCE.search(page).group(1)
    assert "Không tạo được tài liệu" in page
    assert "secret path" not in page and "/etc/x" not in page and "RuntimeError" not in page
    assert "Chi tiết kỹ thuật" not in page
    assert REFERENCE.search(failed_summary.error).group(1) == reference


def test_the_leader_reads_the_same_reference(failed_summary, client_for, leader):
    status = client_for(leader).get(reverse("reports:summary_status", args=[failed_summary.pk])).content.decode()
    assert REFERENCE.search(status).group(1) == REFERENCE.search(failed_summary.error).group(1)
    assert "secret path" not in status and "RuntimeError" not in status


def test_the_record_holds_the_exception_and_its_traceback(failed_summary, reviewer):
    record = ErrorRecord.objects.get(reference=REFERENCE.search(failed_summary.error).group(1))
    assert record.where == f"Summary {failed_summary.pk}"
    assert record.user == reviewer
    assert record.exception_type == "builtins.RuntimeError"
    assert record.message == "secret path /etc/x"
    assert record.traceback.startswith("Traceback (most recent call last):")
    assert "in failing" in record.traceback and record.traceback.rstrip().endswith("RuntimeError: secret path /etc/x")


def test_the_log_carries_the_reference_and_the_traceback(campaign, reviewer, monkeypatch, caplog):
    monkeypatch.setattr(summary_package, "summary_compile", failing)
    summary = summary_create(campaign=campaign, by=reviewer)
    with caplog.at_level(logging.ERROR, logger="reports.errors"):
        compile_summary.delay(summary.pk)
    summary.refresh_from_db()
    reference = REFERENCE.search(summary.error).group(1)
    logged = [record for record in caplog.records if reference in record.getMessage()]
    assert logged and logged[0].exc_info[0] is RuntimeError


def test_a_failed_print_shows_the_officer_a_reference(campaign, unit_a, officer_a, client_for, monkeypatch):
    from reports import pdf

    monkeypatch.setattr(pdf, "report_print_render", failing)
    report = fill_report(campaign, unit_a, officer_a)
    job = ReportPrint.objects.create(report=report, report_version=report.version, requested_by=officer_a)
    render_report_print.delay(job.pk)
    page = client_for(officer_a).get(reverse("reports:print_status", args=[job.pk])).content.decode()
    assert "Không in được báo cáo." in page
    reference = REFERENCE.search(page).group(1)
    assert "secret path" not in page and "RuntimeError" not in page
    assert ErrorRecord.objects.get(reference=reference).where == f"ReportPrint {job.pk}"


def test_the_time_limit_is_said_in_words_and_recorded_nowhere(campaign, reviewer):
    summary = summary_create(campaign=campaign, by=reviewer)
    job = job_claim(Summary, summary.pk)

    def too_long():
        raise SoftTimeLimitExceeded()

    job_run(job, too_long)
    assert job.error.startswith("Quá thời gian xử lý cho phép (")
    assert not ErrorRecord.objects.exists()


def test_references_are_dated_and_unique(db):
    first, second = error_reference(), error_reference()
    assert re.fullmatch(r"E-\d{8}-[0-9A-F]{6}", first) and first != second


def test_a_reference_drawn_twice_is_drawn_again(db, monkeypatch):
    from reports import errors

    ErrorRecord.objects.create(reference="E-20261201-AAAAAA", where="x", exception_type="x")
    drawn = iter(["E-20261201-AAAAAA", "E-20261201-BBBBBB"])
    monkeypatch.setattr(errors, "error_reference", lambda now=None: next(drawn))
    assert error_record(error=ValueError("x"), where="test") == "E-20261201-BBBBBB"
    assert ErrorRecord.objects.filter(reference="E-20261201-BBBBBB", where="test").exists()


def test_when_the_record_cannot_be_written_the_log_still_has_the_reference(db, monkeypatch, caplog):
    def broken(**fields):
        raise DatabaseError("the database is down")

    monkeypatch.setattr(ErrorRecord.objects, "create", broken)
    try:
        raise KeyError("lost")
    except KeyError as error:
        with caplog.at_level(logging.ERROR, logger="reports.errors"):
            reference = error_record(error=error, where="GET /x/")
    assert re.fullmatch(r"E-\d{8}-[0-9A-F]{6}", reference)
    lines = [record for record in caplog.records if reference in record.getMessage()]
    assert {record.exc_info[0] for record in lines} == {DatabaseError, KeyError}


def test_the_admin_finds_a_record_by_its_reference_and_shows_it_read_only(failed_summary, client):
    reference = REFERENCE.search(failed_summary.error).group(1)
    client.force_login(User.objects.create_superuser("root", "root@example.vn", "x"))
    listing = client.get(reverse("admin:reports_errorrecord_changelist"), {"q": reference})
    assert listing.status_code == 200 and reference in listing.content.decode()
    record = ErrorRecord.objects.get(reference=reference)
    detail = client.get(reverse("admin:reports_errorrecord_change", args=[record.pk])).content.decode()
    assert "secret path /etc/x" in detail and "Traceback (most recent call last)" in detail
    assert 'name="_save"' not in detail
    assert client.get(reverse("admin:reports_errorrecord_add")).status_code == 403
    delete = reverse("admin:reports_errorrecord_delete", args=[record.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ErrorRecord.objects.filter(pk=record.pk).exists()


def test_the_admin_is_for_staff_only(failed_summary, client_for, reviewer):
    response = client_for(reviewer).get(reverse("admin:reports_errorrecord_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
