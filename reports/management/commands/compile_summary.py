"""`python manage.py compile_summary CAMPAIGN --output PATH.pdf [--number 7] [--date 15/12/2024]`:
the same compile the web page runs, synchronously (every part rendered here, in order), then
the PDF copied to PATH (and the DOCX beside it). The number and the date are those the
leader signs under; without them the number is left blank for the clerk and the date is today."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaigns.management.campaign_argument import add_campaign_argument, campaign_from_code
from reports.jobs import job_claim, job_run
from reports.models import JobStatus, Summary
from reports.summary import summary_compile, summary_create


def _date(text):
    for form in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise CommandError(f"--date {text!r}: not a date; write it as 15/12/2024")


class Command(BaseCommand):
    help = "Compile the provincial summary of a campaign into a PDF (and a DOCX beside it)."

    def add_arguments(self, parser):
        add_campaign_argument(parser)
        parser.add_argument("--output", required=True, help="where to write the PDF")
        parser.add_argument("--number", default="", help="the document number (digits), if already assigned")
        parser.add_argument("--date", default="", help="the document's date, 15/12/2024 (default: today)")
        parser.add_argument("--accepted-only", action="store_true", help="count only reports already accepted")
        parser.add_argument("--recommendations", default="", help="text of part V.2 (one paragraph a line)")

    def handle(self, *args, campaign, output, number, date, accepted_only, recommendations, **options):
        campaign = campaign_from_code(campaign)
        output = Path(output)
        if output.suffix.lower() != ".pdf":
            raise CommandError("--output must end with .pdf")
        number = number.strip()
        if number and not number.isdigit():
            raise CommandError(f"--number {number!r}: digits only, e.g. 125")
        document_date = _date(date.strip()) if date.strip() else None
        summary = summary_create(
            campaign=campaign,
            by=None,
            recommendations=recommendations,
            document_number=number,
            document_date=document_date,
            accepted_only=accepted_only,
        )
        job = job_claim(Summary, summary.pk, stage="Đang chuẩn bị")
        job_run(job, lambda: summary_compile(summary=job))
        job.refresh_from_db()
        if job.status != JobStatus.DONE:
            raise CommandError(f"summary #{job.number} failed: {job.error}")
        output.parent.mkdir(parents=True, exist_ok=True)
        with job.pdf.open("rb") as source:
            output.write_bytes(source.read())
        docx = output.with_suffix(".docx")
        with job.docx.open("rb") as source:
            docx.write_bytes(source.read())
        versions = len(job.report_versions)
        self.stdout.write(f"summary #{job.number}: {output} and {docx} ({versions} unit reports)")
