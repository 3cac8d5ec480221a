"""Evidence uploads: only PDF, JPEG, PNG, XLSX and DOCX by content, at most the configured
size, stored under a safe name outside static/, served only through the scoped view."""

import io
from pathlib import Path

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.models import EventAction, Evidence, ReportEvent
from reports.services import report_get_or_create
from reports.tests.report_web import fill
from reports.uploads import safe_file_name
from reports.workflow import report_submit

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200


def xlsx_bytes():
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


def docx_bytes():
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    return buffer.getvalue()


@pytest.fixture
def report(campaign, unit_a, officer_a):
    return report_get_or_create(campaign=campaign, unit=unit_a, by=officer_a)


def upload(client, report, name, content, description=""):
    return client.post(
        reverse("reports:evidence_upload", args=[report.pk]),
        {"file": SimpleUploadedFile(name, content), "description": description},
    )


@pytest.mark.parametrize(
    "name,content,stored_type",
    [
        ("bien-ban.pdf", PDF, "application/pdf"),
        ("anh.png", PNG, "image/png"),
        ("anh.jpg", JPEG, "image/jpeg"),
        ("so-lieu.xlsx", xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("bao-cao.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_accepted_types_are_stored_and_downloadable(
    name, content, stored_type, report, officer_a, client_for, settings
):
    client = client_for(officer_a)
    response = upload(client, report, name, content, "Biên bản kiểm tra")
    assert response.status_code == 302 and response.url.endswith("#evidence")
    evidence = Evidence.objects.get()
    assert evidence.content_type == stored_type and evidence.size == len(content)
    assert evidence.original_name == name and evidence.description == "Biên bản kiểm tra"
    path = Path(evidence.file.path)
    assert path.is_relative_to(Path(settings.MEDIA_ROOT)) and "static" not in path.parts
    assert ReportEvent.objects.filter(action=EventAction.EVIDENCE_ADDED, comment=name).exists()
    download = client.get(reverse("reports:evidence_download", args=[report.pk, evidence.pk]))
    assert b"".join(download.streaming_content) == content
    assert download["Content-Type"] == stored_type


def test_an_exe_renamed_pdf_is_refused(report, officer_a, client_for):
    response = upload(client_for(officer_a), report, "bao-cao.pdf", EXE)
    assert response.status_code == 200
    assert "không phải PDF, JPEG, PNG, XLSX hoặc DOCX" in response.content.decode()
    assert "is-invalid" in response.content.decode()
    assert not Evidence.objects.exists()
    assert not ReportEvent.objects.filter(action=EventAction.EVIDENCE_ADDED).exists()


def test_text_renamed_docx_is_refused(report, officer_a, client_for):
    response = upload(client_for(officer_a), report, "bao-cao.docx", b"just text, not a document")
    assert "không phải PDF" in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_file_over_the_limit_is_refused(report, officer_a, client_for, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    response = upload(client_for(officer_a), report, "lon.pdf", PDF + b"0" * 1024)
    assert response.status_code == 200
    assert "vượt giới hạn" in response.content.decode()
    assert not Evidence.objects.exists()
    assert upload(client_for(officer_a), report, "vua.pdf", PDF).status_code == 302


def test_default_limit_is_ten_megabytes(settings):
    assert settings.EVIDENCE_MAX_BYTES == 10 * 1024 * 1024


def test_content_decides_the_stored_extension_and_names_are_sanitised(report, officer_a, client_for):
    upload(client_for(officer_a), report, "../../etc/Ảnh đợt 1 <b>.pdf", PNG)
    evidence = Evidence.objects.get()
    stored = Path(evidence.file.name)
    assert stored.parts[0] == "evidence" and ".." not in stored.parts
    assert stored.name.endswith("-Anh-dot-1-b.png")
    assert evidence.original_name == "Ảnh đợt 1 <b>.pdf"
    page = client_for(officer_a).get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "Ảnh đợt 1 &lt;b&gt;.pdf" in page


@pytest.mark.parametrize(
    "name,expected",
    [
        ("Báo cáo Đảng ủy.pdf", "Bao-cao-Dang-uy.pdf"),
        ("C:\\Users\\x\\a b.pdf", "a-b.pdf"),
        ("....pdf", "minh-chung.pdf"),
        ("", "minh-chung.pdf"),
    ],
)
def test_safe_file_name(name, expected):
    assert safe_file_name(name, "pdf") == expected


def test_no_uploads_or_removals_after_submission(report, officer_a, client_for):
    client = client_for(officer_a)
    upload(client, report, "bien-ban.pdf", PDF)
    evidence = Evidence.objects.get()
    fill(report, officer_a)
    report_submit(report=report, by=officer_a)
    response = upload(client, report, "them.pdf", PDF)
    assert response.status_code == 302
    response = client.post(reverse("reports:evidence_delete", args=[report.pk, evidence.pk]))
    assert response.status_code == 302
    assert list(Evidence.objects.all()) == [evidence]


def test_removal_is_recorded(report, officer_a, client_for):
    client = client_for(officer_a)
    upload(client, report, "bien-ban.pdf", PDF)
    evidence = Evidence.objects.get()
    client.post(reverse("reports:evidence_delete", args=[report.pk, evidence.pk]))
    assert not Evidence.objects.exists()
    assert ReportEvent.objects.filter(action=EventAction.EVIDENCE_REMOVED, comment="bien-ban.pdf").exists()


def test_missing_file_is_refused_next_to_the_field(report, officer_a, client_for):
    response = client_for(officer_a).post(reverse("reports:evidence_upload", args=[report.pk]), {})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not Evidence.objects.exists()


def test_an_upload_from_the_form_page_answers_with_the_evidence_list_only(report, officer_a, client_for):
    """The form page uploads with htmx: the answer replaces the evidence list and nothing
    else, so the figures being typed on the page stay as they are."""
    client = client_for(officer_a)
    url = reverse("reports:evidence_upload", args=[report.pk])
    response = client.post(url, {"file": SimpleUploadedFile("bien-ban.pdf", PDF)}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith("<section") and 'id="evidence"' in page
    assert "bien-ban.pdf" in page and "Đã tải lên" in page and 'id="report-form"' not in page
    evidence = Evidence.objects.get()

    response = client.post(url, {"file": SimpleUploadedFile("virus.pdf", EXE)}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="report-form"' not in page
    assert 'aria-invalid="true"' in page and "không phải PDF" in page

    delete = reverse("reports:evidence_delete", args=[report.pk, evidence.pk])
    response = client.post(delete, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Chưa có minh chứng." in response.content.decode()
    assert not Evidence.objects.exists()


def test_an_upload_after_submission_sends_the_form_page_to_the_report(report, officer_a, client_for):
    client = client_for(officer_a)
    fill(report, officer_a)
    report_submit(report=report, by=officer_a)
    url = reverse("reports:evidence_upload", args=[report.pk])
    response = client.post(url, {"file": SimpleUploadedFile("them.pdf", PDF)}, headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("reports:report_detail", args=[report.pk])
    assert not Evidence.objects.exists()
