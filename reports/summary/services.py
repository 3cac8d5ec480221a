"""Creating, retrying and finding summaries, and saving the reviewer's draft of the prose.

A summary's number is the campaign's next one, taken with the campaign's row locked
(PostgreSQL: SELECT … FOR UPDATE) or, on SQLite, inside a transaction that holds the write
lock from its start (settings.DATABASES' transaction_mode "IMMEDIATE"), so compiles asked
for at the same moment get consecutive numbers one after the other. The unique constraint
on (campaign, number) stays the last guard: a number taken anyway is taken again.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from campaigns.models import Campaign
from reports.jobs import job_requeue, rate_check, user_lock
from reports.models import JobStatus, Summary, SummaryDraft
from reports.services import ReportError
from reports.text import text_problem

from .compile import drafts_current

NUMBER_ATTEMPTS = 10


def summary_create(
    *, campaign, by, recommendations="", document_number="", document_date=None, accepted_only=False, now=None
):
    """A queued Summary with the campaign's next number (the caller enqueues it on commit).
    `recommendations`, when given, stands in for the drafted part V.2; text holding control
    characters is refused (ReportError). Raises RateLimited when `by` has asked for
    COMPILE_RATE_LIMIT compiles and retries in its window (`by` None: the command line)."""
    message = text_problem(gettext("Kiến nghị, đề xuất"), recommendations)
    if message:
        raise ReportError({"recommendations": message})
    now = now or timezone.now()
    for _attempt in range(NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                if by is not None:
                    user_lock(by)
                    compile_rate_check(by, now)
                list(Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("pk", flat=True))
                number = (Summary.objects.filter(campaign=campaign).aggregate(n=Max("number"))["n"] or 0) + 1
                return Summary.objects.create(
                    campaign=campaign,
                    number=number,
                    requested_by=by,
                    recommendations=recommendations.strip(),
                    document_number=document_number.strip(),
                    document_date=document_date,
                    accepted_only=accepted_only,
                )
        except IntegrityError:  # the number was taken at the same moment after all
            continue
    raise IntegrityError("Could not allocate a summary number")


def summary_retry(*, summary, by=None, now=None):
    """Put a failed summary back in the queue (the caller enqueues it on commit). Returns
    False when it is not failed. A retry counts towards `by`'s COMPILE_RATE_LIMIT like a
    compile (RateLimited)."""
    if summary.status != JobStatus.FAILED:
        return False
    now = now or timezone.now()
    with transaction.atomic():
        if by is not None:
            user_lock(by)
            compile_rate_check(by, now)
        job_requeue(summary)
        Summary.objects.filter(pk=summary.pk).update(parts_done=0, parts_total=0, retried_at=now, retried_by=by)
    return True


def compile_rate_check(user, now):
    """Raise RateLimited when `user` has asked for COMPILE_RATE_LIMIT compiles and retries
    in the window ending `now`. A summary retried several times counts its last retry: its
    runs are one after the other (only a failed summary can be retried), so they never add
    up to parallel work."""
    limit = settings.COMPILE_RATE_LIMIT
    if limit is None:
        return
    since = now - datetime.timedelta(seconds=limit[1])
    asked = Summary.objects.filter(requested_by=user, created_at__gt=since).values_list("created_at", flat=True)
    retried = Summary.objects.filter(retried_by=user, retried_at__gt=since).values_list("retried_at", flat=True)
    rate_check(kind="compile", limit=limit, times=[*asked, *retried], now=now)


def summary_latest_done(campaign):
    """The summary leaders are offered: the last one that finished."""
    return Summary.objects.filter(campaign=campaign, status=JobStatus.DONE).order_by("-finished_at", "-number").first()


def summary_draft_save(*, campaign, by, texts):
    """Save the parts whose text changed (part key → text) as new drafts, all or none.
    Returns the keys saved."""
    current = drafts_current(campaign)
    changed = {}
    for part, text in texts.items():
        text = "\n".join(line.rstrip() for line in text.strip().splitlines())
        previous = current.get(part)
        if previous is None or previous.text != text:
            changed[part] = text
    with transaction.atomic():
        SummaryDraft.objects.bulk_create(
            SummaryDraft(campaign=campaign, part=part, text=text, saved_by=by) for part, text in changed.items()
        )
    return sorted(changed)
