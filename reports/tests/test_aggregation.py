"""The aggregation rule, goal resolution and status boundaries, on hand-computed cases."""

from decimal import Decimal

import pytest

from campaigns.models import Direction, Goal, GoalScope, Unit, UnitGroup, UnitKind
from campaigns.structure import structure_bump
from reports.aggregation import (
    NEAR_REACHED,
    NO_DATA,
    NO_GOAL,
    NOT_REACHED,
    REACHED,
    SPEED_UP,
    Snapshot,
    format_value,
    goal_status,
)
from reports.models import MeasureValue, ReportStatus, UnitReport


def report_with(campaign, code, status=ReportStatus.SUBMITTED, **values):
    """A report of unit `code` in `status` holding `values` (measure code → number)."""
    report = UnitReport.objects.create(campaign=campaign, unit=Unit.objects.get(code=code), status=status)
    measures = {measure.code: measure for measure in campaign.measures.all()}
    for measure_code, value in values.items():
        MeasureValue.objects.create(report=report, measure=measures[measure_code], value=Decimal(value))
    return report


def result_of(snapshot, target_code):
    return snapshot.province_result(snapshot.target_by_code[target_code])


# --- the rule: sum the measures, then apply the formula ---------------------------------
def test_province_rate_is_ratio_of_sums_not_mean_of_percentages(campaign):
    report_with(campaign, "h-muong-ang", records_online=90, records_total=100)  # 90 %
    report_with(campaign, "h-dien-bien", records_online=100, records_total=1000)  # 10 %
    result = result_of(Snapshot(campaign), "records_online_district")
    # mean of the two percentages would be 50; the true rate is 190 / 1100
    assert result.value.quantize(Decimal("0.000001")) == Decimal("17.272727")
    assert result.display_value == "17,3"
    assert result.status == NOT_REACHED


def test_poverty_reduction_over_districts_is_weighted_by_households(campaign):
    report_with(campaign, "h-muong-ang", poor_households_start=300, poor_households_end=200, households_total=1000)
    report_with(campaign, "h-muong-cha", poor_households_start=1000, poor_households_end=980, households_total=9000)
    snapshot = Snapshot(campaign)
    target = snapshot.target_by_code["poverty_reduction"]
    # units: 10 points and 0,22 points; mean 5,11 — the province: 120 / 10.000 = 1,2 points
    assert snapshot.value_for_province(target) == Decimal("1.2")
    assert format_value(target, snapshot.value_for_unit(target, Unit.objects.get(code="h-muong-ang"))) == "10,0"


def test_group_and_kind_results_sum_their_own_units(campaign):
    report_with(campaign, "h-muong-ang", records_online=90, records_total=100)  # cum-huyen-1
    report_with(campaign, "h-tuan-giao", records_online=10, records_total=100)  # cum-huyen-1
    report_with(campaign, "h-muong-cha", records_online=50, records_total=50)  # cum-huyen-2
    report_with(campaign, "so-tu-phap", records_online=1, records_total=10)  # a department
    snapshot = Snapshot(campaign)
    target = snapshot.target_by_code["records_online_district"]
    cluster = snapshot.group_by_code["cum-huyen-1"]
    assert snapshot.group_result(target, cluster).value == Decimal(50)
    assert snapshot.kind_result(target, UnitKind.DISTRICT).value == Decimal(60)
    # the department is outside the target's scope (districts only)
    assert snapshot.kind_result(target, UnitKind.DEPARTMENT).value is None
    provincial = snapshot.target_by_code["records_online_provincial"]
    assert snapshot.province_result(provincial).value == Decimal(10)


def test_a_unit_in_two_groups_counts_in_both(campaign):
    report_with(campaign, "h-muong-ang", poor_households_start=300, poor_households_end=200, households_total=1000)
    snapshot = Snapshot(campaign)
    target = snapshot.target_by_code["poverty_reduction"]
    for code in ("huyen-ngheo", "cum-huyen-1"):
        assert snapshot.group_result(target, snapshot.group_by_code[code]).value == Decimal(10)


def test_drafts_and_returned_reports_are_not_counted(campaign):
    report_with(campaign, "h-muong-ang", ReportStatus.ACCEPTED, records_online=80, records_total=100)
    report_with(campaign, "h-dien-bien", ReportStatus.DRAFT, records_online=0, records_total=1000)
    report_with(campaign, "h-muong-cha", ReportStatus.RETURNED, records_online=0, records_total=1000)
    snapshot = Snapshot(campaign)
    assert result_of(snapshot, "records_online_district").value == Decimal(80)
    assert {snapshot.unit_by_id[pk].code for pk in snapshot.counted_unit_ids} == {"h-muong-ang"}
    draft_unit = Unit.objects.get(code="h-dien-bien")
    assert snapshot.value_for_unit(snapshot.target_by_code["records_online_district"], draft_unit) is None


def test_division_by_zero_is_no_data(campaign):
    report_with(campaign, "h-muong-ang", records_online=0, records_total=0)
    result = result_of(Snapshot(campaign), "records_online_district")
    assert result.value is None
    assert result.status == NO_DATA
    assert result.display_value == "chưa có số liệu"


def test_nothing_reported_is_no_data_not_zero(campaign):
    result = result_of(Snapshot(campaign), "trees_total")
    assert result.value is None and result.status == NO_DATA


def test_a_measure_nobody_in_scope_reports_counts_as_zero(campaign):
    """Departments plant no forest: a block of departments still has a tree total."""
    report_with(campaign, "so-vhttdl", trees_scattered=500)
    report_with(campaign, "so-y-te", trees_scattered=250)
    snapshot = Snapshot(campaign)
    target = snapshot.target_by_code["trees_total"]
    assert snapshot.value_for_unit(target, Unit.objects.get(code="so-vhttdl")) == Decimal(500)
    assert snapshot.group_result(target, snapshot.group_by_code["khoi-van-hoa-xa-hoi"]).value == Decimal(750)
    assert snapshot.province_result(target).value == Decimal(750)


def test_a_part_expected_but_missing_is_no_data_not_zero(campaign):
    """A district gave its records total but no online count: its rate is unknown, not 0 %."""
    report_with(campaign, "h-muong-ang", records_total=100)
    assert result_of(Snapshot(campaign), "records_online_district").value is None


# --- goals, most specific first ---------------------------------------------------------
@pytest.fixture
def poverty(campaign):
    return campaign.targets.get(code="poverty_reduction")


def test_goal_resolution_at_each_level(campaign, poverty):
    town = Unit.objects.get(code="tp-dien-bien-phu")  # not a poor district
    muong_ang = Unit.objects.get(code="h-muong-ang")  # a poor district
    tuan_giao = Unit.objects.get(code="h-tuan-giao")  # a poor district
    snapshot = Snapshot(campaign)
    target = snapshot.target_by_code["poverty_reduction"]
    # the province goal; the group goal of the poor districts
    assert snapshot.goal_for_province(target) == 4
    assert snapshot.goal_for_unit(target, town) == 4
    assert snapshot.goal_for_unit(target, muong_ang) == Decimal("5.5")
    assert snapshot.goal_for_group(target, snapshot.group_by_code["huyen-ngheo"]) == Decimal("5.5")
    # a mixed cluster has no goal of its own: the districts' (here the province's) goal
    assert snapshot.goal_for_group(target, snapshot.group_by_code["cum-huyen-1"]) == 4

    Goal.objects.create(target=poverty, scope=GoalScope.KIND, unit_kind=UnitKind.DISTRICT, value=Decimal("4.5"))
    Goal.objects.create(target=poverty, scope=GoalScope.UNIT, unit=tuan_giao, value=Decimal(7))
    structure_bump(campaign=campaign)  # as the admin's goal page does
    snapshot = Snapshot(campaign)
    target = snapshot.target_by_code["poverty_reduction"]
    assert snapshot.goal_for_kind(target, UnitKind.DISTRICT) == Decimal("4.5")
    assert snapshot.goal_for_unit(target, town) == Decimal("4.5")  # kind beats province
    assert snapshot.goal_for_unit(target, muong_ang) == Decimal("5.5")  # group beats kind
    assert snapshot.goal_for_unit(target, tuan_giao) == 7  # unit beats group
    assert snapshot.goal_for_group(target, snapshot.group_by_code["cum-huyen-1"]) == Decimal("4.5")
    assert snapshot.goal_for_province(target) == 4  # the province keeps its own goal


def test_two_group_goals_resolve_by_group_code(campaign, poverty):
    group = UnitGroup.objects.get(code="cum-huyen-1")
    Goal.objects.create(target=poverty, scope=GoalScope.GROUP, group=group, value=6)
    structure_bump(campaign=campaign)
    snapshot = Snapshot(campaign)
    target = snapshot.target_by_code["poverty_reduction"]
    # h-muong-ang is in cum-huyen-1 (goal 6) and huyen-ngheo (5,5): the first by code wins
    assert snapshot.goal_for_unit(target, Unit.objects.get(code="h-muong-ang")) == 6


def test_a_total_goal_is_never_inherited_by_a_unit_or_group(campaign):
    snapshot = Snapshot(campaign)
    trees = snapshot.target_by_code["trees_total"]
    assert snapshot.goal_for_province(trees) == 3868370
    assert snapshot.goal_for_unit(trees, Unit.objects.get(code="h-muong-ang")) is None
    assert snapshot.goal_for_group(trees, snapshot.group_by_code["cum-huyen-1"]) is None
    assert snapshot.unit_result(trees, Unit.objects.get(code="h-muong-ang")).status in (NO_DATA, NO_GOAL)


def test_a_rate_goal_holds_for_each_unit(campaign):
    snapshot = Snapshot(campaign)
    target = snapshot.target_by_code["records_online_provincial"]
    assert snapshot.goal_for_unit(target, Unit.objects.get(code="so-tu-phap")) == 90


def test_result_uses_the_resolved_goal(campaign):
    report_with(campaign, "h-muong-ang", poor_households_start=300, poor_households_end=247, households_total=1000)
    report_with(campaign, "tp-dien-bien-phu", poor_households_start=300, poor_households_end=247, households_total=1000)
    snapshot = Snapshot(campaign)
    target = snapshot.target_by_code["poverty_reduction"]
    # both reduced poverty by 5,3 points: enough for the town (4); 96 % of the poor district's 5,5
    assert snapshot.unit_result(target, Unit.objects.get(code="tp-dien-bien-phu")).status == REACHED
    assert snapshot.unit_result(target, Unit.objects.get(code="h-muong-ang")).status == NEAR_REACHED


# --- status boundaries --------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, goal, expected",
    [
        ("100", "100", REACHED),
        ("120", "100", REACHED),
        ("99.99", "100", NEAR_REACHED),
        ("95", "100", NEAR_REACHED),
        ("94.99", "100", SPEED_UP),
        ("60", "100", SPEED_UP),
        ("59.99", "100", NOT_REACHED),
        ("0", "100", NOT_REACHED),
        ("-1", "4", NOT_REACHED),
        (None, "100", NO_DATA),
        ("50", None, NO_GOAL),
        (None, None, NO_DATA),
    ],
)
def test_status_boundaries_at_least(value, goal, expected):
    value = None if value is None else Decimal(value)
    goal = None if goal is None else Decimal(goal)
    assert goal_status(value, goal, Direction.AT_LEAST) == expected


@pytest.mark.parametrize(
    "value, goal, expected",
    [
        ("10", "10", REACHED),  # at the ceiling
        ("0", "10", REACHED),
        ("20", "19", NEAR_REACHED),  # 19 / 20 = 0,95
        ("20", "18.99", SPEED_UP),
        ("20", "12", SPEED_UP),  # 12 / 20 = 0,60
        ("20", "11.99", NOT_REACHED),
        ("5", "0", NOT_REACHED),  # any value over a zero ceiling
    ],
)
def test_status_boundaries_at_most_are_mirrored(value, goal, expected):
    assert goal_status(Decimal(value), Decimal(goal), Direction.AT_MOST) == expected


def test_every_status_has_a_word_a_colour_and_an_icon():
    from reports.aggregation import STATUSES

    assert len({status.code for status in STATUSES}) == 7
    for status in STATUSES:
        assert str(status.label) and status.colour and status.icon


def test_counts_are_shown_whole_and_rates_to_one_decimal(campaign):
    snapshot = Snapshot(campaign)
    assert format_value(snapshot.target_by_code["trees_total"], Decimal(3868370)) == "3.868.370"
    assert format_value(snapshot.target_by_code["records_online_district"], Decimal("85.25")) == "85,3"


def test_status_is_judged_on_the_figure_as_shown(campaign):
    snapshot = Snapshot(campaign)
    target = campaign.targets.get(code="records_online_provincial")
    result = snapshot._result(target, Decimal("89.96"), Goal(value=Decimal(90)), "x")
    assert result.display_value == "90,0"
    assert result.status.code == "reached"
    assert snapshot._result(target, Decimal("89.94"), Goal(value=Decimal(90)), "x").status.code == "near"
