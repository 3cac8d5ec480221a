"""The versioned save and the workflow transitions, called directly."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from reports.models import EventAction, ReportStatus
from reports.services import ConcurrentEdit, ReportError, report_get_or_create, report_save_values
from reports.tests.printing_data import unit_values
from reports.workflow import report_accept, report_return, report_submit


@pytest.fixture
def report(campaign, unit_a, officer_a):
    return report_get_or_create(campaign=campaign, unit=unit_a, by=officer_a)


def full_values(report):
    return unit_values(report)


def test_save_records_old_and_new_values(report, officer_a):
    report_save_values(report=report, by=officer_a, values={"records_total": Decimal(1000)})
    report_save_values(report=report, by=officer_a, values={"records_total": Decimal(1200)})
    event = report.events.filter(action=EventAction.SAVED).first()
    assert event.changes == [{"measure": "records_total", "old": "1.000", "new": "1.200"}]
    assert report.version == 3


def test_part_larger_than_whole_is_refused_and_nothing_saved(report, officer_a):
    with pytest.raises(ReportError) as exc:
        report_save_values(
            report=report, by=officer_a, values={"records_total": Decimal(100), "records_online": Decimal(150)}
        )
    assert "records_online" in exc.value.problems
    assert "không được lớn hơn" in exc.value.problems["records_online"]
    assert not report.values.exists()
    assert report.version == 1


def test_stale_version_is_refused_with_the_other_change(report, officer_a, reviewer):
    stale = report.version
    report_save_values(report=report, by=officer_a, values={"records_total": Decimal(10)})
    with pytest.raises(ConcurrentEdit) as exc:
        report_save_values(report=report, by=officer_a, values={"records_total": Decimal(20)}, expected_version=stale)
    assert exc.value.events[0].changes[0]["new"] == "10"
    report.refresh_from_db()
    assert report.values.get(measure__code="records_total").value == 10


def test_submit_requires_every_measure(report, officer_a):
    report_save_values(report=report, by=officer_a, values={"records_total": Decimal(10)})
    with pytest.raises(ReportError) as exc:
        report_submit(report=report, by=officer_a)
    assert "households_total" in exc.value.problems
    assert report.status == ReportStatus.DRAFT


def test_full_workflow_with_return_and_resubmission_after_the_deadline(report, officer_a, reviewer):
    report_save_values(report=report, by=officer_a, values=full_values(report))
    on_time = timezone.make_aware(datetime.datetime(2024, 11, 15, 23, 0))
    report_submit(report=report, by=officer_a, now=on_time)
    assert report.status == ReportStatus.SUBMITTED and not report.is_late
    with pytest.raises(ReportError):
        report_return(report=report, by=reviewer, reason="  ")
    report_return(report=report, by=reviewer, reason="Số hộ nghèo cuối kỳ chưa khớp")
    assert report.status == ReportStatus.RETURNED
    assert report.reviewer_comment == "Số hộ nghèo cuối kỳ chưa khớp"
    report_save_values(report=report, by=officer_a, values={"poor_households_end": Decimal(2450)})
    late = timezone.make_aware(datetime.datetime(2024, 11, 16, 8, 0))
    report_submit(report=report, by=officer_a, now=late)
    # Judged by the first submission: still on time; the resubmission is kept beside it.
    assert not report.is_late
    assert report.first_submitted_at == on_time and report.submitted_at == late
    assert report.resubmitted_at == late
    report_accept(report=report, by=reviewer)
    assert report.status == ReportStatus.ACCEPTED
    actions = list(report.events.order_by("at", "pk").values_list("action", flat=True))
    assert actions == ["created", "saved", "submitted", "returned", "saved", "submitted", "accepted"]


def test_submitted_report_is_read_only(report, officer_a):
    report_save_values(report=report, by=officer_a, values=full_values(report))
    report_submit(report=report, by=officer_a)
    with pytest.raises(ReportError):
        report_save_values(report=report, by=officer_a, values={"records_total": Decimal(1)})
