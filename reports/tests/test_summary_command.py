"""`manage.py compile_summary CAMPAIGN --output PATH.pdf` runs the same service synchronously."""

import io

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from reports.models import JobStatus, Summary
from reports.tests.pdf_reading import pdf_text
from reports.tests.printing_data import fill_report


def test_it_writes_the_pdf_and_the_docx(campaign, unit_a, officer_a, tmp_path):
    fill_report(campaign, unit_a, officer_a)
    output = tmp_path / "out" / "tong-hop.pdf"
    stdout = io.StringIO()
    call_command("compile_summary", campaign.code, "--output", str(output), "--number", "7", stdout=stdout)
    text = pdf_text(output.read_bytes())
    assert "Số: 07/BC-UBND" in text and "Huyện Mường Ảng" in text
    assert Document(str(output.with_suffix(".docx"))).paragraphs
    summary = Summary.objects.get()
    assert summary.status == JobStatus.DONE and summary.report_versions == {"h-muong-ang": 3}
    assert "1 unit reports" in stdout.getvalue()


def test_unknown_campaign_and_bad_output_are_refused(campaign, tmp_path):
    with pytest.raises(CommandError, match="Không có phong trào mã"):
        call_command("compile_summary", "no-such", "--output", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match=".pdf"):
        call_command("compile_summary", campaign.code, "--output", str(tmp_path / "x.docx"))
    assert not Summary.objects.exists()
