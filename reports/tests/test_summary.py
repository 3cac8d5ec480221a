"""The provincial summary service: content, figures, format, DOCX, cache and failures."""

import datetime
import io
import re

import pytest
from django.db.models import Max
from docx import Document

from campaigns.models import Unit
from reports.jobs import job_claim, job_run
from reports.models import ErrorRecord, JobStatus, ReportStatus, Summary, UnitAnnex
from reports.services import report_save_values
from reports.summary import compile as summary_module
from reports.summary import summary_compile, summary_create
from reports.tasks import compile_summary
from reports.tests.pdf_reading import (
    assert_liberation_serif_embedded,
    pdf_reader,
    pdf_text,
    read_field,
    top_margin_text,
)
from reports.tests.printing_data import LATE, fill_report
from reports.workflow import report_return, report_submit

DOCUMENT_DATE = datetime.date(2024, 12, 15)


@pytest.fixture
def reports(campaign, unit_a, unit_b, officer_a, officer_b):
    tuan_giao = Unit.objects.get(code="h-tuan-giao")
    return {
        "a": fill_report(
            campaign,
            unit_a,
            officer_a,
            narrative="Tổ chức 12 buổi tuyên truyền tại các xã.",
            commendations=[("collective", "Phòng Văn hóa huyện", "Hoàn thành xuất sắc", "Bằng khen")],
        ),
        "b": fill_report(campaign, unit_b, officer_b, submit_at=LATE),
        "tg": fill_report(campaign, tuan_giao, officer_a, records_total=8000, records_online=1000),
    }


def compile_now(campaign, reviewer, **extra):
    summary = summary_create(
        campaign=campaign,
        by=reviewer,
        recommendations="Đề nghị Trung ương bổ sung kinh phí.\nĐề nghị khen thưởng kịp thời.",
        document_number="5",
        document_date=DOCUMENT_DATE,
        **extra,
    )
    job = job_claim(Summary, summary.pk)
    job_run(job, lambda: summary_compile(summary=job))
    job.refresh_from_db()
    return job


@pytest.fixture
def compiled(reports, campaign, reviewer):
    summary = compile_now(campaign, reviewer)
    assert summary.status == JobStatus.DONE, summary.error
    return summary


@pytest.fixture
def pdf(compiled):
    return read_field(compiled.pdf)


def test_header_number_date_and_title(pdf):
    text = pdf_text(pdf)
    for line in (
        "ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 05/BC-UBND",
        "Điện Biên, ngày 15 tháng 12 năm 2024",
        "BÁO CÁO",
    ):
        assert line in text, line


def test_figures_are_aggregated_then_computed_and_written_the_vietnamese_way(pdf):
    text = pdf_text(pdf)
    # District records online: (1.706 + 1.000) / (2.000 + 8.000) × 100 = 27,06 → 27,1,
    # not the mean of the two districts' rates (85,3 and 12,5 → 48,9).
    assert "27,1" in text
    assert "48,9" not in text
    assert "3.868.370" in text  # the trees goal, grouped with dots


def test_it_names_who_reported_on_time_late_and_not_at_all(pdf):
    text = pdf_text(pdf)
    assert "Có 3/42 đơn vị gửi báo cáo" in text
    assert "Các đơn vị gửi báo cáo đúng hạn: Huyện Mường Ảng, Huyện Tuần Giáo." in text
    assert "Các đơn vị gửi báo cáo muộn: Sở Văn hóa, Thể thao và Du lịch." in text
    missing = text.split("Các đơn vị chưa gửi báo cáo:")[1].split(".")[0]
    assert "Huyện Nậm Pồ" in missing and "Công an tỉnh" in missing
    assert "Huyện Mường Ảng" not in missing


def test_narratives_commendations_assessment_and_recommendations(pdf):
    text = pdf_text(pdf)
    assert "Huyện Mường Ảng: “Tổ chức 12 buổi tuyên truyền tại các xã.”" in text  # a short, attributed quote
    assert "Phòng Văn hóa huyện" in text and "Bằng khen" in text
    assert "chỉ tiêu có mức" in text
    assert "Hồ sơ công việc cấp huyện xử lý trên môi trường mạng (đạt 27,1%, mức 80,0%)" in text
    assert "Huyện Tuần Giáo (12,5%)" in text  # where the gap is
    assert "Đề nghị Trung ương bổ sung kinh phí." in text


def test_closing_signature_and_appendices(pdf):
    text = pdf_text(pdf)
    assert "Nơi nhận: - Ban Thường vụ Tỉnh ủy;" in text
    assert "- Lưu: VT, KSTT." in text
    assert "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH" in text
    assert "Lê Thành Đô" in text
    assert "Phụ lục I" in text and "Phụ lục II" in text
    assert "(Kèm theo Báo cáo số 05/BC-UBND ngày 15/12/2024 của UBND tỉnh Điện Biên)" in text


def test_fonts_are_embedded(pdf):
    assert_liberation_serif_embedded(pdf)


def test_pages_are_numbered_from_page_two_and_the_appendix_separately(pdf):
    pages = pdf_reader(pdf).pages
    assert top_margin_text(pages[0]) == ""
    assert top_margin_text(pages[1]) == "2"
    annex = next(i for i, page in enumerate(pages) if "Phụ lục I" in page.extract_text())
    assert top_margin_text(pages[annex]) == ""
    assert top_margin_text(pages[annex + 1]) == "2"


def test_it_records_the_report_versions_it_used(compiled, reports):
    assert compiled.report_versions == {
        "h-muong-ang": reports["a"].version,
        "so-vhttdl": reports["b"].version,
        "h-tuan-giao": reports["tg"].version,
    }
    assert compiled.duration is not None


def test_docx_holds_the_same_text_and_figures(compiled):
    document = Document(io.BytesIO(read_field(compiled.docx)))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    cells = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    everything = text + "\n" + cells
    for expected in ("BÁO CÁO", "Số: 05/BC-UBND", "Lê Thành Đô", "27,1", "3.868.370", "Huyện Nậm Pồ", "Phụ lục I"):
        assert expected in everything, expected


def test_docx_numbers_the_unit_sections_as_the_pdf_does(compiled, campaign):
    document = Document(io.BytesIO(read_field(compiled.docx)))
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    participants = list(campaign.participants())
    for code in ("h-muong-ang", "so-vhttdl", "h-tuan-giao"):
        unit = next(unit for unit in participants if unit.code == code)
        assert f"{participants.index(unit) + 1}. {unit.name}" in paragraphs, code


def test_recompile_renders_only_the_unit_that_changed(compiled, campaign, reviewer, reports, officer_a):
    first = set(UnitAnnex.objects.values_list("unit__code", "key"))
    assert {code for code, _key in first} == {"h-muong-ang", "so-vhttdl", "h-tuan-giao"}

    again = compile_now(campaign, reviewer)
    assert set(UnitAnnex.objects.values_list("unit__code", "key")) == first

    report = reports["tg"]
    report_return(report=report, by=reviewer, reason="Kiểm tra lại số hồ sơ.")
    report_save_values(report=report, by=officer_a, values={"records_online": 4000})
    report_submit(report=report, by=officer_a)
    third = compile_now(campaign, reviewer)
    new = set(UnitAnnex.objects.values_list("unit__code", "key")) - first
    assert [code for code, _key in new] == ["h-tuan-giao"]
    assert "50,0" in pdf_text(read_field(third.pdf))  # Tuần Giáo's own rate: 4.000 / 8.000
    assert again.number + 1 == third.number


def test_a_unit_section_keeps_its_row_number_of_the_overview_table(compiled, campaign):
    text = pdf_text(read_field(compiled.pdf))
    participants = list(campaign.participants())
    for code in ("h-muong-ang", "so-vhttdl", "h-tuan-giao"):
        unit = next(unit for unit in participants if unit.code == code)
        assert f"{participants.index(unit) + 1}. {unit.name}" in text, code


def test_a_unit_reporting_late_renders_only_its_own_pages(compiled, campaign, reviewer, officer_a):
    first = set(UnitAnnex.objects.values_list("unit__code", "key"))
    police = Unit.objects.get(code="cong-an")  # listed before the three units that reported
    fill_report(campaign, police, officer_a, submit_at=LATE)
    again = compile_now(campaign, reviewer)
    assert again.status == JobStatus.DONE, again.error
    new = set(UnitAnnex.objects.values_list("unit__code", "key")) - first
    assert [code for code, _key in new] == ["cong-an"]
    assert "Công an tỉnh" in pdf_text(read_field(again.pdf)).split("Phụ lục I")[1]


def test_parts_render_the_longest_units_first_and_the_merge_keeps_document_order(
    reports, campaign, reviewer, monkeypatch
):
    monkeypatch.setattr(summary_module, "CHUNK_UNITS", 1)
    rendered = []
    render_units = summary_module._render_units
    monkeypatch.setattr(
        summary_module,
        "_render_units",
        lambda campaign, entries: rendered.extend(e["code"] for e in entries) or render_units(campaign, entries),
    )
    summary = compile_now(campaign, reviewer)
    # The department reports fewer measures than a district; both districts report as many.
    assert rendered == ["h-muong-ang", "h-tuan-giao", "so-vhttdl"]
    text = pdf_text(read_field(summary.pdf))
    participants = list(campaign.participants())
    headings = [f"{participants.index(unit) + 1}. {unit.name}" for unit in participants if unit.code in rendered]
    positions = [text.index(heading) for heading in headings]  # in the order of the overview table
    assert positions == sorted(positions)


def test_chunks_fan_out_as_tasks_and_the_last_one_merges(reports, campaign, reviewer, monkeypatch):
    monkeypatch.setattr(summary_module, "CHUNK_UNITS", 1)
    summary = summary_create(campaign=campaign, by=reviewer, document_date=DOCUMENT_DATE)
    compile_summary.delay(summary.pk)
    summary.refresh_from_db()
    assert summary.status == JobStatus.DONE, summary.error
    assert (summary.parts_total, summary.parts_done) == (6, 6)  # three unit chunks, two frame parts, the DOCX
    assert UnitAnnex.objects.count() == 3
    assert "Huyện Tuần Giáo" in pdf_text(read_field(summary.pdf))


def test_a_part_counted_but_never_run_is_rendered_by_the_merge(reports, campaign, reviewer):
    """A worker that dies after counting its part and before its message is acknowledged
    gets the part run twice, and the count can reach the total while another part is still
    missing: the merge then lays out what is missing itself."""
    skipped = []

    def dispatch(summary, index=None):
        if index in (0, 2, 3):  # the body frame, the Word file and the first unit chunk: counted, never run
            skipped.append(index)
            summary_module._part_done(summary, dispatch)
        else:
            summary_module._inline_dispatch(summary, index)

    summary = summary_create(campaign=campaign, by=reviewer, document_date=DOCUMENT_DATE)
    job = job_claim(Summary, summary.pk)
    job_run(job, lambda: summary_compile(summary=job, dispatch=dispatch))
    job.refresh_from_db()
    assert skipped == [0, 2, 3]
    assert job.status == JobStatus.DONE, job.error
    word = Document(io.BytesIO(read_field(job.docx)))
    assert any("Lê Thành Đô" in cell.text for table in word.tables for row in table.rows for cell in row.cells)
    text = pdf_text(read_field(job.pdf))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Lê Thành Đô" in text
    assert all(name in text.split("Phụ lục I")[1] for name in ("Huyện Mường Ảng", "Sở Văn hóa", "Huyện Tuần Giáo"))


def test_the_merge_renders_cached_pages_deleted_meanwhile(compiled, campaign, reviewer):
    """Another compile's clean-up may delete an old annex this compile counted on."""

    def dispatch(summary, index=None):
        if index is None:
            for annex in UnitAnnex.objects.filter(unit__code="h-tuan-giao"):
                annex.pdf.delete(save=False)
                annex.delete()
        summary_module._inline_dispatch(summary, index)

    summary = summary_create(campaign=campaign, by=reviewer, document_date=DOCUMENT_DATE)
    job = job_claim(Summary, summary.pk)
    job_run(job, lambda: summary_compile(summary=job, dispatch=dispatch))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert UnitAnnex.objects.filter(unit__code="h-tuan-giao").count() == 1
    participants = list(campaign.participants())
    tuan_giao = next(unit for unit in participants if unit.code == "h-tuan-giao")
    assert f"{participants.index(tuan_giao) + 1}. Huyện Tuần Giáo" in pdf_text(read_field(job.pdf))


def test_a_rendering_error_leaves_a_failed_row_with_a_reason(reports, campaign, reviewer, settings, tmp_path):
    broken = tmp_path / "templates" / "pdf"
    broken.mkdir(parents=True)
    (broken / "document.html").write_text('{% include "pdf/no-such-part.html" %}')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}]
    summary = summary_create(campaign=campaign, by=reviewer)
    compile_summary.delay(summary.pk)
    summary.refresh_from_db()
    assert summary.status == JobStatus.FAILED
    assert "Không tạo được tài liệu" in summary.error
    reference = re.search(r"Mã tham chiếu: (E-\d{8}-[0-9A-F]{6})", summary.error).group(1)
    assert "no-such-part.html" not in summary.error  # the detail is for the administrators
    assert "no-such-part.html" in ErrorRecord.objects.get(reference=reference).message
    assert summary.finished_at is not None
    assert not summary.pdf


def test_numbers_are_allocated_per_campaign(campaign, reviewer):
    first = summary_create(campaign=campaign, by=reviewer)
    second = summary_create(campaign=campaign, by=reviewer)
    assert (first.number, second.number) == (1, 2)
    assert Summary.objects.aggregate(n=Max("number"))["n"] == 2


def test_only_submitted_and_accepted_reports_count(campaign, unit_a, officer_a, reviewer):
    draft = fill_report(campaign, unit_a, officer_a, submit_at=None)
    assert draft.status == ReportStatus.DRAFT
    summary = compile_now(campaign, reviewer)
    assert summary.report_versions == {}
    text = pdf_text(read_field(summary.pdf))
    assert "Có 0/42 đơn vị gửi báo cáo" in text
    assert "Huyện Mường Ảng" in text.split("Các đơn vị chưa gửi báo cáo:")[1]


def test_bookmarks_lead_to_the_parts_the_appendices_and_each_unit(pdf, campaign):
    reader = pdf_reader(pdf)

    def flatten(items):
        for item in items:
            if isinstance(item, list):
                yield from flatten(item)
            else:
                yield item.title, reader.get_destination_page_number(item)

    marks = dict(flatten(reader.outline))
    page_text = [page.extract_text() for page in reader.pages]
    assert "I. CÔNG TÁC TỔ CHỨC, TRIỂN KHAI" in marks and "Phụ lục II" in marks
    assert page_text[marks["Phụ lục I"]].lstrip().startswith("Phụ lục I\n")
    assert page_text[marks["Phụ lục II"]].lstrip().startswith("Phụ lục II")
    participants = list(campaign.participants())
    tuan_giao = next(unit for unit in participants if unit.code == "h-tuan-giao")
    title = f"{participants.index(tuan_giao) + 1}. {tuan_giao.name}"
    assert page_text[marks[title]].lstrip().startswith(title)
