"""The real runtime: a `celery worker` process on Redis compiles a summary queued through the
web view, and the PDF it writes is read back.

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

from reports.models import JobStatus, Summary
from reports.tests.pdf_reading import pdf_text
from reports.tests.printing_data import fill_report

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_BROKER_URL", "")
TIMEOUT = 180

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
def worker(settings):
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
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "emulation", "worker", "--concurrency=2", "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
    )
    try:
        yield process
    finally:
        app.conf.task_always_eager = eager
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        connection.close()


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
        assert worker.poll() is None, "the worker process exited"
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
