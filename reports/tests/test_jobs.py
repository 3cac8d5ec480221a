"""Job rows: claims, attempts, and the sweep that requeues or fails jobs whose worker died."""

import datetime

import pytest
from django.utils import timezone

from reports.jobs import job_claim, jobs_sweep_stale
from reports.models import JobStatus, ReportPrint, Summary
from reports.summary import summary_create
from reports.tasks import sweep_stale_jobs
from reports.tests.printing_data import fill_report


@pytest.fixture
def summary(campaign, reviewer):
    return summary_create(campaign=campaign, by=reviewer)


def long_ago(settings):
    return timezone.now() - datetime.timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS + 60)


def test_a_claim_runs_a_job_once(summary):
    claimed = job_claim(Summary, summary.pk)
    assert claimed.status == JobStatus.RUNNING and claimed.attempts == 1
    assert job_claim(Summary, summary.pk) is None  # running with a fresh heartbeat: not ours


def test_a_silent_running_job_can_be_claimed_again_until_attempts_run_out(summary, settings):
    settings.JOB_MAX_ATTEMPTS = 2
    for attempt in (1, 2):
        Summary.objects.filter(pk=summary.pk).update(heartbeat_at=long_ago(settings))
        assert job_claim(Summary, summary.pk).attempts == attempt
    Summary.objects.filter(pk=summary.pk).update(heartbeat_at=long_ago(settings))
    assert job_claim(Summary, summary.pk) is None
    summary.refresh_from_db()
    assert summary.status == JobStatus.FAILED
    assert "Đã thử 2 lần" in summary.error


def test_the_sweep_requeues_a_stale_job_and_the_worker_finishes_it(campaign, unit_a, officer_a, settings):
    report = fill_report(campaign, unit_a, officer_a)
    job = ReportPrint.objects.create(report=report, report_version=report.version)
    job_claim(ReportPrint, job.pk)
    ReportPrint.objects.filter(pk=job.pk).update(heartbeat_at=long_ago(settings))  # its worker died

    sweep_stale_jobs.delay()  # eager: the requeued task runs at once

    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert job.attempts == 2
    assert job.pdf


def test_the_sweep_fails_a_stale_job_out_of_attempts(summary, settings):
    job_claim(Summary, summary.pk)
    Summary.objects.filter(pk=summary.pk).update(heartbeat_at=long_ago(settings), attempts=settings.JOB_MAX_ATTEMPTS)
    enqueued = []
    assert jobs_sweep_stale(models=[Summary], enqueue=lambda model, pk: enqueued.append(pk)) == (0, 1)
    summary.refresh_from_db()
    assert summary.status == JobStatus.FAILED
    assert "dừng đột ngột" in summary.error
    assert enqueued == []


def test_the_sweep_leaves_live_jobs_alone(summary):
    job_claim(Summary, summary.pk)
    enqueued = []
    assert jobs_sweep_stale(models=[Summary], enqueue=lambda model, pk: enqueued.append(pk)) == (0, 0)
    summary.refresh_from_db()
    assert summary.status == JobStatus.RUNNING
    assert enqueued == []


def test_the_sweep_enqueues_again_a_job_whose_message_was_lost(summary, settings):
    Summary.objects.filter(pk=summary.pk).update(created_at=long_ago(settings))
    enqueued = []
    assert jobs_sweep_stale(models=[Summary], enqueue=lambda model, pk: enqueued.append((model, pk))) == (1, 0)
    assert enqueued == [(Summary, summary.pk)]


def test_a_finished_job_is_never_claimed(summary):
    Summary.objects.filter(pk=summary.pk).update(status=JobStatus.DONE)
    assert job_claim(Summary, summary.pk) is None


def test_the_sweep_removes_the_work_files_of_summaries_no_longer_compiling(campaign, reviewer):
    from django.core.files.storage import default_storage

    from reports.summary.compile import WORK_ROOT, _write

    failed, running = summary_create(campaign=campaign, by=reviewer), summary_create(campaign=campaign, by=reviewer)
    job_claim(Summary, running.pk)
    Summary.objects.filter(pk=failed.pk).update(status=JobStatus.FAILED, attempts=1)
    for summary in (failed, running):
        _write(f"{WORK_ROOT}/{summary.pk}-1/manifest.json", b"{}")
        _write(f"{WORK_ROOT}/{summary.pk}-1/units/h-muong-ang.html", b"<section></section>")

    sweep_stale_jobs.delay()

    assert not default_storage.exists(f"{WORK_ROOT}/{failed.pk}-1")
    assert default_storage.listdir(f"{WORK_ROOT}/{running.pk}-1")[1] == ["manifest.json"]
    assert default_storage.listdir(f"{WORK_ROOT}/{running.pk}-1/units")[1] == ["h-muong-ang.html"]


def test_after_a_retry_the_tasks_of_the_failed_run_do_nothing(summary):
    from reports.jobs import JobAbandoned, job_done, job_fail, job_progress
    from reports.summary import summary_retry
    from reports.tasks import merge_summary, render_summary_part

    first = job_claim(Summary, summary.pk)
    job_fail(first, "Không tạo được tài liệu.")
    assert summary_retry(summary=first)
    second = job_claim(Summary, summary.pk)
    assert (second.attempts, second.run) == (1, 2)  # a fresh budget, a new run
    Summary.objects.filter(pk=summary.pk).update(parts_total=3)

    render_summary_part.delay(summary.pk, first.run, 0)  # messages of the failed run, delivered late
    merge_summary.delay(summary.pk, first.run)
    with pytest.raises(JobAbandoned):
        job_progress(first, stage="Đang dựng trang PDF")
    with pytest.raises(JobAbandoned):
        job_done(first)
    job_fail(first, "Quá thời gian xử lý cho phép.")  # a task of the failed run, still running, gives up

    summary.refresh_from_db()
    assert (summary.status, summary.parts_done, summary.stage) == (JobStatus.RUNNING, 0, second.stage)
    assert (summary.error, summary.run) == ("", 2)
    assert not summary.pdf


def test_each_job_process_freezes_what_it_inherited():
    import gc

    from celery.signals import worker_process_init

    import emulation.celery  # noqa: F401 - connects the handler

    gc.unfreeze()
    try:
        worker_process_init.send(sender=None)  # what Celery sends in each new worker process
        assert gc.get_freeze_count() > 10_000  # Django and WeasyPrint's modules, out of the collector's sight
    finally:
        gc.unfreeze()


def test_the_upgrade_numbers_existing_runs_as_their_attempts(summary):
    """Tasks queued before the upgrade name their run by the attempts they saw."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("reports.migrations.0002_job_run")
    Summary.objects.filter(pk=summary.pk).update(status=JobStatus.RUNNING, attempts=2, run=0)
    migration.number_runs_as_attempts(apps, None)
    summary.refresh_from_db()
    assert summary.run == 2
