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


def print_request(*, report, by, now=None):
    """The print job of `report` as it stands (its current version): the live one if there
    is one, else a new queued job that the caller enqueues on commit. Returns (job, created).
    Raises RateLimited when `by` has asked for PRINT_RATE_LIMIT new prints in its window."""
    now = now or timezone.now()
    live = ReportPrint.objects.filter(report=report, report_version=report.version, status__in=LIVE_PRINT_STATUSES)
    with transaction.atomic():
        if by is not None:
            user_lock(by)
        job = live.first()
        if job is not None:
            return job, False
        limit = settings.PRINT_RATE_LIMIT
        if by is not None and limit is not None:
            rate_check(kind="print", limit=limit, times=_print_times(by, limit, now), now=now)
        try:
            with transaction.atomic():
                job = ReportPrint.objects.create(report=report, report_version=report.version, requested_by=by)
                return job, True
        except IntegrityError:  # another request made it first; its row is committed now
            return live.get(), False


def _print_times(user, limit, now):
    """When `user` asked for each of their new prints of the window ending `now`."""
    since = now - datetime.timedelta(seconds=limit[1])
    return ReportPrint.objects.filter(requested_by=user, created_at__gt=since).values_list("created_at", flat=True)
