"""Coverage: a target's inputs are summed only over the units that gave every input of it, and
each aggregate figure says how many units it rests on, on every page and document."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from campaigns.models import Unit, UnitKind
from campaigns.services import campaign_set_participants
from reports.aggregation import NO_DATA, Snapshot
from reports.models import MeasureValue, ReportStatus
from reports.services import report_get_or_create, report_save_values
from reports.tests.pdf_reading import pdf_text, read_field
from reports.tests.printing_data import unit_values
from reports.tests.test_aggregation import report_with
from reports.tests.test_import_results import refused, run, write_csv
from reports.tests.test_summary import compile_now
from reports.workflow import report_submit

TARGET = "records_online_district"
NAME = "Hồ sơ công việc cấp huyện xử lý trên môi trường mạng"
ONE_OF_TWO = "1/2 đơn vị có đủ số liệu"


def full_report(campaign, unit, by, *, no_data=(), **overrides):
    """A submitted report with every measure the unit reports, through the services; the
    codes in `no_data` are marked "no data" with a reason, as the report form does."""
    report = report_get_or_create(campaign=campaign, unit=unit, by=by)
    values = unit_values(report, **overrides)
    for code in no_data:
        values[code] = None
    report_save_values(
        report=report,
        by=by,
        values=values,
        no_data=set(no_data),
        notes={code: "Chưa thống kê được" for code in no_data},
    )
    report_submit(report=report, by=by)
    return report


@pytest.fixture
def two_districts(campaign, officer_a):
    """The issue's case: two units in scope. Unit A: 900 of 1.000 records online. Unit B:
    900 records, online "no data"."""
    a, b = Unit.objects.get(code="h-muong-ang"), Unit.objects.get(code="h-dien-bien")
    campaign_set_participants(campaign=campaign, units=[a, b])
    full_report(campaign, a, officer_a, records_total=1000, records_online=900)
    full_report(campaign, b, officer_a, records_total=900, no_data=["records_online"])
    return a, b


# --- the rule ---------------------------------------------------------------------------
def test_a_unit_without_every_input_counts_in_neither_sum(campaign, two_districts):
    stored = MeasureValue.objects.get(report__unit__code="h-dien-bien", measure__code="records_online")
    assert stored.no_data and stored.value is None
    snapshot = Snapshot(campaign)
    result = snapshot.province_result(snapshot.target_by_code[TARGET])
    # 900 / 1.000, not 900 / 1.900 (47,4 %) nor anything else
    assert result.value == Decimal(90)
    assert result.display_value == "90,0"
    assert (result.coverage_complete, result.coverage_expected) == (1, 2)
    assert result.coverage_text == ONE_OF_TWO
    # B's own figure is "no data"
    assert snapshot.unit_result(snapshot.target_by_code[TARGET], two_districts[1]).status == NO_DATA


def test_a_unit_complete_for_one_target_still_counts_in_another(campaign, two_districts):
    """B left out only records online: its managers and trees still count."""
    snapshot = Snapshot(campaign)
    managers = snapshot.province_result(snapshot.target_by_code["managers_participation"])
    assert managers.coverage_text == "2/2 đơn vị có đủ số liệu"
    assert managers.value == Decimal(100)  # 2.000 of 2.000


def test_coverage_at_kind_and_group_scope(campaign, officer_a, officer_b):
    """The whole province: ten districts, two groups of five."""
    full_report(campaign, Unit.objects.get(code="h-muong-ang"), officer_a, records_total=1000, records_online=900)
    full_report(campaign, Unit.objects.get(code="h-dien-bien"), officer_a, no_data=["records_online"])
    full_report(campaign, Unit.objects.get(code="h-muong-cha"), officer_a, records_total=500, records_online=100)
    snapshot = Snapshot(campaign)
    target = snapshot.target_by_code[TARGET]
    district = snapshot.kind_result(target, UnitKind.DISTRICT)
    assert district.display_value == "66,7"  # 1.000 / 1.500
    assert district.coverage_text == "2/10 đơn vị có đủ số liệu"
    cluster_1 = snapshot.group_result(target, snapshot.group_by_code["cum-huyen-1"])  # Mường Ảng, Điện Biên
    assert cluster_1.value == Decimal(90)
    assert cluster_1.coverage_text == "1/5 đơn vị có đủ số liệu"
    cluster_2 = snapshot.group_result(target, snapshot.group_by_code["cum-huyen-2"])  # Mường Chà
    assert cluster_2.value == Decimal(20)
    assert cluster_2.coverage_text == "1/5 đơn vị có đủ số liệu"
    # districts are not departments: nobody there is expected, nothing to cover
    department = snapshot.kind_result(target, UnitKind.DEPARTMENT)
    assert department.value is None and department.coverage_text == ""
    # a unit's own figure carries no coverage
    assert snapshot.unit_result(target, Unit.objects.get(code="h-muong-ang")).coverage_text == ""


def test_units_the_campaign_file_names_for_a_measure_count_with_their_kind(campaign, officer_a, officer_b):
    """Tourism sites: every district and, by name, the culture department."""
    full_report(campaign, Unit.objects.get(code="so-vhttdl"), officer_b, tourism_sites_standardised=5)
    full_report(campaign, Unit.objects.get(code="h-muong-ang"), officer_a, tourism_sites_standardised=3)
    full_report(campaign, Unit.objects.get(code="h-tuan-giao"), officer_a, no_data=["tourism_sites_standardised"])
    full_report(campaign, Unit.objects.get(code="so-y-te"), officer_b)  # not expected to report tourism
    snapshot = Snapshot(campaign)
    result = snapshot.province_result(snapshot.target_by_code["tourism_sites_standardised"])
    assert result.value == Decimal(8)
    assert result.coverage_text == "2/11 đơn vị có đủ số liệu"


def test_reports_left_without_a_value_count_like_no_data(campaign):
    """A counted report with no row at all for an input is no more complete than one marked
    "no data"; a measure only other kinds report counts as 0 (departments plant no forest)."""
    report_with(campaign, "h-muong-ang", records_online=90, records_total=100)
    report_with(campaign, "h-tuan-giao", records_total=100)
    report_with(campaign, "so-vhttdl", trees_scattered=500)
    snapshot = Snapshot(campaign)
    rate = snapshot.province_result(snapshot.target_by_code[TARGET])
    assert rate.value == Decimal(90) and rate.coverage_text == "1/10 đơn vị có đủ số liệu"
    trees = snapshot.province_result(snapshot.target_by_code["trees_total"])
    assert trees.value == Decimal(500)
    assert trees.coverage_complete == 1


def test_drafts_and_returned_reports_are_expected_but_not_complete(campaign):
    report_with(campaign, "h-muong-ang", records_online=90, records_total=100)
    report_with(campaign, "h-tuan-giao", ReportStatus.DRAFT, records_online=10, records_total=100)
    report_with(campaign, "h-muong-cha", ReportStatus.RETURNED, records_online=10, records_total=100)
    snapshot = Snapshot(campaign)
    result = snapshot.province_result(snapshot.target_by_code[TARGET])
    assert result.value == Decimal(90)
    assert result.coverage_text == "1/10 đơn vị có đủ số liệu"


def test_units_are_counted_in_the_kind_the_campaign_gave_them(campaign, officer_a):
    """A later campaign file may call a district something else; this campaign's figures
    still count it as the district it was."""
    full_report(campaign, Unit.objects.get(code="h-muong-ang"), officer_a, records_total=1000, records_online=900)
    Unit.objects.filter(code="h-muong-ang").update(kind=UnitKind.COMMUNE)
    snapshot = Snapshot(campaign)
    result = snapshot.province_result(snapshot.target_by_code[TARGET])
    assert result.value == Decimal(90) and result.coverage_text == "1/10 đơn vị có đủ số liệu"


def test_the_query_count_does_not_depend_on_gaps_units_or_groups(campaign, officer_a, officer_b):
    def count():
        snapshot = Snapshot(campaign)
        with CaptureQueriesContext(connection) as queries:
            texts = []
            for target in snapshot.targets:
                texts.append(snapshot.province_result(target).coverage_text)
                texts.append(snapshot.kind_result(target, UnitKind.DISTRICT).coverage_text)
                texts.extend(snapshot.group_result(target, group).coverage_text for group in snapshot.groups)
        assert any(texts)
        return len(queries)

    full_report(campaign, Unit.objects.get(code="h-muong-ang"), officer_a)
    complete = count()
    full_report(campaign, Unit.objects.get(code="h-dien-bien"), officer_a, no_data=["records_online"])
    full_report(campaign, Unit.objects.get(code="so-vhttdl"), officer_b, no_data=["trees_scattered"])
    report_with(campaign, "h-tuan-giao", records_total=100)
    assert count() == complete


# --- shown wherever an aggregate is shown -------------------------------------------------
def test_dashboard_drilldown_and_overview_show_the_coverage(campaign, two_districts, actors, client_for):
    reviewer = client_for(actors["reviewer"])
    dashboard = reviewer.get(reverse("reports:dashboard", args=[campaign.code])).content.decode()
    row = dashboard.split(f'data-target="{TARGET}"')[1].split("</tr>")[0]
    assert "90,0" in row and ONE_OF_TWO in row
    filtered = reviewer.get(reverse("reports:dashboard", args=[campaign.code]) + "?kind=district").content.decode()
    assert ONE_OF_TWO in filtered.split(f'data-target="{TARGET}"')[1].split("</tr>")[0]

    detail_url = reverse("reports:target_detail", args=[campaign.code, TARGET])
    by_unit = reviewer.get(detail_url).content.decode()
    assert ONE_OF_TWO in by_unit.split("data-province")[1].split("<ul")[0]
    by_group = reviewer.get(detail_url + "?by=group").content.decode()
    table = by_group.split('data-table="drilldown"')[1]
    assert "Cụm thi đua các huyện số 1" in table and ONE_OF_TWO in table
    by_kind = reviewer.get(detail_url + "?by=kind").content.decode()
    assert ONE_OF_TWO in by_kind.split('data-table="drilldown"')[1]

    overview = client_for(actors["leader"]).get(reverse("reports:overview", args=[campaign.code])).content.decode()
    card = overview.split(f'data-card="{TARGET}"')[1].split('data-card="')[0]
    assert ONE_OF_TWO in card


def test_dashboard_excel_export_has_a_coverage_column(campaign, two_districts, actors, client_for):
    response = client_for(actors["reviewer"]).get(reverse("reports:dashboard_xlsx", args=[campaign.code]))
    sheet = load_workbook(io.BytesIO(response.content))["Chỉ tiêu"]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("Độ đầy đủ số liệu")
    (row,) = [row for row in rows if row[1] == NAME]
    assert row[3] == 90
    assert row[column] == ONE_OF_TWO


def test_summary_pdf_and_docx_show_the_coverage(campaign, two_districts, reviewer):
    summary = compile_now(campaign, reviewer)
    assert summary.error == ""
    text = pdf_text(read_field(summary.pdf))
    body = text.split("Phụ lục I")[0]
    assert f"{NAME} ({ONE_OF_TWO})" in body
    assert "90,0" in body
    annex_2 = text.split("BIỂU ĐỒ CÁC CHỈ TIÊU CHỦ YẾU")[1]
    assert f"Toàn tỉnh: {ONE_OF_TWO}" in annex_2

    document = Document(io.BytesIO(read_field(summary.docx)))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert f"{NAME}\n({ONE_OF_TWO})" in cells


# --- import_results: an empty value with a note is "no data" ------------------------------
def test_import_an_empty_value_with_a_note_marks_no_data(campaign, tmp_path):
    path = write_csv(tmp_path, "h-muong-ang,records_total,900,\nh-muong-ang,records_online,,Chưa thống kê được\n")
    run(campaign, path)
    stored = MeasureValue.objects.get(report__unit__code="h-muong-ang", measure__code="records_online")
    assert stored.no_data and stored.value is None and stored.note == "Chưa thống kê được"


def test_import_no_data_over_an_existing_value_clears_it(campaign, tmp_path):
    run(campaign, write_csv(tmp_path, "h-muong-ang,records_total,900,\nh-muong-ang,records_online,700,\n"))
    run(campaign, write_csv(tmp_path, "h-muong-ang,records_online,,Số liệu chưa được xác minh\n", name="fix.csv"))
    stored = MeasureValue.objects.get(report__unit__code="h-muong-ang", measure__code="records_online")
    assert stored.no_data and stored.value is None and stored.note == "Số liệu chưa được xác minh"


def test_import_an_empty_value_without_a_note_is_refused(campaign, tmp_path):
    path = write_csv(tmp_path, "h-muong-ang,records_total,900,\nh-muong-ang,records_online,,\n")
    (line,) = refused(campaign, path)
    assert line.startswith("row 3: ") and "giá trị trống" in line and "note" in line
    assert not MeasureValue.objects.exists()


def test_imported_no_data_submits_and_is_left_out_of_the_sums(campaign, unit_b, tmp_path):
    """A unit imported as submitted with one input marked "no data" is complete enough to
    submit, and stays out of the rate's sums as the form's mark does."""

    def rows(unit, no_data=(), **overrides):
        values = unit_values(report_get_or_create(campaign=campaign, unit=unit), **overrides)
        return "".join(
            f"{unit.code},{code},,Chưa thống kê được\n" if code in no_data else f"{unit.code},{code},{value},\n"
            for code, value in values.items()
        )

    tu_phap = Unit.objects.get(code="so-tu-phap")
    body = rows(unit_b, ["records_online"], records_total=900) + rows(tu_phap, records_total=1000, records_online=950)
    run(campaign, write_csv(tmp_path, body), "--status", "submitted")
    assert MeasureValue.objects.get(report__unit=unit_b, measure__code="records_online").no_data
    snapshot = Snapshot(campaign)
    result = snapshot.province_result(snapshot.target_by_code["records_online_provincial"])
    assert snapshot.reports[unit_b.pk].status == ReportStatus.SUBMITTED
    assert result.value == Decimal(95)
    assert result.coverage_complete == 1
