"""Celery tasks. Each takes primary keys, reloads the row and writes its stage, progress and
error there (reports.jobs); the work itself is in plain services that tests call directly.

Every job task acknowledges late and is requeued if its worker dies; soft and hard time
limits stop a runaway render; the claim in reports.jobs gives up after JOB_MAX_ATTEMPTS.
"""

import logging

from celery import shared_task
from django.conf import settings

from .jobs import job_claim, job_run, jobs_sweep_stale
from .models import ReportPrint, Summary

logger = logging.getLogger(__name__)

JOB_TASK = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": settings.CELERY_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.CELERY_TASK_TIME_LIMIT,
    "ignore_result": True,
}


@shared_task(**JOB_TASK)
def render_report_print(print_id):
    """Render one unit's printable report (ReportPrint row `print_id`)."""
    from .pdf import report_print_render

    job = job_claim(ReportPrint, print_id, stage="Đang chuẩn bị")
    if job is not None:
        job_run(job, lambda: report_print_render(job=job))


@shared_task(**JOB_TASK)
def compile_summary(summary_id):
    """Compile a provincial summary: collect one snapshot, then fan the unit annexes out as
    `render_summary_part` tasks; the last part to finish enqueues `merge_summary`."""
    from .summary import summary_compile

    job = job_claim(Summary, summary_id, stage="Đang chuẩn bị")
    if job is not None:
        job_run(job, lambda: summary_compile(summary=job, dispatch=enqueue_summary_step))


@shared_task(**JOB_TASK)
def render_summary_part(summary_id, run, index):
    from .summary import summary_render_part

    summary = Summary.objects.filter(pk=summary_id, run=run).first()
    if summary is not None:
        job_run(summary, lambda: summary_render_part(summary=summary, index=index, dispatch=enqueue_summary_step))


@shared_task(**JOB_TASK)
def merge_summary(summary_id, run):
    from .summary import summary_merge

    summary = Summary.objects.filter(pk=summary_id, run=run).first()
    if summary is not None:
        job_run(summary, lambda: summary_merge(summary=summary))


@shared_task(acks_late=True, ignore_result=True)
def render_annex_ahead(report_id):
    """Lay out a counted report's pages of the summary's Phụ lục I ahead of the compile. A
    failure costs nothing but time: the compile lays out whatever is not ready."""
    from .summary.compile import annex_render_ahead

    try:
        return annex_render_ahead(report_id=report_id)
    except Exception:  # noqa: BLE001 - logged; the compile renders the unit itself
        logger.exception("Laying out the annex of report %s ahead failed", report_id)
        return False


def enqueue_summary_step(summary, index=None):
    """Queue one step of a summary's compile: part `index`, or the merge when None."""
    if index is None:
        merge_summary.delay(summary.pk, summary.run)
    else:
        render_summary_part.delay(summary.pk, summary.run, index)


JOB_TASKS = {ReportPrint: render_report_print, Summary: compile_summary}


def enqueue_job(model, pk):
    JOB_TASKS[model].delay(pk)


@shared_task(acks_late=True, ignore_result=True)
def sweep_stale_jobs():
    """Requeue or fail jobs left running by a worker that died, then remove the work files
    of summaries no longer compiling (scheduled by beat)."""
    from .summary import summaries_sweep_work

    swept = jobs_sweep_stale(models=list(JOB_TASKS), enqueue=enqueue_job)
    summaries_sweep_work()
    return swept


@shared_task(acks_late=True, ignore_result=True)
def send_deadline_reminders():
    """Email the officers of units that have not reported, at 7, 3 and 1 days before the
    unit deadline and the day after (scheduled daily by beat)."""
    from .reminders import reminders_send_due

    return len(reminders_send_due())
