"""Asking for a unit report's print: one job per report version, within the person's rate.

A version already queued, running or printed is not printed again: the request gets that
job, whoever asked for it first, and costs nothing. A failed print is printed again as a new
job (the failed row keeps its reason for whoever looks at it, the new one starts its attempts
afresh, and it counts towards the person's PRINT_RATE_LIMIT like any new print). The
conditional unique constraint `one_live_print_per_report_version` makes two requests at the
same moment end with one job on PostgreSQL; on SQLite the transaction holds the write lock
from its start (settings.DATABASES' transaction_mode), so they are one after the other.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .jobs import rate_check, user_lock
from .models import LIVE_PRINT_STATUSES, ReportPrint

# Every kind of print job a person can ask for; each counts towards their PRINT_RATE_LIMIT.
# Other apps add theirs when they are ready (commendations.apps).
PRINT_JOB_MODELS = [ReportPrint]


def print_request(*, report, by, now=None):
    """The print job of `report` as it stands (its current version): the live one if there
    is one, else a new queued job that the caller enqueues on commit. Returns (job, created).
    Raises RateLimited when `by` has asked for PRINT_RATE_LIMIT new prints in its window."""
    live = ReportPrint.objects.filter(report=report, report_version=report.version, status__in=LIVE_PRINT_STATUSES)

    def create():
        try:
            with transaction.atomic():
                return ReportPrint.objects.create(report=report, report_version=report.version, requested_by=by)
        except IntegrityError:  # another request made it first; its row is committed now
            return None

    return print_job_request(live=live, create=create, by=by, now=now)


def print_job_request(*, live, create, by, now=None):
    """One print job per thing printed: the first of `live` (the jobs already queued,
    running or done for it) if there is one, else `create()` once the person's rate allows
    it. Under the person's lock, so their rate holds across processes. `create` returns
    None when a simultaneous request made the job first; that job is returned. Returns
    (job, created)."""
    now = now or timezone.now()
    with transaction.atomic():
        if by is not None:
            user_lock(by)
        job = live.first()
        if job is not None:
            return job, False
        limit = settings.PRINT_RATE_LIMIT
        if by is not None and limit is not None:
            rate_check(kind="print", limit=limit, times=_print_times(by, limit, now), now=now)
        job = create()
        return (job, True) if job is not None else (live.get(), False)


def _print_times(user, limit, now):
    """When `user` asked for each of their new prints, of every kind, in the window ending `now`."""
    since = now - datetime.timedelta(seconds=limit[1])
    times = []
    for model in PRINT_JOB_MODELS:
        times += model.objects.filter(requested_by=user, created_at__gt=since).values_list("created_at", flat=True)
    return times
