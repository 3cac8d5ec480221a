"""The unit's printable report: POST asks for the print of the report's current version
(reports.prints: the existing job, or a new row whose task is enqueued after commit); a status
fragment (polled by htmx) shows progress, then the downloads, PDF and Word. A person over
their PRINT_RATE_LIMIT gets 429 with when to try again. Every view goes through
report_for_user, so outsiders get 404."""

from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .access import report_for_user
from .jobs import RateLimited
from .models import JobStatus, ReportPrint
from .prints import print_request


def print_for_user(user, pk):
    """The print job `pk` if `user` may read its report, else Http404."""
    job = get_object_or_404(ReportPrint, pk=pk)
    report_for_user(user, job.report_id)
    return job


@require_POST
def report_print(request, pk):
    report = report_for_user(request.user, pk)
    htmx = request.headers.get("HX-Request")
    try:
        job, created = print_request(report=report, by=request.user)
    except RateLimited as limited:
        template = "reports/partials/rate_limited.html" if htmx else "reports/print/limited.html"
        response = render(request, template, {"limited": limited, "report": report}, status=429)
        response["Retry-After"] = str(limited.retry_after)
        return response
    if created:
        from .tasks import render_report_print

        transaction.on_commit(lambda: render_report_print.delay(job.pk))
    if htmx:
        return render(request, "reports/print/_status.html", {"job": job})
    return redirect("reports:print_detail", pk=job.pk)


def print_detail(request, pk):
    job = print_for_user(request.user, pk)
    return render(request, "reports/print/detail.html", {"job": job, "report": job.report})


def print_status(request, pk):
    job = print_for_user(request.user, pk)
    return render(request, "reports/print/_status.html", {"job": job})


def job_file_response(job, file, name):
    """A finished print job's file as an attachment named `name` + its extension; 404 while
    the job is not done or has no such file (a certificate print has no Word file)."""
    if job.status != JobStatus.DONE or not file:
        raise Http404
    extension = file.name.rsplit(".", 1)[-1]
    return FileResponse(file.open("rb"), as_attachment=True, filename=f"{name}.{extension}")


def _job_file(job, file):
    return job_file_response(job, file, f"bao-cao-{job.report.unit.code}-v{job.report_version}")


def print_download(request, pk):
    job = print_for_user(request.user, pk)
    return _job_file(job, job.pdf)


def print_download_docx(request, pk):
    """The same report as a Word file, for a unit that edits before signing."""
    job = print_for_user(request.user, pk)
    return _job_file(job, job.docx)
