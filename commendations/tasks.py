"""Celery tasks of the commendation documents: each takes a CommendationPrint's id, claims
the row and renders it through commendations.decisions (reports.jobs does the rest)."""

from celery import shared_task

from reports.jobs import job_claim, job_run
from reports.tasks import JOB_TASK

from .models import CommendationPrint


@shared_task(**JOB_TASK)
def render_commendation_print(print_id):
    """Render a Tờ trình, a draft Quyết định or the certificates (CommendationPrint `print_id`)."""
    from .decisions import commendation_print_render

    job = job_claim(CommendationPrint, print_id, stage="Đang chuẩn bị")
    if job is not None:
        job_run(job, lambda: commendation_print_render(job=job))
