"""Text is clean: every text field and every imported cell refuses control characters other
than tab and line breaks, naming the field, on the web and in the services; limits on the
length of narratives and achievements; and text stored before the rule (or around it) can
never fail a provincial document or a unit's download: every writer cleans it anyway."""

import io
import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from reports.excel import unit_workbook, workbook_bytes
from reports.jobs import job_claim, job_run
from reports.merge import Base, report_save_edits, report_state
from reports.models import Commendation, Evidence, JobStatus, MeasureValue, Narrative, Summary, SummaryDraft, UnitReport
from reports.services import ReportError, report_get_or_create, report_save_values
from reports.summary import docx as docx_writer
from reports.summary import summary_compile, summary_create
from reports.tests.pdf_reading import pdf_text, read_field
from reports.tests.printing_data import fill_report
from reports.tests.report_web import form_post, typed_values
from reports.text import clean_text, text_problem
from reports.unit_document import unit_report_pdf
from reports.uploads import EvidenceError, evidence_add
from reports.workflow import report_accept, report_return, report_submit

VT = "\x0b"  # a vertical tab, as pasted from a word processor
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
REFUSED = "chứa ký tự điều khiển không hợp lệ (U+000B)"
ROW = {"kind": "collective", "name": "Phòng Văn hóa huyện", "achievement": "Hoàn thành xuất sắc", "award": "Bằng khen"}


@pytest.fixture(autouse=True)
def _free_text_awards(campaign):
    """These proposals are the free-text rows of a campaign whose file names no award
    catalogue; rows chosen from a catalogue are tested in commendations/tests."""
    campaign.award_catalogue = None
    campaign.save(update_fields=["award_catalogue"])


def text_of(response):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def report(campaign, unit_a, officer_a):
    return report_get_or_create(campaign=campaign, unit=unit_a, by=officer_a)


def saved_state(report):
    report = UnitReport.objects.get(pk=report.pk)
    return (
        report.version,
        list(Narrative.objects.filter(report=report).values_list("text", flat=True)),
        list(Commendation.objects.filter(report=report).values_list("name", "achievement", "award")),
        list(MeasureValue.objects.filter(report=report).values_list("note", flat=True)),
    )


# --- the rule ------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["a\tb", "dòng 1\ndòng 2", "dòng 1\r\ndòng 2", "Đạt 85,3% — “tốt”"])
def test_tab_and_line_breaks_are_allowed(text):
    assert text_problem("Thành tích", text) is None


@pytest.mark.parametrize("char", ["\x00", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\r"])
def test_other_control_characters_are_refused_naming_the_field(char):
    message = text_problem("Thành tích", f"Hoàn thành{char} xuất sắc")
    assert message.startswith("“Thành tích” chứa ký tự điều khiển không hợp lệ (U+")
    assert "ở vị trí 11" in message


def test_clean_text_keeps_the_lines_and_drops_the_rest():
    assert clean_text("a\x0bb\r\nc\rd\x00\te\x85") == "ab\nc\nd\te"
    assert clean_text(None) is None and clean_text(5) == 5


# --- the web form ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "where,label",
    [
        ("narrative", "Kết quả thực hiện: "),
        ("note", "Ghi chú của “Tổng số hồ sơ công việc”"),
        ("name", "Tên tập thể / cá nhân"),
        ("achievement", "Thành tích"),
        ("award", "Hình thức khen thưởng đề nghị"),
    ],
)
def test_the_report_form_refuses_a_control_character_in_each_text_field(report, officer_a, client_for, where, label):
    narratives, notes, row = {}, {}, dict(ROW)
    if where == "narrative":
        narratives["I"] = f"Tổ chức{VT} 12 buổi"
    elif where == "note":
        notes["records_total"] = f"6{VT} tháng"
    else:
        row[where] = f"{row[where][:4]}{VT}{row[where][4:]}"
    data = form_post(report, typed_values(report), notes=notes, narratives=narratives, rows=[row])
    response = client_for(officer_a).post(reverse("reports:report_edit", args=[report.pk]), data)
    assert response.status_code == 200
    page = text_of(response)
    assert REFUSED in page and f"“{label}" in page
    # A draft keeps the valid values it was given; the text with the control character is stored nowhere.
    _version, *texts = saved_state(report)
    assert VT not in repr(texts)


def test_the_report_form_accepts_line_breaks_and_tabs(report, officer_a, client_for):
    data = form_post(report, typed_values(report), narratives={"I": "Dòng 1\r\nDòng\t2"}, rows=[ROW])
    response = client_for(officer_a).post(reverse("reports:report_edit", args=[report.pk]), data)
    assert response.status_code == 302
    assert report.narratives.get(section__code="I").text in ("Dòng 1\r\nDòng\t2", "Dòng 1\nDòng\t2")


@pytest.mark.parametrize("decision", ["return", "accept"])
def test_the_reviewer_comment_is_refused_on_the_web(report, officer_a, reviewer, client_for, decision):
    fill_report(report.campaign, report.unit, officer_a)
    report.refresh_from_db()
    response = client_for(reviewer).post(
        reverse(f"reports:report_{decision}", args=[report.pk]),
        {"version": report.version, "comment": f"Số liệu{VT} chưa khớp"},
    )
    assert response.status_code == 200
    assert f"“Ý kiến của Sở Nội vụ” {REFUSED}" in text_of(response)
    report.refresh_from_db()
    assert report.status == "submitted" and report.reviewer_comment == ""


def test_the_evidence_description_is_refused_on_the_web(report, officer_a, client_for):
    response = client_for(officer_a).post(
        reverse("reports:evidence_upload", args=[report.pk]),
        {"file": SimpleUploadedFile("bien-ban.pdf", PDF), "description": f"Biên{VT} bản"},
    )
    assert response.status_code == 200
    assert f"“Mô tả” {REFUSED}" in text_of(response)
    assert not Evidence.objects.exists()


def test_a_summary_part_is_refused_on_the_web(campaign, reviewer, client_for):
    response = client_for(reviewer).post(
        reverse("reports:summary_draft", args=[campaign.code]), {"part-1-text": f"Đã triển khai{VT} kế hoạch"}
    )
    assert response.status_code == 400
    assert f"“I. Công tác tổ chức, triển khai” {REFUSED}" in text_of(response)
    assert not SummaryDraft.objects.exists()


# --- the services ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "where,label",
    [
        ("narrative", "“Kết quả thực hiện: "),
        ("note", "“Ghi chú của “Tổng số hồ sơ công việc””"),
        ("name", "“Đề nghị khen thưởng số 1: Tên tập thể / cá nhân”"),
        ("achievement", "“Đề nghị khen thưởng số 1: Thành tích”"),
        ("award", "“Đề nghị khen thưởng số 1: Hình thức khen thưởng đề nghị”"),
    ],
)
def test_the_save_service_refuses_a_control_character_in_each_text_field(report, officer_a, where, label):
    narratives, notes, row = None, {}, dict(ROW)
    if where == "narrative":
        narratives = {"I": f"Tổ chức{VT} 12 buổi"}
    elif where == "note":
        notes["records_total"] = f"6{VT} tháng"
    else:
        row[where] = f"{row[where]}{VT}"
    before = saved_state(report)
    with pytest.raises(ReportError) as refused:
        report_save_values(
            report=report,
            by=officer_a,
            values={"records_total": Decimal(10)},
            notes=notes,
            narratives=narratives,
            commendations=[row],
        )
    message = str(refused.value)
    assert label in message and REFUSED in message
    assert saved_state(report) == before


@pytest.mark.parametrize("decision", ["return", "accept"])
def test_the_review_services_refuse_a_control_character(report, officer_a, reviewer, decision):
    fill_report(report.campaign, report.unit, officer_a)
    report.refresh_from_db()
    act = report_return if decision == "return" else report_accept
    keyword = "reason" if decision == "return" else "comment"
    with pytest.raises(ReportError) as refused:
        act(report=report, by=reviewer, **{keyword: f"Số liệu{VT} chưa khớp"})
    assert refused.value.problems["reason"].startswith(f"“Ý kiến của Sở Nội vụ” {REFUSED}")
    report.refresh_from_db()
    assert report.status == "submitted"


def test_the_evidence_service_refuses_a_control_character(report, officer_a):
    with pytest.raises(EvidenceError) as refused:
        evidence_add(report=report, by=officer_a, upload=SimpleUploadedFile("a.pdf", PDF), description=f"Biên{VT} bản")
    assert refused.value.problems["description"].startswith(f"“Mô tả” {REFUSED}")
    assert not Evidence.objects.exists()


def test_the_summary_service_refuses_a_control_character(campaign, reviewer):
    with pytest.raises(ReportError) as refused:
        summary_create(campaign=campaign, by=reviewer, recommendations=f"Đề nghị{VT}")
    assert REFUSED in refused.value.problems["recommendations"]
    assert not Summary.objects.exists()


def test_import_results_refuses_a_control_character_in_a_cell_naming_the_row(campaign, report, tmp_path):
    path = tmp_path / "results.csv"
    path.write_text(
        "unit,measure,value,note\n"
        "h-muong-ang,records_total,100,\n"
        f"h-muong-ang,records_online,50,qua{VT} một cửa\n"
        f"h-muong-ang,households_total,1{VT}0,\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_results", campaign.code, str(path), stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().strip().splitlines()
    assert lines[0].startswith(f"row 3: “ghi chú” {REFUSED}")
    assert lines[1].startswith(f"row 4: “giá trị” {REFUSED}")
    assert not MeasureValue.objects.exists()


def test_the_units_excel_upload_refuses_a_control_character_in_a_note(report, officer_a, client_for):
    workbook = unit_workbook(report)
    sheet = workbook["Số liệu"]
    row = next(cells[0].row for cells in sheet.iter_rows(min_row=2) if cells[0].value == "records_total")
    sheet.cell(row=row, column=4, value=100)
    sheet.cell(row=row, column=5, value="6\x7f tháng")  # XML allows DEL, so a workbook can carry it
    response = client_for(officer_a).post(
        reverse("reports:report_xlsx_upload", args=[report.pk]),
        {"file": SimpleUploadedFile("so-lieu.xlsx", workbook_bytes(workbook)), "next": reverse("reports:my_unit")},
    )
    assert response.status_code == 400
    assert f"Dòng {row}: “ghi chú” chứa ký tự điều khiển không hợp lệ (U+007F" in text_of(response)
    assert not MeasureValue.objects.exists()


# --- limits --------------------------------------------------------------------------------
def test_default_limits(settings):
    assert settings.REPORT_NARRATIVE_MAX_CHARS == 20_000
    assert settings.REPORT_ACHIEVEMENT_MAX_CHARS == 4_000


def test_a_narrative_over_the_limit_is_refused_by_form_and_service(report, officer_a, client_for):
    long = "a" * 20_001
    data = form_post(report, typed_values(report), narratives={"I": long})
    response = client_for(officer_a).post(reverse("reports:report_edit", args=[report.pk]), data)
    assert response.status_code == 200 and "dài 20.001 ký tự, vượt giới hạn 20.000 ký tự" in text_of(response)
    report.refresh_from_db()  # the draft kept the valid figures it was given
    with pytest.raises(ReportError, match="vượt giới hạn 20.000 ký tự"):
        report_save_values(report=report, by=officer_a, values={}, narratives={"I": long})
    report_save_values(report=report, by=officer_a, values={}, narratives={"I": long[:-1]})
    assert len(report.narratives.get().text) == 20_000


def test_an_achievement_over_the_configured_limit_is_refused_by_form_and_service(
    report, officer_a, client_for, settings
):
    settings.REPORT_ACHIEVEMENT_MAX_CHARS = 30
    row = dict(ROW, achievement="x" * 31)
    data = form_post(report, typed_values(report), rows=[row])
    response = client_for(officer_a).post(reverse("reports:report_edit", args=[report.pk]), data)
    assert response.status_code == 200 and "“Thành tích” dài 31 ký tự, vượt giới hạn 30 ký tự" in text_of(response)
    report.refresh_from_db()
    with pytest.raises(ReportError, match="vượt giới hạn 30 ký tự"):
        report_save_values(report=report, by=officer_a, values={}, commendations=[row])
    assert not Commendation.objects.exists()


def test_the_merge_service_holds_texts_over_the_limits_whoever_calls_it(report, officer_a, settings):
    """The form refuses them first; the service holds them all the same (a caller that skips
    the form, or a form that forgot a rule, still cannot store them)."""
    settings.REPORT_NARRATIVE_MAX_CHARS, settings.REPORT_ACHIEVEMENT_MAX_CHARS = 40, 30
    base = Base(version=report.version, state=report_state(report))
    outcome = report_save_edits(
        report=report,
        by=officer_a,
        base=base,
        mine={
            "narrative:I": "a" * 41,
            "narrative:II": "a" * 40,
            "commendation:+0": ["collective", "Phòng Văn hóa huyện", "x" * 31, "Bằng khen"],
            "commendation:+1": ["individual", "Lò Văn Bình", "x" * 30, "Giấy khen", "Trưởng thôn"],
        },
    )
    assert "vượt giới hạn 40 ký tự" in outcome.held["narrative:I"]
    assert "Đề nghị khen thưởng cho Phòng Văn hóa huyện: Thành tích” dài 31 ký tự" in outcome.held["commendation:+0"]
    assert outcome.written == {"narrative:II", "commendation:+1"}
    assert list(report.narratives.values_list("section__code", flat=True)) == ["II"]
    assert list(report.commendations.values_list("name", flat=True)) == ["Lò Văn Bình"]

    submitted = report_save_edits(
        report=report,
        by=officer_a,
        base=Base(version=outcome.version, state=outcome.state),
        mine={"narrative:III": "a" * 41},
        submit=True,
    )
    assert "narrative:III" in submitted.held and not submitted.written


def test_a_report_holds_at_most_the_configured_number_of_proposals(report, officer_a, client_for, settings):
    settings.REPORT_COMMENDATIONS_MAX = 2
    rows = [dict(ROW, name=f"Tổ {n}") for n in range(1, 4)]
    with pytest.raises(ReportError, match="tối đa 2 đề nghị khen thưởng"):
        report_save_values(report=report, by=officer_a, values={}, commendations=rows)
    assert not Commendation.objects.exists()

    data = form_post(report, typed_values(report), rows=rows)
    response = client_for(officer_a).post(reverse("reports:report_edit", args=[report.pk]), data)
    assert response.status_code == 200 and "Mỗi báo cáo có tối đa 2 đề nghị khen thưởng" in text_of(response)
    assert list(report.commendations.values_list("name", flat=True)) == ["Tổ 1", "Tổ 2"]  # the third waits

    # Removing one makes room for the one that waited.
    report.refresh_from_db()
    first = report.commendations.get(name="Tổ 1")
    state = report_state(report)
    outcome = report_save_edits(
        report=report,
        by=officer_a,
        base=Base(version=report.version, state=state),
        mine={f"commendation:{first.pk}": None, "commendation:+2": ["collective", "Tổ 3", "Tốt", "Giấy khen"]},
    )
    assert not outcome.held
    assert sorted(report.commendations.values_list("name", flat=True)) == ["Tổ 2", "Tổ 3"]


# --- text stored before the rule never fails a document ------------------------------------
@pytest.fixture
def dirty(campaign, unit_a, officer_a, reviewer):
    """A submitted report whose texts were stored with control characters, bypassing every check."""
    report = fill_report(
        campaign, unit_a, officer_a, narrative="Tổ chức 12 buổi tuyên truyền.", commendations=[tuple(ROW.values())]
    )
    Narrative.objects.filter(report=report).update(text=f"Tổ chức 12{VT} buổi tuyên\x0c truyền.")
    MeasureValue.objects.filter(report=report, measure__code="records_total").update(note=f"6{VT} tháng")
    Commendation.objects.filter(report=report).update(
        name=f"Phòng Văn{VT} hóa huyện", achievement=f"Hoàn thành{VT} xuất sắc\x1b", award=f"Bằng{VT} khen"
    )
    UnitReport.objects.filter(pk=report.pk).update(reviewer_comment=f"Đã{VT} xem")
    report.refresh_from_db()
    return report


def compile_summary(campaign, reviewer):
    summary = summary_create(campaign=campaign, by=reviewer, recommendations="Đề nghị bổ sung kinh phí.")
    job = job_claim(Summary, summary.pk)
    job_run(job, lambda: summary_compile(summary=job))
    job.refresh_from_db()
    return job


def test_the_provincial_summary_is_made_from_stored_control_characters(dirty, campaign, reviewer):
    summary = compile_summary(campaign, reviewer)
    assert summary.status == JobStatus.DONE, summary.error
    text = pdf_text(read_field(summary.pdf))
    assert "Huyện Mường Ảng: “Tổ chức 12 buổi tuyên truyền.”" in text
    assert "Phòng Văn hóa huyện" in text and "Hoàn thành xuất sắc" in text
    document = Document(io.BytesIO(read_field(summary.docx)))
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert "Huyện Mường Ảng: “Tổ chức 12 buổi tuyên truyền.”" in paragraphs
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Phòng Văn hóa huyện" in cells and "Hoàn thành xuất sắc" in cells and "Bằng khen" in cells


def test_the_units_excel_download_and_print_are_made_from_stored_control_characters(
    dirty, officer_a, reviewer, client_for
):
    for user in (officer_a, reviewer):
        response = client_for(user).get(reverse("reports:report_xlsx", args=[dirty.pk]))
        assert response.status_code == 200
        rows = load_workbook(io.BytesIO(response.content))["Số liệu"].iter_rows(values_only=True)
        assert next(row for row in rows if row[0] == "records_total")[4] == "6 tháng"
    assert "Tổ chức 12 buổi tuyên truyền." in pdf_text(unit_report_pdf(dirty))
    assert client_for(reviewer).get(reverse("reports:report_detail", args=[dirty.pk])).status_code == 200


def test_the_campaign_export_is_made_from_stored_control_characters(dirty, campaign, tmp_path):
    output = tmp_path / "export.xlsx"
    call_command("export_results", campaign.code, "--output", str(output), stdout=io.StringIO())
    rows = load_workbook(output)["Số liệu"].iter_rows(values_only=True)
    assert any(row[2] == "records_total" and row[7] == "6 tháng" for row in rows)


def test_narratives_are_cleaned_where_the_summary_quotes_them(dirty, campaign, reviewer):
    """The summary quotes units' narratives in its drafted parts: the quote is cleaned when it
    is taken, so the text the reviewer edits (and the compile keeps) holds none either."""
    summary = compile_summary(campaign, reviewer)
    assert summary.status == JobStatus.DONE, summary.error
    assert "Huyện Mường Ảng: “Tổ chức 12 buổi tuyên truyền.”" in summary.prose["organisation"]
    assert not any(text_problem("x", text) for text in summary.prose.values())


def test_a_commendation_that_fails_the_docx_names_the_unit_and_the_column(dirty, campaign, reviewer, monkeypatch):
    Narrative.objects.filter(report=dirty).update(text="Tổ chức 12 buổi tuyên truyền.")
    monkeypatch.setattr(docx_writer, "clean_text", lambda text: text)
    summary = compile_summary(campaign, reviewer)
    assert summary.status == JobStatus.FAILED
    assert "“đề nghị khen thưởng số 1: Tên tập thể, cá nhân” của Huyện Mường Ảng" in summary.error


def test_a_submitted_report_with_stored_control_characters_can_still_be_reviewed(dirty, reviewer):
    report_return(report=dirty, by=reviewer, reason="Sửa lại phần thành tích.")
    assert dirty.status == "returned"


def test_a_returned_report_with_stored_control_characters_asks_the_unit_to_fix_them(dirty, reviewer, officer_a):
    report_return(report=dirty, by=reviewer, reason="Sửa lại.")
    with pytest.raises(ReportError, match="Thành tích"):
        report_save_values(
            report=dirty,
            by=officer_a,
            values={},
            commendations=list(
                Commendation.objects.filter(report=dirty).values("kind", "name", "achievement", "award")
            ),
        )
    report_save_values(report=dirty, by=officer_a, values={}, commendations=[ROW])
    report_submit(report=dirty, by=officer_a)
