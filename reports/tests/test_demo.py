"""The demo reports: plausible, inside every rule, with real history, and idempotent."""

import random

from reports.aggregation import Snapshot
from reports.demo import LATE, NOT_STARTED, RETURNED, demo_reports, demo_values
from reports.models import EventAction, ReportEvent, ReportStatus, UnitReport
from reports.services import report_measures
from reports.validation import check_unit_values


def test_demo_has_every_kind_of_report(demo):
    reports = UnitReport.objects.filter(campaign=demo)
    statuses = {status: reports.filter(status=status).count() for status in ReportStatus.values}
    participants = demo.participants().count()
    not_started = participants - reports.count()
    assert 3 <= not_started <= 4
    assert statuses[ReportStatus.ACCEPTED] >= 10 and statuses[ReportStatus.SUBMITTED] >= 5
    assert statuses[ReportStatus.RETURNED] == len(RETURNED)
    assert 1 <= statuses[ReportStatus.DRAFT] <= 4
    assert set(reports.filter(is_late=True).values_list("unit__code", flat=True)) == set(LATE)
    assert not reports.filter(unit__code__in=NOT_STARTED).exists()
    for report in reports.filter(status=ReportStatus.RETURNED):
        assert report.reviewer_comment and report.events.filter(action=EventAction.RETURNED).exists()


def test_demo_values_obey_every_validation_rule(demo):
    for report in UnitReport.objects.filter(campaign=demo).exclude(status=ReportStatus.DRAFT):
        measures = report_measures(report)
        values = {mv.measure.code: mv.value for mv in report.values.select_related("measure")}
        assert check_unit_values(measures, values, require_all=True) == {}, report.unit.code


def test_demo_history_comes_from_the_workflow(demo):
    report = UnitReport.objects.filter(campaign=demo, status=ReportStatus.ACCEPTED).first()
    actions = list(report.events.order_by("at", "pk").values_list("action", flat=True))
    assert actions == [EventAction.CREATED, EventAction.SAVED, EventAction.SUBMITTED, EventAction.ACCEPTED]
    assert report.submitted_by.profile.unit == report.unit


def test_running_it_again_changes_nothing(demo):
    before = (
        list(UnitReport.objects.order_by("pk").values_list("pk", "status", "version")),
        ReportEvent.objects.count(),
    )
    assert demo_reports(campaign=demo) == "Số liệu mẫu đã có sẵn."
    after = (
        list(UnitReport.objects.order_by("pk").values_list("pk", "status", "version")),
        ReportEvent.objects.count(),
    )
    assert before == after


def test_values_are_deterministic(demo):
    report = UnitReport.objects.get(campaign=demo, unit__code="h-tuan-giao")
    measures = report_measures(report)
    again = demo_values(report.unit, measures, random.Random("1908-h-tuan-giao"))
    stored = {mv.measure.code: mv.value for mv in report.values.select_related("measure")}
    assert stored == again


def test_demo_dashboard_shows_real_figures(demo):
    snapshot = Snapshot(demo)
    trees = snapshot.province_result(snapshot.target_by_code["trees_total"])
    assert trees.value > 1_000_000
    poverty = snapshot.province_result(snapshot.target_by_code["poverty_reduction"])
    assert poverty.value is not None and 0 < poverty.value < 10
