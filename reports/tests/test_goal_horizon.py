"""Goals due in a later year: judged as progress towards them until that year."""

from decimal import Decimal

import pytest

from campaigns.models import Direction, Goal, GoalScope, Unit
from reports.aggregation import (
    IN_PROGRESS,
    NEAR_REACHED,
    NOT_REACHED,
    REACHED,
    SPEED_UP,
    Snapshot,
    goal_status,
)
from reports.summary import assessment_sentences
from reports.tests.printing_data import fill_report

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


def test_the_trees_goal_due_2025_reads_as_progress_in_2024(campaign, figures):
    result = Snapshot(campaign).province_result(Snapshot(campaign).target_by_code["trees_total"])
    assert result.value == 2_205_000 and result.due == 2025
    assert result.status == IN_PROGRESS
    assert result.status.text == f"Đang thực hiện ({TREES_NOTE})"


def test_the_same_goal_due_2024_is_judged_as_before(campaign, figures):
    Goal.objects.filter(target__campaign=campaign, target__code="trees_total").update(due=2024)
    snapshot = Snapshot(campaign)
    result = snapshot.province_result(snapshot.target_by_code["trees_total"])
    assert result.status == NOT_REACHED and result.status.note == ""
    Goal.objects.filter(target__campaign=campaign, target__code="trees_total").update(value=2_000_000)
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


def test_the_summary_assessment_names_the_targets_in_progress(campaign, figures):
    sentences = assessment_sentences(Snapshot(campaign).province_results(), [])
    assert "3 chỉ tiêu có mức của năm sau đang thực hiện" in sentences[0]
    ongoing = next(sentence for sentence in sentences if sentence.startswith("Các chỉ tiêu đang thực hiện:"))
    assert f"Tổng số cây xanh trồng (lũy kế 2021 đến nay) (2.205.000 cây, {TREES_NOTE})" in ongoing
