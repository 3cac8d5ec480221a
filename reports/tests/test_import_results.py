"""import_results: the whole file is checked first; any bad row → `row N: …` on stderr, nothing imported."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from campaigns.models import Unit, UnitKind
from reports.aggregation import measures_for_unit
from reports.models import EventAction, MeasureValue, ReportEvent, ReportStatus, UnitReport
from reports.services import report_get_or_create, report_save_values

HEADER = "unit,measure,value,note\n"


def write_csv(tmp_path, body, *, bom=False, name="results.csv"):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + (HEADER + body).encode("utf-8"))
    return path


def run(campaign, path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_results", campaign.code, str(path), *args, stdout=out, stderr=err)
    return out.getvalue()


def refused(campaign, path, *args):
    """Run the command expecting refusal; return the stderr lines."""
    err = io.StringIO()
    with pytest.raises(CommandError, match="không nhập số liệu nào"):
        call_command("import_results", campaign.code, str(path), *args, stdout=io.StringIO(), stderr=err)
    return err.getvalue().strip().splitlines()


def db_state():
    return (
        UnitReport.objects.count(),
        ReportEvent.objects.count(),
        sorted(MeasureValue.objects.values_list("report__unit__code", "measure__code", "value", "note")),
    )


GOOD = "h-muong-ang,records_total,1000,\nso-vhttdl,records_total,50,\n"


@pytest.fixture
def existing(campaign, unit_a, officer_a):
    """Unit A already has figures on the portal; a refused import must leave them alone."""
    report = report_get_or_create(campaign=campaign, unit=unit_a, by=officer_a)
    report_save_values(report=report, by=officer_a, values={"records_total": Decimal(100)})
    return report


def assert_refused_at(campaign, tmp_path, bad_row, row_number, expected):
    path = write_csv(tmp_path, GOOD + bad_row)
    before = db_state()
    lines = refused(campaign, path)
    assert lines == [line for line in lines if line.startswith("row ")]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"row {row_number}: ")
    assert expected in lines[0]
    assert db_state() == before
    return lines[0]


def test_unknown_unit(campaign, existing, tmp_path):
    assert_refused_at(campaign, tmp_path, "h-khong-co,records_total,5,\n", 4, "không có đơn vị mã 'h-khong-co'")


def test_unknown_measure(campaign, existing, tmp_path):
    assert_refused_at(campaign, tmp_path, "h-muong-ang,rocket_launches,5,\n", 4, "không có chỉ số mã 'rocket_launches'")


def test_measure_the_unit_does_not_report(campaign, existing, tmp_path):
    assert_refused_at(
        campaign, tmp_path, "h-muong-ang,project_stadium,50,\n", 4, "không báo cáo chỉ số 'project_stadium'"
    )


def test_unit_that_is_not_a_participant(campaign, existing, tmp_path):
    Unit.objects.create(code="h-cu", name="Huyện cũ", kind=UnitKind.DISTRICT, valid_until="2019-12-31")
    assert_refused_at(campaign, tmp_path, "h-cu,records_total,5,\n", 4, "không tham gia phong trào 1908-UBND-KSTT")


def test_value_that_is_not_a_number(campaign, existing, tmp_path):
    assert_refused_at(campaign, tmp_path, "h-muong-ang,records_online,nhiều,\n", 4, "không phải là số")


def test_grouped_value_is_refused_as_ambiguous_with_a_hint(campaign, existing, tmp_path):
    line = assert_refused_at(
        campaign, tmp_path, 'h-muong-ang,households_total,"3.868.370",\n', 4, "'3.868.370' không rõ nghĩa"
    )
    assert "không phân nhóm hàng nghìn" in line and "3868370" in line


def test_empty_value(campaign, existing, tmp_path):
    assert_refused_at(campaign, tmp_path, "h-muong-ang,records_online,,\n", 4, "giá trị trống")


def test_negative_count(campaign, existing, tmp_path):
    assert_refused_at(campaign, tmp_path, "h-muong-ang,propaganda_events,-3,\n", 4, "số đếm không được âm")


def test_percent_over_100(campaign, existing, tmp_path):
    assert_refused_at(campaign, tmp_path, "so-vhttdl,project_stadium,120.5,\n", 4, "không được vượt quá 100")


def test_part_larger_than_its_whole_in_the_file(campaign, existing, tmp_path):
    assert_refused_at(campaign, tmp_path, "so-vhttdl,records_online,60,\n", 4, "không được lớn hơn")


def test_part_larger_than_the_whole_already_on_the_portal(campaign, existing, tmp_path):
    # records_total of unit A is 100 on the portal; the file only brings the part.
    path = write_csv(tmp_path, "so-vhttdl,records_total,50,\nh-muong-ang,records_online,150,\n")
    before = db_state()
    (line,) = refused(campaign, path)
    assert line.startswith("row 3: ") and "(150) không được lớn hơn" in line and "(100)" in line
    assert db_state() == before


def test_duplicate_rows(campaign, existing, tmp_path):
    assert_refused_at(campaign, tmp_path, "so-vhttdl,records_total,51,\n", 4, "trùng đơn vị và chỉ số với dòng 3")


def test_every_bad_row_is_listed_in_order(campaign, existing, tmp_path):
    path = write_csv(tmp_path, "x,records_total,1,\n" + GOOD + "h-muong-ang,households_total,-1,\n")
    lines = refused(campaign, path)
    assert [line.split(":")[0] for line in lines] == ["row 2", "row 5"]


def test_bad_header_is_row_1(campaign, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("don_vi,chi_so,gia_tri\nh-muong-ang,records_total,1\n", encoding="utf-8")
    (line,) = refused(campaign, path)
    assert line.startswith("row 1: ") and "unit,measure,value" in line


@pytest.mark.parametrize("bom", [False, True])
def test_csv_with_and_without_bom(campaign, tmp_path, bom):
    path = write_csv(tmp_path, GOOD + "h-muong-ang,records_online,800,Số liệu quý III\n", bom=bom)
    out = run(campaign, path)
    assert "Đã nhập 3 giá trị của 2 đơn vị" in out
    report = UnitReport.objects.get(unit__code="h-muong-ang")
    assert report.status == ReportStatus.DRAFT
    values = {mv.measure.code: mv for mv in report.values.select_related("measure")}
    assert values["records_total"].value == 1000
    assert values["records_online"].value == 800 and values["records_online"].note == "Số liệu quý III"
    assert report.events.filter(action=EventAction.IMPORTED).count() == 1


def test_semicolon_separated_csv(campaign, tmp_path):
    path = tmp_path / "excel-vn.csv"
    path.write_text("unit;measure;value\nh-muong-ang;records_total;12\n", encoding="utf-8-sig")
    run(campaign, path)
    assert MeasureValue.objects.get(measure__code="records_total").value == 12


def test_xlsx_numeric_cells(campaign, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["unit", "measure", "value", "note"])
    sheet.append(["so-vhttdl", "project_stadium", 85.3, None])
    sheet.append(["so-vhttdl", "records_total", 3868370, "cả năm"])
    sheet.append(["so-vhttdl", "records_online", "1200000", None])
    path = tmp_path / "results.xlsx"
    workbook.save(path)
    run(campaign, path)
    values = dict(MeasureValue.objects.values_list("measure__code", "value"))
    assert values == {
        "project_stadium": Decimal("85.3"),
        "records_total": Decimal(3868370),
        "records_online": Decimal(1200000),
    }


def test_xlsx_errors_use_the_sheet_row_number(campaign, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["unit", "measure", "value"])
    sheet.append(["so-vhttdl", "records_total", 10])
    sheet.append([None, None, None])
    sheet.append(["so-vhttdl", "project_stadium", 101])
    path = tmp_path / "results.xlsx"
    workbook.save(path)
    (line,) = refused(campaign, path)
    assert line.startswith("row 4: ") and "vượt quá 100" in line
    assert not MeasureValue.objects.exists()


def test_text_renamed_as_xlsx_is_refused_cleanly(campaign, tmp_path):
    path = tmp_path / "results.xlsx"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    (line,) = refused(campaign, path)
    assert "không phải là bảng tính Excel" in line


def test_too_many_rows(campaign, tmp_path, monkeypatch):
    monkeypatch.setattr("reports.imports.IMPORT_MAX_ROWS", 3)
    path = write_csv(tmp_path, "".join(f"h-muong-ang,records_total,{n},\n" for n in range(5)))
    (line,) = refused(campaign, path)
    assert "quá nhiều dòng" in line


def full_rows(campaign, unit):
    rows = []
    for measure in measures_for_unit(list(campaign.measures.prefetch_related("reporter_units")), unit):
        value = 50 if measure.value_type == "percent" else 1 if measure.value_type == "boolean" else 100
        rows.append(f"{unit.code},{measure.code},{value},\n")
    return "".join(rows)


def test_status_submitted(campaign, unit_b, tmp_path):
    run(campaign, write_csv(tmp_path, full_rows(campaign, unit_b)), "--status", "submitted")
    report = UnitReport.objects.get(unit=unit_b)
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_at is not None and report.submitted_by is None
    event = report.events.get(action=EventAction.SUBMITTED)
    assert event.by is None


def test_status_accepted(campaign, unit_b, tmp_path):
    run(campaign, write_csv(tmp_path, full_rows(campaign, unit_b)), "--status", "accepted")
    report = UnitReport.objects.get(unit=unit_b)
    assert report.status == ReportStatus.ACCEPTED
    assert report.reviewed_by is None and report.reviewed_at is not None
    assert list(report.events.order_by("pk").values_list("action", flat=True)) == [
        EventAction.CREATED,
        EventAction.IMPORTED,
        EventAction.SUBMITTED,
        EventAction.ACCEPTED,
    ]


def test_status_submitted_refuses_an_incomplete_unit_and_imports_nothing(campaign, unit_b, tmp_path):
    body = full_rows(campaign, unit_b) + GOOD.splitlines(keepends=True)[0]
    before = db_state()
    (line,) = refused(campaign, write_csv(tmp_path, body), "--status", "submitted")
    assert line.startswith("đơn vị 'h-muong-ang': chưa đủ số liệu để gửi") and "households_total" in line
    assert db_state() == before


def test_unknown_campaign_and_missing_file(campaign, tmp_path):
    with pytest.raises(CommandError, match="Không có phong trào mã 'KHONG-CO'"):
        call_command("import_results", "KHONG-CO", str(write_csv(tmp_path, GOOD)))
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        call_command("import_results", campaign.code, str(tmp_path / "missing.csv"))


def test_other_file_types_are_refused(campaign, tmp_path):
    path = tmp_path / "results.txt"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    (line,) = refused(campaign, path)
    assert "Chỉ nhận tệp .csv hoặc .xlsx" in line
