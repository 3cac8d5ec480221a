"""Long jobs kept in database rows (ReportPrint, Summary): claimed, beaten, finished and
failed the same way, whichever task runs them.

A task takes the row's id and claims it with a conditional UPDATE: only a queued job, or a
running one whose worker has gone silent for JOB_STALE_AFTER_SECONDS, can be claimed, so a
redelivered message never runs a job twice at once. Each claim counts an attempt; after
JOB_MAX_ATTEMPTS the job fails instead of being redelivered forever.
"""

import datetime
import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from .errors import error_record
from .models import JobStatus
from .text import DocumentTextError

logger = logging.getLogger(__name__)


class JobAbandoned(Exception):
    """The row is no longer running this run (failed by the sweep, retried)."""


def stale_before(now=None):
    return (now or timezone.now()) - datetime.timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS)


def job_claim(model, pk, *, stage=""):
    """Mark job `pk` running for this attempt and return it, or None when it is not ours
    to run (finished, failed, or running elsewhere with a fresh heartbeat)."""
    now = timezone.now()
    claimable = Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, heartbeat_at__lt=stale_before(now))
    updated = (
        model.objects.filter(pk=pk)
        .filter(claimable)
        .update(
            status=JobStatus.RUNNING,
            attempts=F("attempts") + 1,
            run=F("run") + 1,
            started_at=Coalesce("started_at", now),
            heartbeat_at=now,
            finished_at=None,
            error="",
            stage=stage,
            progress=0,
        )
    )
    if not updated:
        return None
    job = model.objects.get(pk=pk)
    if job.attempts > settings.JOB_MAX_ATTEMPTS:
        job_fail(job, f"Đã thử {settings.JOB_MAX_ATTEMPTS} lần không thành công; công việc dừng lại.")
        return None
    return job


def _current_run(job):
    """The job's row while it is still running this run (every write of a run goes through it,
    so a run that was failed, requeued or retried can no longer change the row)."""
    return type(job).objects.filter(pk=job.pk, status=JobStatus.RUNNING, run=job.run)


def job_progress(job, *, stage=None, progress=None, **fields):
    """Write stage/progress (and a heartbeat) to the row of a running job. Raises
    JobAbandoned when the row is no longer running this run (`Job.run`, never reset)."""
    if stage is not None:
        fields["stage"] = stage
        job.stage = stage
    if progress is not None:
        fields["progress"] = progress
        job.progress = progress
    updated = _current_run(job).update(heartbeat_at=timezone.now(), **fields)
    if not updated:
        raise JobAbandoned(f"{type(job).__name__} {job.pk} is no longer on run {job.run}")


def job_done(job, **fields):
    """Finish this run. Raises JobAbandoned, writing nothing, when the row has moved on."""
    now = timezone.now()
    updated = _current_run(job).update(
        status=JobStatus.DONE, progress=100, stage="", error="", finished_at=now, heartbeat_at=now, **fields
    )
    if not updated:
        raise JobAbandoned(f"{type(job).__name__} {job.pk} is no longer on run {job.run}")
    job.refresh_from_db()


def failure_reason(exc, *, job):
    """Why `job` failed, as the reviewers and leaders who wait for it read it: what failed, in
    words. The time limit and a unit's text a document could not hold (DocumentTextError
    names the unit and the field) are said as they are; any other error is recorded with its
    traceback (reports.errors) and they read its reference, never the exception itself."""
    where = f"{type(job).__name__} {job.pk}"
    if isinstance(exc, SoftTimeLimitExceeded):
        logger.error("Job %s failed", where, exc_info=exc)
        minutes = settings.CELERY_TASK_SOFT_TIME_LIMIT // 60
        return f"Quá thời gian xử lý cho phép ({minutes} phút)."
    if isinstance(exc, DocumentTextError):  # one unit's text: say whose, and which field
        logger.error("Job %s failed", where, exc_info=exc)
        return f"Không tạo được tài liệu. {exc}"[:1000]
    reference = error_record(error=exc, where=where, user_id=job.requested_by_id)
    return (
        f"Không tạo được tài liệu do lỗi của hệ thống. Mã tham chiếu: {reference} "
        "(báo mã này cho quản trị hệ thống khi cần hỗ trợ)."
    )


def job_fail(job, reason):
    """Mark this run failed with a readable reason (a string or the exception); a run the row
    has moved on from (failed, requeued, retried) changes nothing."""
    if isinstance(reason, BaseException):
        reason = failure_reason(reason, job=job)
    now = timezone.now()
    if not _current_run(job).update(status=JobStatus.FAILED, error=reason, finished_at=now, heartbeat_at=now):
        logger.info(
            "Job %s %s: run %s failed after the row moved on; left as it is", type(job).__name__, job.pk, job.run
        )
    job.refresh_from_db()


def job_run(job, work):
    """Run `work()` for a claimed job; any failure ends on the row with a readable reason."""
    try:
        work()
    except JobAbandoned:
        logger.info("Job %s %s abandoned: no longer running run %s", type(job).__name__, job.pk, job.run)
    except Exception as exc:  # noqa: BLE001 - the reason is written to the row for people to read
        job_fail(job, exc)


def job_requeue(job):
    """Put a failed or stale job back in the queue (the caller enqueues its task)."""
    type(job).objects.filter(pk=job.pk).update(
        status=JobStatus.QUEUED, error="", stage="", progress=0, attempts=0, started_at=None, finished_at=None
    )
    job.refresh_from_db()


def jobs_sweep_stale(*, models, enqueue, now=None):
    """Find jobs whose worker died: running with no heartbeat for JOB_STALE_AFTER_SECONDS.
    Requeue them (enqueue(model, pk)) while attempts remain, otherwise fail them with a
    reason. Jobs queued that long whose message was lost are enqueued again; the claim
    makes a duplicate message harmless. Returns (requeued, failed) counts."""
    threshold = stale_before(now)
    requeued = failed = 0
    for model in models:
        stale = model.objects.filter(status=JobStatus.RUNNING).filter(
            Q(heartbeat_at__lt=threshold) | Q(heartbeat_at__isnull=True, started_at__lt=threshold)
        )
        for job in stale:
            if job.attempts >= settings.JOB_MAX_ATTEMPTS:
                minutes = settings.JOB_STALE_AFTER_SECONDS // 60
                job_fail(
                    job,
                    f"Tiến trình xử lý dừng đột ngột (không phản hồi quá {minutes} phút) sau {job.attempts} lần chạy.",
                )
                failed += 1
            elif model.objects.filter(pk=job.pk, status=JobStatus.RUNNING, heartbeat_at=job.heartbeat_at).update(
                status=JobStatus.QUEUED, stage=""
            ):
                enqueue(model, job.pk)
                requeued += 1
        for pk in model.objects.filter(status=JobStatus.QUEUED, created_at__lt=threshold).values_list("pk", flat=True):
            enqueue(model, pk)
            requeued += 1
    return requeued, failed
