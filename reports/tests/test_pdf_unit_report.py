"""The unit's printable report: rendered by a task, read back with pypdf, and scoped like the
report itself."""

import pytest
from django.urls import reverse

from reports.models import JobStatus, ReportPrint
from reports.pdf import StaticOnlyFetcher, static_root, unit_report_pdf
from reports.tests.pdf_reading import assert_liberation_serif_embedded, pdf_reader, pdf_text, top_margin_text
from reports.tests.printing_data import fill_report


@pytest.fixture
def report(campaign, unit_a, officer_a):
    unit_a.head_name = "Lò Văn Hùng"
    unit_a.save()
    return fill_report(
        campaign,
        unit_a,
        officer_a,
        narrative="Tổ chức 12 buổi tuyên truyền <script>alert(1)</script> tại các xã.",
        commendations=[("individual", "Nguyễn Thị Hoa", "Hoàn thành xuất sắc nhiệm vụ", "Giấy khen")],
    )


@pytest.fixture
def pdf(report):
    return unit_report_pdf(report)


def test_it_prints_the_unit_as_issuing_body_with_the_motto(pdf):
    text = pdf_text(pdf)
    assert "ỦY BAN NHÂN DÂN" in text
    assert "HUYỆN MƯỜNG ẢNG" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Mường Ảng, ngày 10 tháng 11 năm 2024" in text
    assert "BÁO CÁO" in text


def test_a_department_prints_under_the_provincial_committee(campaign, unit_b, officer_b):
    text = pdf_text(unit_report_pdf(fill_report(campaign, unit_b, officer_b)))
    assert "UBND TỈNH ĐIỆN BIÊN" in text
    assert "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH" in text
    assert "Điện Biên, ngày 10 tháng 11 năm 2024" in text


def test_it_shows_the_units_figures_against_its_goals_the_vietnamese_way(pdf):
    text = pdf_text(pdf)
    # records_online 1.706 of 2.000 → 85,3%; district goal 80 → reached.
    assert "85,3" in text
    assert "80,0" in text
    # poverty: (3.000 − 2.400) / 12.000 × 100 = 5,0 against the poor-district goal 5,5.
    assert "5,5" in text and "5,0" in text
    assert "Cần đẩy nhanh" in text
    assert "1.000" in text


def test_it_holds_narratives_commendations_and_the_heads_signature(pdf):
    text = pdf_text(pdf)
    assert "Tổ chức 12 buổi tuyên truyền <script>alert(1)</script> tại các xã." in text
    assert "Nguyễn Thị Hoa" in text and "Giấy khen" in text
    assert "Nơi nhận:" in text
    assert "CHỦ TỊCH UBND HUYỆN" in text
    assert "Lò Văn Hùng" in text


def test_a_draft_is_marked_as_such(campaign, unit_a, officer_a):
    text = pdf_text(unit_report_pdf(fill_report(campaign, unit_a, officer_a, submit_at=None)))
    assert "Dự thảo" in text


def test_fonts_are_embedded_liberation_serif(pdf):
    assert_liberation_serif_embedded(pdf)


def test_page_numbers_start_on_page_two(pdf):
    pages = pdf_reader(pdf).pages
    assert len(pages) >= 2
    assert top_margin_text(pages[0]) == ""
    assert top_margin_text(pages[1]) == "2"


def test_the_fetcher_serves_static_files_only():
    fetcher = StaticOnlyFetcher()
    font = static_root() / "fonts" / "LiberationSerif-Regular.ttf"
    assert fetcher.fetch(font.as_uri()).read(4) == b"\x00\x01\x00\x00"
    for url in ("http://169.254.169.254/latest/meta-data/", "file:///etc/passwd", (static_root() / "..").as_uri()):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_user_text_cannot_make_the_server_fetch(campaign, unit_a, officer_a, caplog):
    report = fill_report(
        campaign, unit_a, officer_a, narrative='<img src="http://127.0.0.1:9/x.png"> <link href="file:///etc/passwd">'
    )
    text = pdf_text(unit_report_pdf(report))
    assert '<img src="http://127.0.0.1:9/x.png">' in text  # escaped, printed as text
    assert "Refused" not in caplog.text  # nothing was even attempted


# --- the print job through the web -------------------------------------------------------------
def test_print_renders_in_a_job_and_downloads_as_attachment(
    report, officer_a, client_for, django_capture_on_commit_callbacks
):
    client = client_for(officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report_print", args=[report.pk]))
    job = ReportPrint.objects.get(report=report)
    assert response.status_code == 302
    assert response.url == reverse("reports:print_detail", args=[job.pk])
    assert job.status == JobStatus.DONE, job.error
    assert job.report_version == report.version
    status = client.get(reverse("reports:print_status", args=[job.pk]))
    assert reverse("reports:print_download", args=[job.pk]) in status.content.decode()
    assert "hx-trigger" not in status.content.decode()
    download = client.get(reverse("reports:print_download", args=[job.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    content = b"".join(download.streaming_content)
    download.close()
    assert "HUYỆN MƯỜNG ẢNG" in pdf_text(content)


def test_htmx_print_returns_a_polling_fragment(report, officer_a, client_for):
    response = client_for(officer_a).post(reverse("reports:report_print", args=[report.pk]), HTTP_HX_REQUEST="true")
    job = ReportPrint.objects.get(report=report)
    assert job.status == JobStatus.QUEUED  # the task waits for the commit
    body = response.content.decode()
    assert 'hx-trigger="every 1s"' in body and "<progress" in body


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("anonymous", 302), ("officer_a", 302), ("officer_b", 404), ("reviewer", 302), ("leader", 302)],
)
def test_print_role_matrix(actor, expected, report, actors, client_for, django_capture_on_commit_callbacks):
    user = actors.get(actor)
    client = client_for(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report_print", args=[report.pk]))
    assert response.status_code == expected
    if actor == "anonymous":
        assert reverse("login") in response.url
        assert not ReportPrint.objects.exists()
    elif expected == 404:
        assert not ReportPrint.objects.exists()


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("anonymous", 302), ("officer_a", 200), ("officer_b", 404), ("reviewer", 200), ("leader", 200)],
)
def test_print_pages_role_matrix(actor, expected, report, officer_a, actors, client_for):
    job = ReportPrint.objects.create(report=report, report_version=report.version, requested_by=officer_a)
    from django.core.files.base import ContentFile

    job.pdf.save("x.pdf", ContentFile(b"%PDF-1.7"), save=False)
    ReportPrint.objects.filter(pk=job.pk).update(status=JobStatus.DONE, pdf=job.pdf.name)
    client = client_for(actors.get(actor))
    for name in ("print_detail", "print_status", "print_download"):
        response = client.get(reverse(f"reports:{name}", args=[job.pk]))
        response.close()
        assert response.status_code == expected, name
    assert ReportPrint.objects.get(pk=job.pk).status == JobStatus.DONE  # GET changed nothing


def test_print_is_post_only(report, officer_a, client_for):
    assert client_for(officer_a).get(reverse("reports:report_print", args=[report.pk])).status_code == 405
    assert not ReportPrint.objects.exists()
