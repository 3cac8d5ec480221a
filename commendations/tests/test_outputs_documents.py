"""The Tờ trình, the draft Quyết định and the certificates, read back from their PDF and Word
files (pypdf, python-docx): names, award forms, grouping order, DỰ THẢO until numbered."""

import io

import pytest
from docx import Document as WordFile

from commendations.certificates import BLANK, PLAIN, CertificatesRefused, certificates, certificates_pdf
from commendations.decisions import decision_of
from commendations.documents import campaign_list, decision_document, document_files, submission_document
from reports.tests.pdf_reading import assert_liberation_serif_embedded, pdf_reader, pdf_text

pytest_plugins = ["commendations.tests.outputs_data"]

# How the draft decision cites the shipped catalogue's legal basis.
LEGAL_BASIS = [
    "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
    "Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy định chi tiết thi hành "
    "một số điều của Luật Thi đua, khen thưởng;",
]

ON_LIST = ("Ủy ban nhân dân huyện Mường Ảng", "Phòng Nội vụ huyện Mường Ảng", "Hộ ông Quàng Văn Tươi")
ON_LIST += ("Ông Lường Văn Sơn", "Bà Lò Thị Mai")
OFF_LIST = ("Phòng Nghiệp vụ Văn hóa", "Ông Cà Văn Bổ sung", "Bà Không Đồng Ý")


def docx_text(data):
    """Every paragraph and table cell of a Word file, in order, whitespace collapsed."""
    document = WordFile(io.BytesIO(data))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts += [paragraph.text for row in table.rows for cell in row.cells for paragraph in cell.paragraphs]
    return " ".join(" ".join(parts).split())


def files(build, campaign):
    document = build(campaign, decision_of(campaign), campaign_list(campaign))
    return document, *document_files(document)


@pytest.mark.parametrize("build", [submission_document, decision_document])
def test_both_files_say_what_the_document_says(campaign, listed, build):
    document, pdf, docx = files(build, campaign)
    expected = [" ".join(str(text).split()) for text in document.texts() if str(text).strip()]
    assert len(expected) > 30
    printed, written = pdf_text(pdf), docx_text(docx)
    for text in expected:
        assert text in printed, text
        assert text in written, text
    for name in ON_LIST:
        assert name in printed and name in written
    for name in OFF_LIST:
        assert name not in printed and name not in written
    assert_liberation_serif_embedded(pdf)


def test_the_decision_groups_the_list_by_award_form_then_kind(campaign, listed):
    _document, pdf, docx = files(decision_document, campaign)
    text = pdf_text(pdf)
    annex = text[text.index("DANH SÁCH") :]
    flag = annex.index("I. CỜ THI ĐUA CỦA ỦY BAN NHÂN DÂN TỈNH")
    merit = annex.index("II. BẰNG KHEN CỦA CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH")
    assert flag < annex.index("Ủy ban nhân dân huyện Mường Ảng") < merit
    # Collectives, then households, then individuals (the list's order), each numbered from 1.
    order = [
        annex.index(name, merit) for name in ("Phòng Nội vụ", "Hộ ông Quàng", "Ông Lường Văn Sơn", "Bà Lò Thị Mai")
    ]
    assert order == sorted(order)
    assert "1. Tập thể" in annex[merit:] and "Hộ gia đình" in annex[merit:] and "Cá nhân" in annex[merit:]
    assert "Trưởng phòng Nghiệp vụ Văn hóa, Sở Văn hóa, Thể thao và Du lịch" in annex
    assert "(01 tập thể, 02 cá nhân và 01 hộ gia đình)" in annex
    assert "Tặng Cờ thi đua của Ủy ban nhân dân tỉnh cho 01 tập thể; Bằng khen của Chủ tịch" in text
    assert "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN" in text
    for basis in LEGAL_BASIS:  # the shipped catalogue's documents, cited in full
        assert basis in text
    assert "QUYẾT ĐỊNH:" in text and "Điều 2." in text and "Điều 3." in text
    assert "Phòng Nội vụ huyện Mường Ảng" in docx_text(docx)


def test_draft_until_numbered_then_the_numbers_print(campaign, listed, signed_decision):
    _document, pdf, _docx = files(decision_document, campaign)
    text = pdf_text(pdf)
    assert "DỰ THẢO" not in text
    assert "Số: 123/QĐ-UBND" in text
    assert "Xét đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số 45/TTr-SNV ngày 16/12/2024" in text
    assert "Điện Biên, ngày 20 tháng 12 năm 2024" in text
    assert "KT. CHỦ TỊCH" in text and "PHÓ CHỦ TỊCH" in text and "Lò Văn Tiến" in text
    assert "(Kèm theo Quyết định số 123/QĐ-UBND ngày 20/12/2024" in text


def test_unnumbered_documents_are_marked_draft(campaign, listed):
    for build in (submission_document, decision_document):
        _document, pdf, docx = files(build, campaign)
        assert "DỰ THẢO" in pdf_text(pdf)
        assert "DỰ THẢO" in docx_text(docx)


def test_the_submission_reports_the_review_and_counts_per_form(campaign, listed):
    _document, pdf, _docx = files(submission_document, campaign)
    text = pdf_text(pdf)
    assert "SỞ NỘI VỤ" in text and "UBND TỈNH ĐIỆN BIÊN" in text and "TỜ TRÌNH" in text
    assert "Kính gửi: Ủy ban nhân dân tỉnh" in text
    assert "V/v đề nghị khen thưởng" in text
    assert "nhận được 08 hồ sơ đề nghị khen thưởng của 02 cơ quan, đơn vị" in text
    assert "06 hồ sơ đủ điều kiện" in text and "01 hồ sơ phải bổ sung" in text
    assert "01 hồ sơ không đủ điều kiện" in text
    assert "01 trường hợp đạt, 01 trường hợp không đạt" in text
    assert "GIÁM ĐỐC" in text
    # The counts table: the flag 1 collective; the Bằng khen 1 collective, 2 people, 1 household.
    assert "Cờ thi đua của Ủy ban nhân dân tỉnh 1 0 0 1" in text
    assert "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh 1 2 1 4" in text
    assert "Tổng cộng 2 2 1 5" in text


# --- certificates ------------------------------------------------------------------------------
def test_certificates_are_refused_before_the_decision_is_numbered(campaign, listed):
    with pytest.raises(CertificatesRefused, match="số và ngày ký"):
        certificates(campaign, decision_of(campaign), campaign_list(campaign))


@pytest.mark.parametrize("layout", [PLAIN, BLANK])
def test_one_landscape_page_per_name_of_a_certificate_form(campaign, signed_decision, layout):
    items = certificates(campaign, signed_decision, campaign_list(campaign))
    pdf = certificates_pdf(items, layout)
    reader = pdf_reader(pdf)
    names = ["Phòng Nội vụ huyện Mường Ảng", "Hộ ông Quàng Văn Tươi", "Ông Lường Văn Sơn", "Bà Lò Thị Mai"]
    assert len(reader.pages) == len(names)  # the flag prints no certificate
    for page, name in zip(reader.pages, names, strict=True):
        box = page.mediabox
        assert round(float(box.width)) == 842 and round(float(box.height)) == 595  # A4 landscape, in points
        text = " ".join(page.extract_text().split())
        assert name in text
        assert "Quyết định số 123/QĐ-UBND ngày 20/12/2024" in text
        assert "Điện Biên, ngày 20 tháng 12 năm 2024" in text
    whole = pdf_text(pdf)
    assert ("TẶNG BẰNG KHEN" in whole) == (layout == PLAIN)
    assert ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in whole) == (layout == PLAIN)
    assert ("Lò Văn Tiến" in whole) == (layout == PLAIN)
    assert "Trưởng phòng Nghiệp vụ Văn hóa, Sở Văn hóa, Thể thao và Du lịch" in whole
    assert_liberation_serif_embedded(pdf)


def test_a_long_achievement_stays_on_its_page(campaign, signed_decision, listed):
    person = listed["person"]
    person.achievement = "Đã có thành tích xuất sắc. " * 80
    person.save()
    items = certificates(campaign, signed_decision, campaign_list(campaign))
    for layout in (PLAIN, BLANK):
        assert len(pdf_reader(certificates_pdf(items, layout)).pages) == 4


def test_units_are_named_as_they_were_during_the_campaign(campaign, listed):
    from campaigns.models import Unit

    Unit.objects.filter(code="h-muong-ang").update(name="Xã Mường Ảng (sau sắp xếp)")
    _document, pdf, docx = files(decision_document, campaign)
    for text in (pdf_text(pdf), docx_text(docx)):
        assert "Huyện Mường Ảng" in text and "sau sắp xếp" not in text
