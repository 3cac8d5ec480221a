"""Goals due in a later year, and "at most" goals: the status, the sign beside every goal, the
chart's colours, in the dashboard, the summary PDF and DOCX and the Excel export."""

import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from campaigns.models import Direction, Goal, GoalScope, Unit
from campaigns.structure import structure_bump
from reports.aggregation import (
    IN_PROGRESS,
    NEAR_REACHED,
    NOT_REACHED,
    REACHED,
    SPEED_UP,
    Snapshot,
    format_goal,
    goal_status,
)
from reports.charts import BAR, BAR_REACHED
from reports.dashboards import target_drilldown
from reports.models import JobStatus
from reports.summary.collect import summary_collect
from reports.summary.prose import prefill
from reports.tests.pdf_reading import pdf_text, read_field
from reports.tests.printing_data import fill_report

from .test_summary import compile_now

SVG = "{http://www.w3.org/2000/svg}"
TREES_NOTE = "đạt 57 % chỉ tiêu đến năm 2025"


# --- the rule ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, goal, direction, due, year, expected, note",
    [
        # before the due year: progress, never "chưa đạt"
        ("57", "100", Direction.AT_LEAST, 2025, 2024, IN_PROGRESS, "đạt 57 % chỉ tiêu đến năm 2025"),
        ("10", "100", Direction.AT_LEAST, 2025, 2024, IN_PROGRESS, "đạt 10 % chỉ tiêu đến năm 2025"),
        ("99.6", "100", Direction.AT_LEAST, 2026, 2024, IN_PROGRESS, "đạt 99 % chỉ tiêu đến năm 2026"),
        ("120", "100", Direction.AT_LEAST, 2025, 2024, REACHED, ""),  # reached early is reached
        # from the due year on, as usual
        ("57", "100", Direction.AT_LEAST, 2025, 2025, NOT_REACHED, ""),
        ("96", "100", Direction.AT_LEAST, 2024, 2024, NEAR_REACHED, ""),
        ("57", "100", Direction.AT_LEAST, 2024, 2026, NOT_REACHED, ""),
        # "at most": the share is ceiling / value, as on the progress bar
        ("7", "5", Direction.AT_MOST, 2025, 2024, IN_PROGRESS, "đạt 71 % chỉ tiêu đến năm 2025"),
        ("4", "5", Direction.AT_MOST, 2025, 2024, REACHED, ""),
        ("7", "5", Direction.AT_MOST, 2025, 2025, SPEED_UP, ""),
        # no horizon: as before
        ("57", "100", Direction.AT_LEAST, None, 2024, NOT_REACHED, ""),
    ],
)
def test_a_goal_due_later_is_judged_as_progress(value, goal, direction, due, year, expected, note):
    status = goal_status(Decimal(value), Decimal(goal), direction, due=due, year=year)
    assert status == expected
    assert status.note == note


def test_a_goal_reads_with_its_direction_unit_and_year(campaign):
    snapshot = Snapshot(campaign)
    trees, rate = snapshot.target_by_code["trees_total"], snapshot.target_by_code["records_online_district"]
    assert format_goal(trees, Decimal(3868370), 2025, with_unit=True) == "≥ 3.868.370 cây (đến 2025)"
    assert format_goal(trees, Decimal(3868370), 2025) == "≥ 3.868.370 (đến 2025)"
    assert format_goal(rate, Decimal(90), with_unit=True) == "≥ 90,0 %"
    rate.direction = Direction.AT_MOST
    assert format_goal(rate, Decimal(5), with_unit=True) == "≤ 5,0 %"
    assert format_goal(rate, None) == "không đặt mức"


def test_the_campaign_file_gives_the_tree_quota_its_year(campaign):
    goals = Goal.objects.filter(target__campaign=campaign, scope=GoalScope.PROVINCE)
    due = dict(goals.values_list("target__code", "due"))
    assert due["trees_total"] == due["trees_scattered_total"] == due["trees_concentrated_total"] == 2025
    assert due["records_online_district"] is None
    assert campaign.reporting_year == 2024


# --- figures for the pages and documents -----------------------------------------------
@pytest.fixture
def figures(campaign, officer_a):
    """Trees: 2.205.000 of the 3.868.370 due in 2025 (57 %). District records online made an
    "at most 5 %" goal: Mường Ảng 3,8 % (under the ceiling), Điện Biên 7 % (over it)."""
    campaign.targets.filter(code="records_online_district").update(direction=Direction.AT_MOST)
    Goal.objects.filter(target__campaign=campaign, target__code="records_online_district").update(value=5)
    structure_bump(campaign=campaign)
    fill_report(
        campaign,
        Unit.objects.get(code="h-muong-ang"),
        officer_a,
        trees_scattered=100_000,
        trees_concentrated=1_000_000,
        records_online=38,
        records_total=1000,
    )
    fill_report(
        campaign,
        Unit.objects.get(code="h-dien-bien"),
        officer_a,
        trees_scattered=5_000,
        trees_concentrated=1_100_000,
        records_online=70,
        records_total=1000,
    )


def row_of(html, code):
    return html.split(f'<tr data-target="{code}">')[1].split("</tr>")[0]


def test_the_trees_goal_due_2025_reads_as_progress_in_2024(campaign, figures):
    result = Snapshot(campaign).province_result(Snapshot(campaign).target_by_code["trees_total"])
    assert result.value == 2_205_000 and result.due == 2025
    assert result.status == IN_PROGRESS
    assert result.status.text == f"Đang thực hiện ({TREES_NOTE})"


def test_the_same_goal_due_2024_is_judged_as_before(campaign, figures):
    Goal.objects.filter(target__campaign=campaign, target__code="trees_total").update(due=2024)
    structure_bump(campaign=campaign)
    snapshot = Snapshot(campaign)
    result = snapshot.province_result(snapshot.target_by_code["trees_total"])
    assert result.status == NOT_REACHED and result.status.note == ""
    Goal.objects.filter(target__campaign=campaign, target__code="trees_total").update(value=2_000_000)
    structure_bump(campaign=campaign)
    snapshot = Snapshot(campaign)
    assert snapshot.province_result(snapshot.target_by_code["trees_total"]).status == REACHED


def test_a_campaign_ending_in_the_due_year_judges_as_usual(campaign, figures):
    campaign.ends_on = campaign.ends_on.replace(year=2025)
    snapshot = Snapshot(campaign)
    assert snapshot.province_result(snapshot.target_by_code["trees_total"]).status == NOT_REACHED


def test_at_most_under_the_ceiling_is_reached_over_it_is_not(campaign, figures):
    snapshot = Snapshot(campaign)
    target = snapshot.target_by_code["records_online_district"]
    assert snapshot.unit_result(target, Unit.objects.get(code="h-muong-ang")).status == REACHED
    assert snapshot.unit_result(target, Unit.objects.get(code="h-dien-bien")).status == SPEED_UP  # 5 / 7
    assert snapshot.province_result(target).status == SPEED_UP  # 108 / 2.000 = 5,4; 5 / 5,4 = 0,93


def test_the_summary_prose_names_the_targets_in_progress(campaign, figures):
    """Goals due after the reporting year are progress in part II and the plan of part V,
    never a shortfall in IV.2."""
    texts = prefill(campaign, summary_collect(campaign))
    trees = next(s for s in campaign.sections.all() if s.code == "II")
    assert "3 đang thực hiện mức của năm sau" in texts[f"section:{trees.code}"]
    assert (
        "Tiếp tục phấn đấu đạt mức 3.868.370 cây của chỉ tiêu “Tổng số cây xanh trồng (lũy kế 2021 đến nay)” "
        "đến năm 2025 (năm 2024 đạt 2.205.000 cây)."
    ) in texts["directions"]
    assert "Tổng số cây xanh trồng" not in texts["weaknesses"]


def bars(chart):
    """label → fill of its bar, for the rows that have one."""
    fills = {}
    for row in ET.fromstring(str(chart)).iter(f"{SVG}g"):
        rect = row.find(f"{SVG}rect")
        if rect is not None:
            fills[row.find(f"{SVG}title").text.split(":")[0]] = rect.get("fill")
    return fills


def test_the_chart_draws_an_at_most_bar_over_its_ceiling_as_not_reached(campaign, figures):
    data = target_drilldown(campaign=campaign, target_code="records_online_district")
    fills = bars(data["chart"])
    assert fills["Huyện Mường Ảng"] == BAR_REACHED  # 3,8 ≤ 5
    assert fills["Huyện Điện Biên"] == BAR  # 7 > 5
    root = ET.fromstring(str(data["chart"]))
    assert any(line.get("stroke-dasharray") for line in root.iter(f"{SVG}line"))  # the goal line
    assert "Mức chỉ tiêu: ≤ 5,0%." in root.find(f"{SVG}desc").text


def test_the_dashboard_shows_progress_and_signs(actors, client_for, campaign, figures):
    reviewer = client_for(actors["reviewer"])
    html = reviewer.get(reverse("reports:dashboard", args=[campaign.code])).content.decode()
    trees = row_of(html, "trees_total")
    assert TREES_NOTE in trees and "Đang thực hiện" in trees and "Chưa đạt" not in trees
    assert "≥ 3.868.370 (đến 2025)" in trees
    assert "≤ 5,0" in row_of(html, "records_online_district")
    assert "≥ 90,0" in row_of(html, "records_online_provincial")
    detail = reviewer.get(reverse("reports:target_detail", args=[campaign.code, "records_online_district"]))
    assert "≤ 5,0" in detail.content.decode()
    overview = reviewer.get(reverse("reports:overview", args=[campaign.code])).content.decode()
    assert "≥ 3.868.370 (đến 2025)" in overview and TREES_NOTE in overview


def test_the_unit_sees_its_goals_with_their_sign(client_for, officer_a, campaign, figures):
    report = officer_a.profile.unit.reports.get(campaign=campaign)
    html = client_for(officer_a).get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "≤ 5,0 %" in html
    page = client_for(officer_a).get(f"/campaigns/{campaign.code}/").content.decode()
    assert "≥ 3.868.370 cây (đến 2025)" in page and "≤ 5,0 %" in page


def test_the_excel_export_writes_the_goal_with_its_sign_and_the_progress(actors, client_for, campaign, figures):
    response = client_for(actors["reviewer"]).get(reverse("reports:dashboard_xlsx", args=[campaign.code]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = {row[1]: row for row in sheet.iter_rows(values_only=True)}
    trees = rows["Tổng số cây xanh trồng (lũy kế 2021 đến nay)"]
    assert trees[4] == "≥ 3.868.370 (đến 2025)"
    assert trees[5] == f"Đang thực hiện ({TREES_NOTE})"
    assert rows["Hồ sơ công việc cấp huyện xử lý trên môi trường mạng"][4] == "≤ 5,0"


def test_the_summary_pdf_and_docx_say_it_too(campaign, figures, reviewer):
    summary = compile_now(campaign, reviewer)
    assert summary.status == JobStatus.DONE, summary.error
    text = pdf_text(read_field(summary.pdf))
    assert TREES_NOTE in text
    assert "≥ 3.868.370 (đến 2025)" in text
    assert "≤ 5,0" in text and "≥ 90,0" in text
    assert "Tiếp tục phấn đấu đạt mức 3.868.370 cây của chỉ tiêu “Tổng số cây xanh trồng (lũy kế 2021 đến nay)”" in text

    document = Document(io.BytesIO(read_field(summary.docx)))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert f"Đang thực hiện ({TREES_NOTE})" in cells
    assert "≥ 3.868.370 (đến 2025)" in cells
    assert "≤ 5,0" in cells and "≥ 90,0" in cells
