"""Long jobs kept in database rows (ReportPrint, Summary): claimed, beaten, finished and
failed the same way, whichever task runs them; and how many of them one person may ask for.

A task takes the row's id and claims it with a conditional UPDATE: only a queued job, or a
running one whose worker has gone silent for JOB_STALE_AFTER_SECONDS, can be claimed, so a
redelivered message never runs a job twice at once. Each claim counts an attempt; after
JOB_MAX_ATTEMPTS the job fails instead of being redelivered forever.

Rate limits (PRINT_RATE_LIMIT, COMPILE_RATE_LIMIT) are counted from the job rows themselves,
inside the transaction that would add one, with the person's user row locked: no cache, and
the same count in every web process.
"""

import datetime
import logging
import math

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from campaigns.numbers import format_vn_date

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


# --- how many jobs one person may ask for --------------------------------------------------
class RateLimited(Exception):
    """`kind` ("print", "compile"): the person has asked for as many jobs as `limit` (count,
    seconds) allows in its window; `retry_at` is when the oldest of them leaves the window."""

    def __init__(self, *, kind, limit, retry_at, now):
        self.kind = kind
        self.count, self.seconds = limit
        self.retry_at = retry_at
        self.now = now
        super().__init__(f"{kind}: {self.count} in {self.seconds} s; again at {retry_at.isoformat()}")

    @property
    def retry_after(self):
        """Whole seconds until a request may succeed (the Retry-After header)."""
        return max(1, math.ceil((self.retry_at - self.now).total_seconds()))

    @property
    def message(self):
        """What the person reads, in the active language: how many, in what window, and when
        to try again."""
        values = {"count": self.count, "window": window_text(self.seconds)}
        values["time"] = moment_text(self.retry_at, self.now)
        if self.kind == "print":
            return (
                gettext(
                    "Bạn đã yêu cầu %(count)s bản in mới trong %(window)s qua, bằng mức tối đa cho phép. "
                    "Có thể in tiếp từ %(time)s; các bản in đã có vẫn tải về được."
                )
                % values
            )
        return (
            gettext(
                "Bạn đã yêu cầu tổng hợp %(count)s lần trong %(window)s qua, bằng mức tối đa cho phép. "
                "Có thể tổng hợp tiếp từ %(time)s."
            )
            % values
        )


def window_text(seconds):
    """`1 giờ`, `10 phút`, `1 ngày`, `45 giây`. Each ngettext call names its own literal
    strings, so makemessages finds them."""
    if seconds >= 86400 and seconds % 86400 == 0:
        n = seconds // 86400
        return ngettext("%(n)s ngày", "%(n)s ngày", n) % {"n": n}
    if seconds >= 3600 and seconds % 3600 == 0:
        n = seconds // 3600
        return ngettext("%(n)s giờ", "%(n)s giờ", n) % {"n": n}
    if seconds >= 60 and seconds % 60 == 0:
        n = seconds // 60
        return ngettext("%(n)s phút", "%(n)s phút", n) % {"n": n}
    return ngettext("%(n)s giây", "%(n)s giây", seconds) % {"n": seconds}


def moment_text(moment, now):
    """`14:35` on the same day (in the portal's time zone), else `14:35 ngày 16/12/2024`."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localtime(now).date():
        return f"{local:%H:%M}"
    return gettext("%(time)s ngày %(date)s") % {"time": f"{local:%H:%M}", "date": format_vn_date(local)}


def rate_check(*, kind, limit, times, now):
    """Raise RateLimited when `times` (when each of the person's counted requests was made)
    hold `limit` (count, seconds) or more within the window ending `now`; None: no limit."""
    if limit is None:
        return
    count, seconds = limit
    window = datetime.timedelta(seconds=seconds)
    recent = sorted(moment for moment in times if moment > now - window)
    if len(recent) >= count:
        raise RateLimited(kind=kind, limit=limit, retry_at=recent[len(recent) - count] + window, now=now)


def user_lock(user):
    """Lock `user`'s row until the caller's transaction ends, so that the same person's
    simultaneous requests are counted one after the other (PostgreSQL; on SQLite the
    transaction itself holds the write lock, settings.DATABASES' transaction_mode)."""
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
