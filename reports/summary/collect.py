"""One snapshot of everything the summary shows, read inside one transaction (repeatable read
on PostgreSQL): the reports counted, every figure through `reports.aggregation.Snapshot`, the
narratives and the proposals, and each participant's standing."""

from dataclasses import dataclass, field

from django.db import connection, transaction

from campaigns.numbers import format_vn_date
from reports.aggregation import REACHED, Snapshot, measures_for_unit
from reports.models import COUNTED_STATUSES, Commendation, MeasureValue, Narrative, ReportStatus
from reports.pdf import stored_value_display

ACCEPTED_ONLY = (ReportStatus.ACCEPTED,)

# How a participant reported, as the summary says it.
ON_TIME = "Đúng hạn"
LATE = "Gửi muộn"
RETURNED = "Bị trả lại, chưa gửi lại"
NOT_ACCEPTED = "Chưa được thẩm định"  # when only accepted reports count
MISSING = "Chưa gửi"


@dataclass
class UnitSection:
    unit: object
    report: object
    counted: bool
    results: list
    rows: list

    @property
    def with_goal(self):
        return sum(1 for result in self.results if result.goal is not None)

    @property
    def reached(self):
        return sum(1 for result in self.results if result.status == REACHED)

    @property
    def accepted(self):
        return self.counted and self.report.status == ReportStatus.ACCEPTED

    @property
    def standing(self):
        """How the unit reported, judged by its first submission: on time, late, sent back
        and not sent again, sent but left out (accepted-only compiles), or not at all."""
        if self.counted:
            return LATE if self.report.is_late else ON_TIME
        if self.report is None:
            return MISSING
        if self.report.status == ReportStatus.RETURNED:
            return RETURNED
        if self.report.status == ReportStatus.SUBMITTED:
            return NOT_ACCEPTED
        return MISSING

    @property
    def sent_on(self):
        """The day of the first submission (`15/11/2024`; Asia/Ho_Chi_Minh), or ""."""
        if not self.counted:
            return ""
        return format_vn_date(self.report.first_submitted_at or self.report.submitted_at)

    @property
    def resent_on(self):
        """The day the report was sent again after a return, or ""."""
        return format_vn_date(self.report.resubmitted_at) if self.counted else ""


@dataclass
class Collected:
    snapshot: Snapshot
    report_versions: dict
    narratives: list
    commendations: list
    units: list = field(default_factory=list)
    province: list = field(default_factory=list)
    accepted_only: bool = False

    @property
    def counted(self):
        return [section for section in self.units if section.counted]


def _repeatable_read():
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def summary_collect(campaign, *, accepted_only=False):
    """Read everything the summary shows in one transaction: one consistent snapshot. With
    `accepted_only`, reports sent but not yet accepted are left out of every figure."""
    snapshot = Snapshot(campaign, statuses=ACCEPTED_ONLY if accepted_only else COUNTED_STATUSES)
    set_isolation = _repeatable_read()
    with transaction.atomic():
        if set_isolation:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for name in ("targets", "measures", "participants", "groups", "reports", "counted_unit_ids"):
            getattr(snapshot, name)
        for name in ("sums_by_kind", "sums_by_group", "unit_values"):
            getattr(snapshot, name)
        counted = [snapshot.reports[unit_id] for unit_id in snapshot.counted_unit_ids]
        # Each report with its unit as the campaign saw it, in the campaign's order of units.
        place = {unit.pk: index for index, unit in enumerate(snapshot.participants)}
        reports_by_pk = {report.pk: report for report in counted}
        for report in snapshot.reports.values():
            if report.unit_id in snapshot.unit_by_id:
                report.unit = snapshot.unit_by_id[report.unit_id]
        narratives = list(Narrative.objects.filter(report__in=counted).exclude(text="").select_related("section"))
        commendations = list(Commendation.objects.filter(report__in=counted))
        for item in narratives + commendations:
            item.report = reports_by_pk[item.report_id]
        narratives.sort(key=lambda n: (n.section.order, place[n.report.unit_id]))
        commendations.sort(key=lambda c: (place[c.report.unit_id], c.order, c.pk))
        stored = {report.pk: {} for report in counted}
        for value in MeasureValue.objects.filter(report__in=counted):
            stored[value.report_id][value.measure_id] = value
        province = [snapshot.province_result(target) for target in snapshot.targets]
        units = []
        for unit in snapshot.participants:
            report = snapshot.reports.get(unit.pk)
            is_counted = unit.pk in snapshot.counted_unit_ids
            results = [snapshot.unit_result(target, unit) for target in snapshot.targets_for_unit(unit)]
            rows = _measure_rows(snapshot, unit, stored.get(report.pk, {}) if is_counted else {})
            units.append(UnitSection(unit=unit, report=report, counted=is_counted, results=results, rows=rows))
    versions = {report.unit.code: report.version for report in counted}
    return Collected(snapshot, versions, narratives, commendations, units, province, accepted_only)


def _measure_rows(snapshot, unit, stored):
    rows = []
    for measure in measures_for_unit(snapshot.measures, unit):
        value = stored.get(measure.pk)
        note = value.note if value else ""
        rows.append({"measure": measure, "value": stored_value_display(measure, value), "note": note})
    return rows
