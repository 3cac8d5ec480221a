"""Print jobs: one per report version (the service, the constraint, the upgrade that makes
room for it, a print whose report moved on while it waited) and the rate-limit arithmetic.
The web side, duplicates and simultaneous requests are in tests/test_attack_jobs.py."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone, translation

from reports.jobs import RateLimited, job_claim, job_run, moment_text, rate_check, window_text
from reports.models import JobStatus, ReportPrint, UnitReport
from reports.pdf import report_print_render
from reports.prints import print_request
from reports.tests.printing_data import fill_report

NOW = timezone.make_aware(datetime.datetime(2024, 12, 15, 9, 0))


@pytest.fixture
def report(campaign, unit_a, officer_a):
    return fill_report(campaign, unit_a, officer_a, submit_at=None)


def test_the_service_hands_back_the_live_print_of_the_version(report, officer_a, reviewer):
    job, created = print_request(report=report, by=officer_a)
    assert created and job.status == JobStatus.QUEUED and job.report_version == report.version
    for status in (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE):
        ReportPrint.objects.filter(pk=job.pk).update(status=status)
        assert print_request(report=report, by=reviewer) == (job, False)
    ReportPrint.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)
    again, created = print_request(report=report, by=reviewer)
    assert created and again.pk != job.pk


@pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE])
def test_the_database_keeps_one_live_print_per_version(report, status):
    ReportPrint.objects.create(report=report, report_version=report.version, status=status)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportPrint.objects.create(report=report, report_version=report.version)
    ReportPrint.objects.create(report=report, report_version=report.version, status=JobStatus.FAILED)
    ReportPrint.objects.create(report=report, report_version=report.version + 1)


def test_a_print_whose_report_was_saved_while_it_waited_keeps_its_version(report, officer_a):
    """The older request renders the report as it now stands; the newer version's own print
    holds that version, so the older one finishes under the version it was asked for."""
    older, _ = print_request(report=report, by=officer_a)
    UnitReport.objects.filter(pk=report.pk).update(version=F("version") + 1)
    report.refresh_from_db()
    newer, _ = print_request(report=report, by=officer_a)
    for job in (newer, older):
        claimed = job_claim(ReportPrint, job.pk)
        job_run(claimed, lambda claimed=claimed: report_print_render(job=claimed))
        job.refresh_from_db()
        assert job.status == JobStatus.DONE, job.error
    assert (newer.report_version, older.report_version) == (report.version, report.version - 1)


def test_the_upgrade_keeps_one_live_print_of_each_version_and_fails_the_others(report, officer_a):
    migration = importlib.import_module("reports.migrations.0010_print_once_per_version")
    with connection.cursor() as cursor:  # as before the upgrade (the test's transaction puts it back)
        cursor.execute('DROP INDEX "one_live_print_per_report_version"')
    version = report.version
    done_old, done_new, queued, failed = (
        ReportPrint.objects.create(report=report, report_version=version, status=status)
        for status in (JobStatus.DONE, JobStatus.DONE, JobStatus.QUEUED, JobStatus.FAILED)
    )
    running = ReportPrint.objects.create(report=report, report_version=version + 1, status=JobStatus.RUNNING)
    other = ReportPrint.objects.create(report=report, report_version=version + 1, status=JobStatus.QUEUED)

    migration.fail_duplicate_prints(apps, None)

    statuses = dict(ReportPrint.objects.values_list("pk", "status"))
    assert statuses[done_new.pk] == JobStatus.DONE and statuses[other.pk] == JobStatus.QUEUED  # kept
    assert [statuses[job.pk] for job in (done_old, queued, failed, running)] == [JobStatus.FAILED] * 4
    assert f"bản in số {done_new.pk}" in ReportPrint.objects.get(pk=done_old.pk).error


# --- the rate arithmetic --------------------------------------------------------------------
def test_the_rate_counts_only_the_window_and_says_when_the_oldest_leaves_it():
    minutes = [NOW - datetime.timedelta(minutes=n) for n in (90, 50, 20, 5)]  # 90: out of the window
    rate_check(kind="print", limit=(4, 3600), times=minutes, now=NOW)
    rate_check(kind="print", limit=None, times=minutes * 10, now=NOW)
    with pytest.raises(RateLimited) as refused:
        rate_check(kind="print", limit=(3, 3600), times=minutes, now=NOW)
    assert refused.value.retry_at == NOW + datetime.timedelta(minutes=10)  # the one of 50 minutes ago
    assert refused.value.retry_after == 600
    with pytest.raises(RateLimited) as refused:
        rate_check(kind="print", limit=(2, 3600), times=minutes, now=NOW)  # a limit lowered meanwhile
    assert refused.value.retry_at == NOW + datetime.timedelta(minutes=40)


def test_the_message_reads_in_vietnamese_and_in_english():
    refused = RateLimited(kind="compile", limit=(10, 3600), retry_at=NOW + datetime.timedelta(minutes=12), now=NOW)
    assert refused.message == (
        "Bạn đã yêu cầu tổng hợp 10 lần trong 1 giờ qua, bằng mức tối đa cho phép. Có thể tổng hợp tiếp từ 09:12."
    )
    with translation.override("en"):
        assert refused.message == (
            "You have asked for 10 compilations within 1 hour, the most allowed. You can compile again from 09:12."
        )
        assert window_text(600) == "10 minutes" and window_text(86400) == "1 day"
    assert [window_text(seconds) for seconds in (45, 60, 600, 3600, 7200, 86400, 5400)] == [
        "45 giây",
        "1 phút",
        "10 phút",
        "1 giờ",
        "2 giờ",
        "1 ngày",
        "90 phút",
    ]
    assert moment_text(NOW + datetime.timedelta(hours=20), NOW) == "05:00 ngày 16/12/2024"
