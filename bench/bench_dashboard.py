"""The reviewer dashboard on a synthetic province of 20, 200 and 2.000 units.

For each size: a throwaway SQLite file (never db.sqlite3), campaign 1908's measures and
targets, the units as the campaign's explicit participants in clusters of ten, an accepted
report with every measure filled for all but 2 % of them. Prints the dashboard's SQL query
count, the median time of the whole request (Django test client, session and login
included), the median time of the raw SQL that computes the same sums (the floor), and
their ratio. Goals: ≤ 12 queries at 200 units, the same count at every size, ≤ 3 × floor.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

SIZES = (20, 200, 2000)
RUNS = {20: 15, 200: 11, 2000: 7}
KINDS = ("district", "department", "department", "commune", "organisation", "school", "armed_forces")
ROOT = Path(__file__).resolve().parent.parent

FLOOR_SQL = """
SELECT u.kind, m.code, SUM(v.value), COUNT(v.id)
FROM reports_measurevalue v
JOIN reports_unitreport r ON v.report_id = r.id
JOIN campaigns_unit u ON r.unit_id = u.id
JOIN campaigns_measure m ON v.measure_id = m.id
WHERE r.campaign_id = %s AND r.status IN ('submitted', 'accepted') AND v.value IS NOT NULL
GROUP BY u.kind, m.code
"""


def _django(path):
    """Point Django at the SQLite file `path` (set up Django first if nobody has)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emulation.settings")
    from django.conf import settings

    if not settings.configured or "django.contrib.auth" not in getattr(settings, "INSTALLED_APPS", ()):
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()
    from django.db import connections

    connection = connections["default"]
    if connection.vendor != "sqlite":
        raise SystemExit("bench_dashboard needs the SQLite engine (it never touches a real database)")
    connection.close()
    connection.settings_dict["NAME"] = str(path)
    return connection


def _province(size):
    """Campaign 1908 with `size` synthetic units; returns (campaign, reviewer)."""
    from django.contrib.auth.models import User

    from campaigns.loader import campaign_load
    from campaigns.models import Profile, Role, Unit, UnitGroup
    from campaigns.services import campaign_set_participants
    from reports.aggregation import measures_for_unit
    from reports.models import MeasureValue, ReportStatus, UnitReport

    campaign = campaign_load(path=ROOT / "campaigns" / "campaign_files" / "1908-UBND-KSTT.yaml").campaign
    units = Unit.objects.bulk_create(
        Unit(code=f"syn-{n:04d}", name=f"Đơn vị tổng hợp {n:04d}", kind=KINDS[n % len(KINDS)]) for n in range(size)
    )
    campaign_set_participants(campaign=campaign, units=units)
    for start in range(0, size, 10):
        group = UnitGroup.objects.create(
            campaign=campaign, code=f"syn-cum-{start // 10:03d}", name=f"Cụm {start // 10 + 1}", kind="cluster"
        )
        group.units.set(units[start : start + 10])
    reviewer = User.objects.create_user("bench-reviewer", password="x")
    Profile.objects.create(user=reviewer, role=Role.REVIEWER)
    measures = list(campaign.measures.prefetch_related("reporter_units"))
    rng = random.Random(size)
    missing = max(1, size // 50)
    reports, values = [], []
    for unit in units[missing:]:
        reports.append(UnitReport(campaign=campaign, unit=unit, status=ReportStatus.ACCEPTED))
    UnitReport.objects.bulk_create(reports)
    for report in UnitReport.objects.filter(campaign=campaign).select_related("unit"):
        for measure in measures_for_unit(measures, report.unit):
            top = 100 if measure.value_type == "percent" else 10_000
            value = Decimal(rng.randint(top // 2, top))
            if measure.part_of_id:
                value = value // 2
            values.append(MeasureValue(report=report, measure=measure, value=value))
    MeasureValue.objects.bulk_create(values, batch_size=5000)
    for unit in units[:missing]:
        officer = User.objects.create_user(f"bench-{unit.code}", email=f"{unit.code}@example.vn")
        Profile.objects.create(user=officer, role=Role.OFFICER, unit=unit, phone="0215 000 000")
    return campaign, reviewer, len(values)


def _allow_test_client():
    # Not setup_test_environment(): it instruments template rendering and would slow the page.
    from django.conf import settings

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def _median_ms(action, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(size):
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    call_command("migrate", verbosity=0, interactive=False)
    campaign, reviewer, n_values = _province(size)
    client = Client()
    client.force_login(reviewer)
    url = reverse("reports:dashboard", args=[campaign.code])

    def page():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    page()
    with CaptureQueriesContext(connection) as queries:
        page()
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"))]
    own = [sql for sql in statements if "django_session" not in sql and '"auth_user"."password"' not in sql]

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [campaign.pk])
            cursor.fetchall()

    page_ms = _median_ms(page, RUNS[size])
    floor_ms = _median_ms(floor, RUNS[size])
    return len(statements), len(own), n_values, page_ms, floor_ms


def main():
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        for size in SIZES:
            connection = _django(Path(tmp) / f"province-{size}.sqlite3")
            _allow_test_client()
            rows.append((size, *measure(size)))
            connection.close()
    print("units  values   queries (page + session/auth)  median page ms  median floor ms  ratio")
    for size, total, own, n_values, page_ms, floor_ms in rows:
        print(
            f"{size:>5}  {n_values:>7}  {total:>7} ({own} + {total - own}){'':>16}"
            f"{page_ms:>10.1f}  {floor_ms:>15.1f}  {page_ms / floor_ms:>5.1f}×"
        )
    counts = {total for _size, total, *_rest in rows}
    print("same query count at every size:", "yes" if len(counts) == 1 else f"no ({sorted(counts)})")


if __name__ == "__main__":
    main()
