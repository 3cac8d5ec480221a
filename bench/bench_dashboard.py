"""The reviewer dashboard on a synthetic province of 20, 200 and 2.000 units, beside what it
cannot go below.

For each size: a throwaway SQLite file (never db.sqlite3), campaign 1908's measures and
targets, the units as the campaign's explicit participants in clusters of ten, an accepted
report with every measure filled for all but 2 % of them. Measured side by side, in turns,
with the same signed-in reviewer:

- the dashboard (the whole request: session, login, middleware, template);
- the bare page: the list of campaigns, a real page of the same site that goes through the
  same middleware, session and login and renders the same base template, with one row of data;
- the floor: the raw SQL of the sums the page needs (counted values of the participants
  summed by unit kind as in the campaign and measure), alone on an open connection.

Prints the dashboard's query count, the median of each and the goal at every size:
page ≤ bare page + 3 × floor + 5 ms, and the same query count at every size. Beside them,
the median CPU time of the page and of the bare page: the steadier figure when the machine
is shared, since the elapsed time of both includes the session's save to disk (from 1 to
20 ms on the development machine, run to run).
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
RUNS = {20: 31, 200: 21, 2000: 11}
KINDS = ("district", "department", "department", "commune", "organisation", "school", "armed_forces")
ROOT = Path(__file__).resolve().parent.parent

FLOOR_SQL = """
SELECT cu.kind, v.measure_id, SUM(v.value), COUNT(*)
FROM reports_measurevalue v
JOIN reports_unitreport r ON v.report_id = r.id
JOIN campaigns_campaignunit cu ON cu.unit_id = r.unit_id AND cu.campaign_id = r.campaign_id
WHERE r.campaign_id = %s AND r.status IN ('submitted', 'accepted') AND cu.participant AND v.value IS NOT NULL
GROUP BY cu.kind, v.measure_id
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
    from commendations.catalogue import SHIPPED_CATALOGUE, catalogue_load
    from reports.aggregation import measures_for_unit
    from reports.models import MeasureValue, ReportStatus, UnitReport

    catalogue_load(path=SHIPPED_CATALOGUE)  # the award catalogue the campaign file names
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


def _medians_ms(actions, runs):
    """The median time of each action, run in turns so that a busy moment weighs on all:
    [(elapsed, CPU time of this process)]. On a shared machine the CPU time is the steadier
    of the two; it leaves out waiting for the disk (each request saves the session)."""
    times = [([], []) for _ in actions]
    for _ in range(runs):
        for action, (elapsed, cpu) in zip(actions, times, strict=True):
            start, start_cpu = time.perf_counter(), time.process_time()
            action()
            cpu.append((time.process_time() - start_cpu) * 1000)
            elapsed.append((time.perf_counter() - start) * 1000)
    return [(statistics.median(elapsed), statistics.median(cpu)) for elapsed, cpu in times]


def _count_queries(connection, action):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        action()
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"))]
    own = [sql for sql in statements if "django_session" not in sql and '"auth_user"."password"' not in sql]
    return len(statements), len(own)


def measure(size):
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    call_command("migrate", verbosity=0, interactive=False)
    campaign, reviewer, n_values = _province(size)
    client = Client()
    # Signed in as in production: a reviewer also enters a code from an authenticator app.
    from accounts.tests.two_factor import sign_in_verified

    sign_in_verified(client, reviewer)

    def getter(url):
        def get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return get

    page = getter(reverse("reports:dashboard", args=[campaign.code]))
    bare = getter(reverse("campaigns:list"))

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [campaign.pk])
            cursor.fetchall()

    page()
    bare()
    total, own = _count_queries(connection, page)
    bare_total, _own = _count_queries(connection, bare)
    (page_ms, page_cpu), (bare_ms, bare_cpu), (floor_ms, _cpu) = _medians_ms((page, bare, floor), RUNS[size])
    return {
        "page_cpu": page_cpu,
        "bare_cpu": bare_cpu,
        "queries": total,
        "own": own,
        "bare_queries": bare_total,
        "values": n_values,
        "page": page_ms,
        "bare": bare_ms,
        "floor": floor_ms,
    }


def main():
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        for size in SIZES:
            connection = _django(Path(tmp) / f"province-{size}.sqlite3")
            _allow_test_client()
            rows.append((size, measure(size)))
            connection.close()
    print(
        "units   values  queries (page + session/auth)  bare queries   page ms   bare ms  floor ms"
        "  page − bare  goal (bare + 3 × floor + 5)  met  page CPU ms  bare CPU ms"
    )
    for size, row in rows:
        goal = row["bare"] + 3 * row["floor"] + 5
        queries = f"{row['queries']} ({row['own']} + {row['queries'] - row['own']})"
        print(
            f"{size:>5}  {row['values']:>7}  {queries:>29}  {row['bare_queries']:>12}  {row['page']:>8.1f}"
            f"  {row['bare']:>8.1f}  {row['floor']:>8.1f}  {row['page'] - row['bare']:>11.1f}"
            f"  {goal:>27.1f}  {'yes' if row['page'] <= goal else 'no ':>3}  {row['page_cpu']:>11.1f}"
            f"  {row['bare_cpu']:>11.1f}"
        )
    counts = {row["queries"] for _size, row in rows}
    print("same query count at every size:", "yes" if len(counts) == 1 else f"no ({sorted(counts)})")
    print("load average:", " ".join(f"{load:.2f}" for load in os.getloadavg()))


if __name__ == "__main__":
    main()
