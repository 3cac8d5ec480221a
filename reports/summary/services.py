"""Creating, retrying and finding summaries, and saving the reviewer's draft of the prose.

A summary's number is the campaign's next one, taken with the campaign's row locked
(PostgreSQL: SELECT … FOR UPDATE) or, on SQLite, inside a transaction that holds the write
lock from its start (settings.DATABASES' transaction_mode "IMMEDIATE"), so compiles asked
for at the same moment get consecutive numbers one after the other. The unique constraint
on (campaign, number) stays the last guard: a number taken anyway is taken again.
"""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext

from campaigns.models import Campaign
from reports.jobs import job_requeue
from reports.models import JobStatus, Summary, SummaryDraft
from reports.services import ReportError
from reports.text import text_problem

from .compile import drafts_current

NUMBER_ATTEMPTS = 10


def summary_create(*, campaign, by, recommendations="", document_number="", document_date=None, accepted_only=False):
    """A queued Summary with the campaign's next number (the caller enqueues it on commit).
    `recommendations`, when given, stands in for the drafted part V.2; text holding control
    characters is refused (ReportError)."""
    message = text_problem(gettext("Kiến nghị, đề xuất"), recommendations)
    if message:
        raise ReportError({"recommendations": message})
    for _attempt in range(NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
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


def summary_retry(*, summary):
    """Put a failed summary back in the queue (the caller enqueues it on commit)."""
    if summary.status != JobStatus.FAILED:
        return False
    job_requeue(summary)
    Summary.objects.filter(pk=summary.pk).update(parts_done=0, parts_total=0)
    return True


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
