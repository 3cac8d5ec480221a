"""The summary as one document in two files: the PDF (read back) and the Word file say the
same thing in the same order, the Word file is signable as it comes out, the PDF is
archive-grade, and the whole compile runs on a storage that is not a local disk."""

import io
import random
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from docx import Document as WordDocument
from docx.oxml.ns import qn

from campaigns.models import Unit, UnitKind
from campaigns.services import campaign_set_participants
from reports.aggregation import measures_for_unit
from reports.archive import pdfa_problems
from reports.models import JobStatus, MeasureValue, Narrative, ReportStatus, Summary, SummaryDraft, UnitReport
from reports.summary import summary_draft_save
from reports.summary.collect import summary_collect
from reports.summary.content import summary_document
from reports.summary.prose import draft_parts, prefill
from reports.tests.pdf_reading import pdf_reader, pdf_text, read_field, top_margin_text
from reports.tests.printing_data import fill_report

from .test_summary import DOCUMENT_DATE, compile_now

pytestmark = pytest.mark.django_db(transaction=False)


# --- reading both files back ------------------------------------------------------------------
def _squash(text):
    """Whitespace collapsed; none after a hyphen, where a line of the PDF may break."""
    return re.sub(r"-\s+", "-", " ".join(str(text).split()))


def _text(paragraph):
    """A Word paragraph's text, a line break read as a space."""
    return "".join(node.text or "" if node.tag == qn("w:t") else " " for node in paragraph.iter(qn("w:t"), qn("w:br")))


def docx_items(data):
    """Every paragraph and table cell of the Word file's body, in document order."""
    document = WordDocument(io.BytesIO(data))
    items = []
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            items.append(_text(element))
        elif element.tag == qn("w:tbl"):
            for cell in element.iter(qn("w:tc")):
                items.append(" ".join(_text(paragraph) for paragraph in cell.iter(qn("w:p"))))
    return [_squash(item) for item in items if _squash(item)]


def pdf_reading_text(data):
    """The PDF's text as a reader follows it: each page's number (printed in the top margin,
    extracted after the page's content) taken out, so a paragraph that runs over a page
    reads on."""
    pages = []
    for page in pdf_reader(data).pages:
        text, number = page.extract_text().rstrip(), top_margin_text(page)
        if number and text.endswith(number):
            text = text[: -len(number)]
        pages.append(text)
    return _squash(" ".join(pages))


def chart_words(document):
    """The texts drawn inside the charts (the PDF's text has them; the Word file has pictures)."""
    words = set()
    for appendix in document.appendices:
        for block in appendix.blocks:
            if block.kind == "chart":
                for node in ET.fromstring(str(block.svg)).iter("{http://www.w3.org/2000/svg}text"):
                    words.update(_squash(node.text or "").split())
    return words


def assert_parity(summary):
    """Each paragraph and cell of the DOCX is found in the PDF's text in the same order, and
    what the PDF says besides is only repeated table headers and chart texts."""
    pdf = pdf_reading_text(read_field(summary.pdf))
    items = docx_items(read_field(summary.docx))
    document = summary_document(summary, summary_collect(summary.campaign), summary.prose)
    cursor, uncovered = 0, []
    for item in items:
        found = pdf.find(item, cursor)
        assert found >= 0, f"not in the PDF after {pdf[max(0, cursor - 300) : cursor]!r}: {item!r}"
        uncovered.append(pdf[cursor:found])
        cursor = found + len(item)
    uncovered.append(pdf[cursor:])
    headers = {word for block in _tables(document) for text in block.headers for word in text.split()}
    allowed = headers | chart_words(document)
    stray = [word for word in " ".join(uncovered).split() if word not in allowed]
    assert stray == [], f"the PDF says what the Word file does not: {stray[:20]}"
    return items


def _tables(document):
    blocks = list(document.body)
    for appendix in document.appendices:
        blocks += appendix.blocks
        for section in appendix.sections:
            blocks += section.blocks
    return [block for block in blocks if block.kind == "table"]


# --- fixtures -------------------------------------------------------------------------------------
@pytest.fixture
def demo_summary(demo, reviewer):
    summary_draft_save(
        campaign=demo,
        by=reviewer,
        texts={
            "causes": "Một số đơn vị chưa bố trí đủ cán bộ theo dõi phong trào.",
            "lessons": "Phát động sớm, giao chỉ tiêu cụ thể và kiểm tra thường xuyên.",
            "recommendations": "Đề nghị Trung ương bổ sung kinh phí khen thưởng.",
        },
    )
    summary = compile_now(demo, reviewer)
    assert summary.status == JobStatus.DONE, summary.error
    return summary


@pytest.fixture
def filled(campaign, unit_a, unit_b, officer_a, officer_b):
    """Two units' reports, one with a narrative and a proposal."""
    narrative = "Tổ chức 12 buổi tuyên truyền tại các xã."
    proposal = ("collective", "Phòng Văn hóa huyện", "Hoàn thành xuất sắc", "Bằng khen")
    return [
        fill_report(campaign, unit_a, officer_a, narrative=narrative, commendations=[proposal]),
        fill_report(campaign, unit_b, officer_b),
    ]


def synthetic_province(campaign, total):
    """`total` units of their own, each with a submitted report, as the only participants."""
    rng = random.Random(1908)
    units = Unit.objects.bulk_create(
        Unit(
            code=f"syn-{index:03d}",
            name=f"{'Xã' if index % 5 < 3 else 'Sở'} thử nghiệm số {index}",
            kind=UnitKind.COMMUNE if index % 5 < 3 else UnitKind.DEPARTMENT,
        )
        for index in range(total)
    )
    campaign_set_participants(campaign=campaign, units=Unit.objects.filter(code__startswith="syn-"))
    measures = list(campaign.measures.prefetch_related("reporter_units"))
    section = campaign.sections.get(code="I")
    reports = UnitReport.objects.bulk_create(
        UnitReport(campaign=campaign, unit=unit, status=ReportStatus.SUBMITTED, submitted_at=timezone.now())
        for unit in units
    )
    values, narratives = [], []
    for report, unit in zip(reports, Unit.objects.as_in(campaign).filter(code__startswith="syn-"), strict=True):
        for measure in measures_for_unit(measures, unit):
            whole = rng.randint(2000, 20000)
            value = rng.randint(0, 100) if measure.value_type == "percent" else whole
            if measure.part_of_id and measure.value_type != "percent":
                value = rng.randint(whole // 2, whole)
            values.append(MeasureValue(report=report, measure=measure, value=value))
        narratives.append(Narrative(report=report, section=section, text=f"Tổ chức {rng.randint(3, 40)} hoạt động."))
    MeasureValue.objects.bulk_create(values)
    Narrative.objects.bulk_create(narratives)


# --- one document, two files ----------------------------------------------------------------------
def test_the_pdf_and_the_word_file_say_the_same_in_the_same_order_on_the_demo(demo_summary):
    items = assert_parity(demo_summary)
    assert "Phụ lục I" in items and "Phụ lục II" in items
    assert "IV. ĐÁNH GIÁ CHUNG" in items and "V. PHƯƠNG HƯỚNG, NHIỆM VỤ VÀ KIẾN NGHỊ" in items


def test_the_pdf_and_the_word_file_say_the_same_at_200_units(campaign, reviewer):
    synthetic_province(campaign, 200)
    summary = compile_now(campaign, reviewer)
    assert summary.status == JobStatus.DONE, summary.error
    items = assert_parity(summary)
    headings = [item for item in items if re.fullmatch(r"\d+\. (Xã|Sở) thử nghiệm số \d+", item)]
    assert len(headings) == 200


def test_the_draft_is_printed_in_both_files(demo_summary):
    pdf = _squash(pdf_text(read_field(demo_summary.pdf)))
    items = docx_items(read_field(demo_summary.docx))
    for text in ("Phát động sớm, giao chỉ tiêu cụ thể và kiểm tra thường xuyên.", "4. Bài học kinh nghiệm"):
        assert text in pdf and text in items


def test_it_says_how_many_reports_were_accepted_and_names_the_returned(demo_summary, demo):
    counted = UnitReport.objects.filter(campaign=demo, status__in=("submitted", "accepted"))
    accepted = counted.filter(status="accepted").count()
    pdf = _squash(pdf_text(read_field(demo_summary.pdf)))
    assert f"{counted.count()} báo cáo, trong đó {accepted} đã được thẩm định" in pdf
    returned = UnitReport.objects.filter(campaign=demo, status="returned").select_related("unit")
    assert returned.exists()
    listed = pdf.split("Các đơn vị có báo cáo bị trả lại, chưa gửi lại:")[1].split(".")[0]
    assert all(report.unit.name in listed for report in returned)
    assert all(
        report.unit.name not in pdf.split("Các đơn vị chưa gửi báo cáo:")[1].split(".")[0] for report in returned
    )


def test_a_summary_of_accepted_reports_only_counts_none_other(demo, reviewer):
    summary = compile_now(demo, reviewer, accepted_only=True)
    assert summary.status == JobStatus.DONE, summary.error
    accepted = UnitReport.objects.filter(campaign=demo, status="accepted").select_related("unit")
    assert set(summary.report_versions) == {report.unit.code for report in accepted}
    pdf = _squash(pdf_text(read_field(summary.pdf)))
    assert "Các đơn vị có báo cáo chưa được thẩm định:" in pdf


# --- the Word file, signable as it comes out ----------------------------------------------------
def test_the_word_file_is_signable_as_it_comes_out(demo_summary):
    document = WordDocument(io.BytesIO(read_field(demo_summary.docx)))
    first = document.sections[0]
    assert first.different_first_page_header_footer
    header = first.header._element
    assert " PAGE " in "".join(node.text for node in header.iter(qn("w:instrText")))
    assert first.page_width.mm == pytest.approx(210, abs=0.5) and first.page_height.mm == pytest.approx(297, abs=0.5)
    assert (first.left_margin.mm, first.right_margin.mm, first.top_margin.mm) == pytest.approx((30, 15, 20), abs=0.5)
    # each appendix starts a section numbered from 1
    starts = [s._sectPr.find(qn("w:pgNumType")) for s in document.sections[1:]]
    assert len(starts) == 2 and all(node.get(qn("w:start")) == "1" for node in starts)
    headings = {p.text: p.style.name for p in document.paragraphs if p.style.name.startswith("Heading")}
    assert headings["I. CÔNG TÁC TỔ CHỨC, TRIỂN KHAI"] == "Heading 1"
    assert headings["1. Ưu điểm"] == "Heading 2"
    languages = {node.get(qn("w:val")) for node in document.styles.element.iter(qn("w:lang"))}
    assert languages == {"vi-VN"}
    properties = document.core_properties
    assert properties.author == "Ủy ban nhân dân Tỉnh Điện Biên"
    assert properties.title.startswith("Báo cáo kết quả đẩy mạnh các phong trào thi đua")
    assert "1908/UBND-KSTT" in properties.subject
    assert properties.created.year == timezone.now().year and properties.language == "vi-VN"
    assert "python-docx" not in (properties.author, properties.last_modified_by, properties.comments)
    tables = document.element.body.findall(qn("w:tbl"))
    data = [t for t in tables if t.find(f".//{qn('w:tblBorders')}") is not None]
    assert data and all(t.find(f"{qn('w:tr')}/{qn('w:trPr')}/{qn('w:tblHeader')}") is not None for t in data)
    rows = [row for table in data for row in table.iter(qn("w:tr"))]
    assert all(row.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for row in rows)
    pictures = document.inline_shapes
    assert len(pictures) >= 1
    described = [shape._inline.docPr.get("descr") for shape in pictures]
    assert all(described)
    borders = [p for p in document.element.body.iter(qn("w:pBdr"))]
    assert len(borders) >= 3  # under the issuer, the motto and the summary line


# --- archive grade ------------------------------------------------------------------------------------
def test_the_summary_pdf_is_archive_grade_and_reads_back_in_vietnamese(demo_summary):
    data = read_field(demo_summary.pdf)
    assert pdfa_problems(data) == []
    text = pdf_text(data)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "Kèm theo Báo cáo số 05/BC-UBND ngày 15/12/2024 của UBND tỉnh Điện Biên" in text


# --- files through the storage API only ----------------------------------------------------------
def test_the_whole_compile_runs_on_an_in_memory_storage(filled, campaign, reviewer, settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    summary = compile_now(campaign, reviewer)
    assert summary.status == JobStatus.DONE, summary.error
    assert type(default_storage._wrapped).__name__ == "InMemoryStorage"
    assert default_storage.exists(summary.pdf.name) and default_storage.exists(summary.docx.name)
    assert "Lê Thành Đô" in pdf_text(read_field(summary.pdf))
    assert default_storage.listdir("summaries/work") == ([], [])  # the run's work files are gone


# --- the command line ---------------------------------------------------------------------------------
def test_compile_summary_takes_the_number_and_the_date(filled, campaign, tmp_path):
    output = tmp_path / "tong-hop.pdf"
    call_command(
        "compile_summary",
        campaign.code,
        "--output",
        str(output),
        "--number",
        "7",
        "--date",
        "15/12/2024",
        stdout=io.StringIO(),
    )
    summary = Summary.objects.get(campaign=campaign)
    assert (summary.document_number, summary.document_date) == ("7", DOCUMENT_DATE)
    text = pdf_text(output.read_bytes())
    assert "Số: 07/BC-UBND" in text and "Điện Biên, ngày 15 tháng 12 năm 2024" in text


def test_compile_summary_refuses_a_bad_date_and_makes_nothing(filled, campaign, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--date"):
        call_command("compile_summary", campaign.code, "--output", str(tmp_path / "x.pdf"), "--date", "31/02/2024")
    assert not Summary.objects.exists()


def test_drafts_keep_their_history_and_survive_recompiles(demo_summary, demo, reviewer):
    summary_draft_save(campaign=demo, by=reviewer, texts={"lessons": "Bài học mới."})
    history = list(SummaryDraft.objects.filter(campaign=demo, part="lessons").values_list("text", flat=True))
    assert history == ["Bài học mới.", "Phát động sớm, giao chỉ tiêu cụ thể và kiểm tra thường xuyên."]
    again = compile_now(demo, reviewer)
    assert again.prose["lessons"] == "Bài học mới."
    assert "Bài học mới." in pdf_text(read_field(again.pdf))
    assert re.search(r"Bài học mới\.", " ".join(docx_items(read_field(again.docx))))


def test_on_the_demo_every_part_is_prefilled_so_nothing_needs_typing(demo):
    texts = prefill(demo, summary_collect(demo))
    empty = [part.key for part in draft_parts(demo) if not texts[part.key].strip()]
    assert empty == []
    # the units' own words, quoted and attributed, where the figures cannot speak
    assert "“Khó khăn:" in texts["causes"] and "đơn vị" in texts["causes"]
    quotes = [line.split(": “", 1)[1] for text in texts.values() for line in text.splitlines() if ": “" in line]
    assert quotes and all(len(quote) <= 221 for quote in quotes)  # one sentence, never a whole narrative
