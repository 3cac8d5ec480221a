"""export_results: a long sheet of values plus one wide sheet per section, Vietnamese headers."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from campaigns.models import Unit
from reports.excel import write_table_sheet
from reports.services import report_get_or_create, report_save_values

LONG_HEADERS = [
    "Mã đơn vị",
    "Tên đơn vị",
    "Mã chỉ số",
    "Tên chỉ số",
    "Đơn vị tính",
    "Giá trị",
    "Không có số liệu",
    "Ghi chú",
    "Trạng thái báo cáo",
]


@pytest.fixture
def exported(campaign, unit_a, unit_b, officer_a, officer_b, tmp_path):
    report_a = report_get_or_create(campaign=campaign, unit=unit_a, by=officer_a)
    report_save_values(
        report=report_a,
        by=officer_a,
        values={"records_total": Decimal(3868370), "records_online": Decimal(1200000)},
        notes={"records_total": "cả năm"},
    )
    report_b = report_get_or_create(campaign=campaign, unit=unit_b, by=officer_b)
    report_save_values(report=report_b, by=officer_b, values={"project_stadium": Decimal("85.3")})
    path = tmp_path / "export.xlsx"
    out = io.StringIO()
    call_command("export_results", campaign.code, "--output", str(path), stdout=out)
    assert "Đã xuất số liệu phong trào 1908-UBND-KSTT" in out.getvalue()
    return load_workbook(path)


def test_one_long_sheet_and_one_sheet_per_section(campaign, exported):
    sections = [s.code for s in campaign.sections.order_by("order") if s.measures.exists()]
    assert sections == ["I", "II", "III"]
    assert exported.sheetnames == ["Số liệu", "Phần I", "Phần II", "Phần III"]


def test_long_sheet_has_vietnamese_headers_and_numeric_values(exported):
    sheet = exported["Số liệu"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == LONG_HEADERS
    by_key = {(row[0], row[2]): row for row in rows[1:]}
    assert set(by_key) == {
        ("h-muong-ang", "records_total"),
        ("h-muong-ang", "records_online"),
        ("so-vhttdl", "project_stadium"),
    }
    total = by_key[("h-muong-ang", "records_total")]
    assert total == (
        "h-muong-ang",
        "Huyện Mường Ảng",
        "records_total",
        "Tổng số hồ sơ công việc",
        "hồ sơ",
        3868370,
        None,
        "cả năm",
        "Đang soạn",
    )
    assert by_key[("so-vhttdl", "project_stadium")][5] == pytest.approx(85.3)
    assert sheet.cell(row=2, column=6).number_format in ("#,##0", "#,##0.0###")


def test_wide_sheet_is_units_by_measures(campaign, exported):
    sheet = exported["Phần I"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:3] == ["Mã đơn vị", "Tên đơn vị", "Trạng thái báo cáo"]
    section_measures = list(campaign.measures.filter(section__code="I").order_by("order"))
    assert len(header) == 3 + len(section_measures)
    assert "Tổng số hồ sơ công việc (hồ sơ)" in header
    by_unit = {row[0]: row for row in rows[1:]}
    assert set(by_unit) == set(campaign.participants().values_list("code", flat=True))
    column = header.index("Tổng số hồ sơ công việc (hồ sơ)")
    assert by_unit["h-muong-ang"][column] == 3868370
    assert by_unit["so-vhttdl"][column] is None
    assert by_unit["so-vhttdl"][header.index("Sửa chữa, nâng cấp sân vận động tỉnh (%)")] == pytest.approx(85.3)
    assert by_unit["h-tuan-giao"][2] == "Chưa báo cáo"
    assert by_unit["h-muong-ang"][2] == "Đang soạn"


def test_unknown_campaign_and_bad_output(campaign, tmp_path):
    with pytest.raises(CommandError, match="Không có phong trào mã 'KHONG-CO'"):
        call_command("export_results", "KHONG-CO", "--output", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="đuôi .xlsx"):
        call_command("export_results", campaign.code, "--output", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="Không có thư mục"):
        call_command("export_results", campaign.code, "--output", str(tmp_path / "nope" / "x.xlsx"))


def test_write_table_sheet_reuses_the_empty_default_sheet_and_makes_titles_valid(db):
    workbook = Workbook()
    first = write_table_sheet(workbook, "Phần I/II: kết quả [2024] rất dài quá mức cho phép", ["A", "B"], [[1, "x"]])
    second = write_table_sheet(workbook, first.title, ["A"], [[Decimal("2.5")]])
    assert workbook.sheetnames == [first.title, second.title]
    assert len(first.title) <= 31 and "/" not in first.title and "[" not in first.title
    assert second.title != first.title and len(second.title) <= 31
    assert first["A2"].value == 1 and first["A2"].number_format == "#,##0"
    assert second["A2"].number_format == "#,##0.0###"
    assert first.freeze_panes == "A2" and first["A1"].font.bold
    assert Unit.objects.count() == 0
