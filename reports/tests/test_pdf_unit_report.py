"""The unit's printable report: one document model rendered as PDF (read back with pypdf)
and as Word (read back with python-docx), in the ND 30 format — the unit's own symbol, its
signature block by kind, the signer entered on the report — rendered by a task and scoped
like the report itself."""

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from docx import Document as WordDocument

from campaigns.models import Role, Unit
from conftest import make_user
from reports.models import JobStatus, ReportPrint
from reports.pdf import BLANK_NUMBER, StaticOnlyFetcher, static_root
from reports.tests.pdf_reading import (
    assert_liberation_serif_embedded,
    pdf_reader,
    pdf_text,
    read_field,
    top_margin_text,
)
from reports.tests.printing_data import fill_report
from reports.unit_document import (
    authority_lines,
    report_symbol,
    unit_body,
    unit_report_document,
    unit_report_files,
    unit_report_pdf,
)


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
    assert "Nơi nhận: - Sở Nội vụ (Ban Thi đua - Khen thưởng); - Lưu: VT." in text
    # A district's People's Committee signs collectively; the file's "CHỦ TỊCH UBND HUYỆN"
    # is the head's title, not the signature's.
    assert "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH Lò Văn Hùng" in text
    assert "CHỦ TỊCH UBND HUYỆN" not in text


def test_the_parts_keep_their_order_and_capitals(pdf):
    text = pdf_text(pdf)
    parts = [
        "I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU",
        "II. SỐ LIỆU BÁO CÁO",
        "III. KẾT QUẢ THỰC HIỆN CÁC NỘI DUNG",
        "IV. ĐỀ NGHỊ KHEN THƯỞNG",
    ]
    positions = [text.index(part) for part in parts]
    assert positions == sorted(positions)


# --- who issues and who signs ---------------------------------------------------------------------
def officer_of(code):
    return make_user(f"officer-{code}", Role.OFFICER, Unit.objects.get(code=code))


def report_of(campaign, code, **signer):
    officer = officer_of(code)
    report = fill_report(campaign, Unit.objects.get(code=code), officer)
    if signer:
        type(report).objects.filter(pk=report.pk).update(**signer)
    return type(report).objects.select_related("campaign").get(pk=report.pk)  # the unit as in the campaign


def test_the_number_line_carries_the_units_own_symbol(campaign):
    report = report_of(campaign, "so-gtvt")
    document = unit_report_document(report)
    assert document.header.number_line == f"Số: {BLANK_NUMBER}/BC-SGTVT"  # room for the clerk's number
    assert "Số: /BC-SGTVT" in pdf_text(unit_report_pdf(report))


def test_a_symbol_the_file_leaves_out_is_derived_from_the_kind_and_name(campaign, unit_a):
    assert report_symbol(Unit.objects.as_in(campaign).get(code="so-vhttdl")) == "BC-SVHTTDL"
    assert report_symbol(Unit.objects.as_in(campaign).get(code="so-khdt")) == "BC-SKHĐT"
    assert report_symbol(Unit.objects.as_in(campaign).get(code="h-muong-ang")) == "BC-UBND"
    assert report_symbol(Unit.objects.as_in(campaign).get(code="so-gddt")) == "BC-SGDĐT"  # from the file
    assert report_symbol(Unit.objects.as_in(campaign).get(code="so-ngoai-vu")) == "BC-SNgV"  # not SNV: Sở Nội vụ's
    assert report_symbol(Unit.objects.as_in(campaign).get(code="bchqs")) == "BC"
    assert report_symbol(Unit(name="Xã Thanh Nưa", kind="commune")) == "BC-UBND"


def test_a_people_committee_reports_as_ubnd_in_the_text(campaign):
    report = report_of(campaign, "tp-dien-bien-phu")
    text = pdf_text(unit_report_pdf(report))
    assert "UBND thành phố Điện Biên Phủ báo cáo kết quả thực hiện như sau:" in text
    assert "Trên đây là báo cáo kết quả thực hiện phong trào thi đua của UBND thành phố Điện Biên Phủ./." in text
    assert "Số: /BC-UBND" in text
    assert "Điện Biên Phủ, ngày 10 tháng 11 năm 2024" in text


def test_a_commune_signs_for_its_people_committee():
    commune = Unit(name="Xã Thanh Nưa", kind="commune", head_title="CHỦ TỊCH UBND XÃ")
    head = type("Report", (), {"signer_is_deputy": False, "signer_title": ""})()
    deputy = type("Report", (), {"signer_is_deputy": True, "signer_title": ""})()
    assert unit_body(commune) == "UBND xã Thanh Nưa"
    assert authority_lines(head, commune) == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert authority_lines(deputy, commune) == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]


def test_a_department_is_signed_by_its_director(campaign):
    report = report_of(campaign, "so-gtvt", signer_name="Nguyễn Văn Bình")
    text = pdf_text(unit_report_pdf(report))
    assert "Lưu: VT. GIÁM ĐỐC Nguyễn Văn Bình" in text
    assert "TM." not in text and "KT." not in text
    assert "Sở Giao thông vận tải báo cáo kết quả thực hiện như sau:" in text


def test_a_deputy_signs_for_the_director(campaign):
    report = report_of(campaign, "so-gtvt", signer_name="Lê Thị Mai", signer_is_deputy=True)
    text = pdf_text(unit_report_pdf(report))
    assert "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC Lê Thị Mai" in text


def test_a_deputy_signs_for_the_chairman_under_the_committee(report):
    type(report).objects.filter(pk=report.pk).update(signer_name="Quàng Văn Sơn", signer_is_deputy=True)
    report = type(report).objects.select_related("campaign").get(pk=report.pk)
    text = pdf_text(unit_report_pdf(report))
    assert "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH Quàng Văn Sơn" in text
    assert "Lò Văn Hùng" not in text  # the head's name never goes under a deputy's signature


def test_a_title_typed_on_the_report_replaces_the_default(campaign):
    report = report_of(campaign, "so-gtvt", signer_name="Lò Thị Hà", signer_title="Phó Giám đốc phụ trách")
    assert unit_report_document(report).closing.authority_lines == ["PHÓ GIÁM ĐỐC PHỤ TRÁCH"]


def test_other_bodies_sign_with_their_heads_title(campaign):
    report = report_of(campaign, "thanh-tra", signer_is_deputy=True)
    assert unit_report_document(report).closing.authority_lines == ["KT. CHÁNH THANH TRA", "PHÓ CHÁNH THANH TRA"]


# --- the Word file says what the PDF says ---------------------------------------------------------
def docx_texts(data):
    """Every paragraph's and table cell's text of a .docx, in order, blanks left out."""
    word = WordDocument(io.BytesIO(data))
    texts = [paragraph.text for paragraph in word.paragraphs]
    for table in word.tables:
        for row in table.rows:
            for cell in row.cells:
                texts += [paragraph.text for paragraph in cell.paragraphs]
    return word, [" ".join(text.split()) for text in texts if text.strip()]


def test_the_word_file_holds_the_same_texts_as_the_pdf(report):
    type(report).objects.filter(pk=report.pk).update(signer_name="Quàng Văn Sơn", signer_is_deputy=True)
    report = type(report).objects.select_related("campaign").get(pk=report.pk)
    pdf, docx = unit_report_files(report)
    document = unit_report_document(report)
    expected = [" ".join(str(text).split()) for text in document.texts() if str(text).strip()]
    assert len(expected) > 60
    printed = pdf_text(pdf)
    word, written = docx_texts(docx)
    joined = " ".join(written)
    for text in expected:
        assert text in printed, text
        assert text in joined, text
    assert "Quàng Văn Sơn" in written and "PHÓ CHỦ TỊCH" in written
    assert "KT. CHỦ TỊCH" in written and "Số: /BC-UBND" in written
    headings = [paragraph.text for paragraph in word.paragraphs if paragraph.style.name == "Heading 1"]
    assert headings == [
        "I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU",
        "II. SỐ LIỆU BÁO CÁO",
        "III. KẾT QUẢ THỰC HIỆN CÁC NỘI DUNG",
        "IV. ĐỀ NGHỊ KHEN THƯỞNG",
    ]
    items = [paragraph.text for paragraph in word.paragraphs if paragraph.style.name == "Heading 2"]
    assert items[0].startswith("1. Đẩy mạnh các cuộc vận động lớn")
    assert word.core_properties.author == "UBND huyện Mường Ảng"


def test_a_narrative_prints_one_paragraph_per_line(campaign, unit_a, officer_a):
    report = fill_report(campaign, unit_a, officer_a, narrative="Dòng thứ nhất.\n\n  Dòng thứ hai.  ")
    report = type(report).objects.select_related("campaign").get(pk=report.pk)
    body = unit_report_document(report).body
    lines = [
        block for block in body if block.kind == "paragraph" and block.source == ("Huyện Mường Ảng", "nội dung phần I")
    ]
    assert [block.text for block in lines] == ["Dòng thứ nhất.", "Dòng thứ hai."]


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
    assert reverse("reports:print_download_docx", args=[job.pk]) in status.content.decode()
    assert "Tải bản Word (.docx)" in status.content.decode()
    word = client.get(reverse("reports:print_download_docx", args=[job.pk]))
    assert word["Content-Disposition"].startswith("attachment")
    assert f'filename="bao-cao-h-muong-ang-v{report.version}.docx"' in word["Content-Disposition"]
    content = b"".join(word.streaming_content)
    word.close()
    assert "HUYỆN MƯỜNG ẢNG" in docx_texts(content)[1]
    assert docx_texts(read_field(job.docx))[1] == docx_texts(content)[1]


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
    job.pdf.save("x.pdf", ContentFile(b"%PDF-1.7"), save=False)
    job.docx.save("x.docx", ContentFile(b"PK"), save=False)
    ReportPrint.objects.filter(pk=job.pk).update(status=JobStatus.DONE, pdf=job.pdf.name, docx=job.docx.name)
    client = client_for(actors.get(actor))
    for name in ("print_detail", "print_status", "print_download", "print_download_docx"):
        response = client.get(reverse(f"reports:{name}", args=[job.pk]))
        response.close()
        assert response.status_code == expected, name
    assert ReportPrint.objects.get(pk=job.pk).status == JobStatus.DONE  # GET changed nothing


def test_print_is_post_only(report, officer_a, client_for):
    assert client_for(officer_a).get(reverse("reports:report_print", args=[report.pk])).status_code == 405
    assert not ReportPrint.objects.exists()


def test_a_print_made_before_word_files_offers_only_the_pdf(report, officer_a, client_for):
    job = ReportPrint.objects.create(report=report, report_version=report.version, requested_by=officer_a)
    job.pdf.save("x.pdf", ContentFile(b"%PDF-1.7"), save=False)
    ReportPrint.objects.filter(pk=job.pk).update(status=JobStatus.DONE, pdf=job.pdf.name)
    client = client_for(officer_a)
    status = client.get(reverse("reports:print_status", args=[job.pk])).content.decode()
    assert reverse("reports:print_download", args=[job.pk]) in status
    assert reverse("reports:print_download_docx", args=[job.pk]) not in status
    assert client.get(reverse("reports:print_download_docx", args=[job.pk])).status_code == 404
