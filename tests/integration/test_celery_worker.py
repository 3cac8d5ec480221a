"""The real runtime: `celery worker` processes on Redis, started as `make run` and the README
start them (WORKERS: one for every queue, the summary's first, and one for the summary's only),
compile a summary queued through the web view, and the PDF it writes is read back; a worker
with every queue takes the summary's tasks before the unit prints queued ahead of them.

The worker is a separate process, so it must see the test's data: the test commits
(`transaction=True`) into the test database, and the worker gets that database's name in
DATABASE_URL (PostgreSQL; an in-memory SQLite test database is invisible to it) and the
test's MEDIA_ROOT. Run by .ci/run:

    CELERY_BROKER_URL=redis://127.0.0.1:6379/15 \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/thidua_ci .venv/bin/pytest -m integration
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse

from reports.models import JobStatus, ReportPrint, Summary
from reports.tests.pdf_reading import pdf_text
from reports.tests.printing_data import fill_report

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_BROKER_URL", "")
TIMEOUT = 180
QUEUES = ",".join(queue.name for queue in django_settings.CELERY_TASK_QUEUES)  # summary,prints,background
# The worker command lines of `make run` and of the README's production section.
WORKERS = [
    ["-Q", QUEUES, "-n", "jobs@%h", "--concurrency=2"],
    ["-Q", "summary", "-n", "summary@%h", "--concurrency=1"],
]

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _skip_reason():
    if not BROKER.startswith(("redis://", "rediss://")):
        return f"needs CELERY_BROKER_URL=redis://… (a real broker); got {BROKER or 'nothing'}"
    if connection.vendor == "sqlite":
        return "needs a database a worker process can see (DATABASE_URL=postgres://…); tests use in-memory SQLite"
    return ""


def _database_url():
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def start_workers(settings):
    """start_workers(*argument_lists) → the `celery worker` processes, one per list of
    arguments, stopped when the test ends."""
    reason = _skip_reason()
    if reason:
        print(f"\nskipping the Celery integration test: {reason}")
        pytest.skip(reason)
    from emulation.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    import redis

    redis.Redis.from_url(BROKER).flushdb()  # a dedicated database: no message from an older run
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "emulation.settings",
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "AXES_ENABLED": "0",
    }
    processes = []

    def start(*argument_lists):
        for arguments in argument_lists:
            command = [sys.executable, "-m", "celery", "-A", "emulation", "worker", *arguments, "--loglevel=WARNING"]
            processes.append(subprocess.Popen(command, cwd=ROOT, env=env))
        return processes

    try:
        yield start
    finally:
        app.conf.task_always_eager = eager
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        connection.close()


@pytest.fixture
def worker(start_workers):
    return start_workers(*WORKERS)


def _wait_for(jobs, processes):
    """Poll the job rows until every one has finished (done or failed)."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        for job in jobs:
            job.refresh_from_db()
        if all(job.status in (JobStatus.DONE, JobStatus.FAILED) for job in jobs):
            return
        assert all(process.poll() is None for process in processes), "a worker process exited"
        time.sleep(0.2)
    raise AssertionError(f"not finished after {TIMEOUT} s: {[(job, job.status, job.stage) for job in jobs]}")


def test_a_real_worker_compiles_the_summary_queued_by_the_web_view(
    worker, campaign, unit_a, officer_a, reviewer, client
):
    fill_report(campaign, unit_a, officer_a, narrative="Tổ chức 12 buổi tuyên truyền.")
    client.force_login(reviewer)
    response = client.post(
        reverse("reports:summary_compile", args=[campaign.code]),
        {"document_number": "9", "document_date": "2024-12-15", "recommendations": "Đề nghị hỗ trợ kinh phí."},
    )
    assert response.status_code == 302
    summary = Summary.objects.get()

    deadline = time.monotonic() + TIMEOUT
    stages = set()
    while time.monotonic() < deadline:
        summary.refresh_from_db()
        stages.add(summary.stage)
        if summary.status in (JobStatus.DONE, JobStatus.FAILED):
            break
        assert all(process.poll() is None for process in worker), "a worker process exited"
        time.sleep(0.2)
    assert summary.status == JobStatus.DONE, summary.error or f"not done after {TIMEOUT} s (stage {summary.stage!r})"
    assert summary.report_versions == {"h-muong-ang": 3}
    assert summary.parts_done == summary.parts_total >= 2  # the annex part and the frame

    download = client.get(reverse("reports:summary_download", args=[summary.pk]) + "?format=pdf")
    content = b"".join(download.streaming_content)
    download.close()
    text = pdf_text(content)
    assert "Số: 09/BC-UBND" in text
    assert "Huyện Mường Ảng: “Tổ chức 12 buổi tuyên truyền.”" in text  # quoted in the drafted part
    assert "Lê Thành Đô" in text


def test_a_worker_with_every_queue_takes_the_summary_before_the_prints_queued_ahead_of_it(
    start_workers, campaign, unit_a, unit_b, officer_a, officer_b, reviewer, client
):
    reports = [
        fill_report(campaign, unit_a, officer_a, narrative="Tổ chức 12 buổi tuyên truyền."),
        fill_report(campaign, unit_b, officer_b),
    ]
    client.force_login(reviewer)
    for report in reports:
        assert client.post(reverse("reports:report_print", args=[report.pk])).status_code == 302
    response = client.post(reverse("reports:summary_compile", args=[campaign.code]), {"document_date": "2024-12-15"})
    assert response.status_code == 302
    prints, summary = list(ReportPrint.objects.order_by("pk")), Summary.objects.get()
    assert summary.created_at > max(job.created_at for job in prints)  # queued last

    # One process, started once everything is queued: whatever it takes first, it takes
    # every task of the summary (the compile, its parts, the merge) before any print.
    processes = start_workers(["-Q", QUEUES, "-n", "jobs@%h", "--concurrency=1"])
    _wait_for([summary, *prints], processes)

    assert summary.status == JobStatus.DONE, summary.error
    assert all(job.status == JobStatus.DONE for job in prints), [job.error for job in prints]
    assert summary.finished_at <= min(job.started_at for job in prints)
