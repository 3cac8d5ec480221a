"""Reports filled through the real services, for the printed-document and summary tests."""

import datetime
from decimal import Decimal

from django.utils import timezone

from reports.services import report_get_or_create, report_measures, report_save_values
from reports.workflow import report_submit

ON_TIME = timezone.make_aware(datetime.datetime(2024, 11, 10, 9, 0))
LATE = timezone.make_aware(datetime.datetime(2024, 11, 20, 9, 0))


def unit_values(report, **overrides):
    """Plausible values for every measure the unit reports."""
    values = {}
    for measure in report_measures(report):
        if measure.value_type == "percent":
            values[measure.code] = Decimal(100)
        elif measure.value_type == "boolean":
            values[measure.code] = Decimal(1)
        else:
            values[measure.code] = Decimal(1000)
    if "poor_households_start" in values:
        values.update(
            poor_households_start=Decimal(3000),
            poor_households_end=Decimal(2400),
            households_total=Decimal(12000),
            ethnic_households_total=Decimal(10000),
            ethnic_poor_households_start=Decimal(2900),
            ethnic_poor_households_end=Decimal(2300),
        )
    if "records_online" in values:
        values.update(records_total=Decimal(2000), records_online=Decimal(1706))
    values.update({code: Decimal(value) for code, value in overrides.items()})
    return values


def fill_report(campaign, unit, by, *, submit_at=ON_TIME, narrative="", commendations=(), **overrides):
    """Save a full report for `unit` (and submit it at `submit_at`, unless None)."""
    report = report_get_or_create(campaign=campaign, unit=unit, by=by)
    narratives = {"I": narrative} if narrative else None
    rows = [
        {"kind": kind, "name": name, "achievement": achievement, "award": award}
        for kind, name, achievement, award in commendations
    ]
    report_save_values(
        report=report,
        by=by,
        values=unit_values(report, **overrides),
        narratives=narratives,
        commendations=rows or None,
    )
    if submit_at is not None:
        report_submit(report=report, by=by, now=submit_at)
    report.refresh_from_db()
    return report
