"""The officer's report form: what a page and a save cost the server.

Two campaigns, each in a throwaway SQLite file (never db.sqlite3) with throwaway media:
campaign 1908 seeded as `seed_demo` seeds it (Mường Ảng's returned report, 27 measures), and
the same campaign with 150 more measures that every district reports (Mường Ảng then reports
177). For each: the form page (GET) and a save that raises one figure by one (POST, up to its
redirect), through the Django test client with session and login. Prints the SQL query count,
the median wall time and the median process CPU time (`time.process_time()`) of N runs, and
the first page's CPU time, which reads the campaign's structure (later pages use the process's
cached copy). Runs with DEBUG off, as production does. Goal: ≤ 20 ms CPU per page at the demo
campaign, ≤ 12 queries a page and ≤ 15 a save at either size.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 21
EXTRA = 150
OFFICER_UNIT = "h-muong-ang"
FIGURE_CODE = "propaganda_events"  # each save raises it by one


def _django(database, media):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emulation.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["SUMMARY_ANNEX_AHEAD"] = "0"  # no worker here: the form alone is measured
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    # As in production: DEBUG off, so templates are compiled without debug information and
    # queries are not logged (the cached template loader is Django's default either way).
    settings.DEBUG = False
    connection = connections["default"]
    if connection.vendor != "sqlite":
        raise SystemExit("bench_form needs the SQLite engine (it never touches a real database)")
    connection.close()
    connection.settings_dict["NAME"] = str(database)
    settings.MEDIA_ROOT = str(media)
    # Demo accounts get passwords; the production hasher would spend minutes on them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    return connection


def _seed(extra):
    """Campaign 1908 seeded like the demo (with `extra` more measures); the officer's report."""
    from campaigns.demo import demo_accounts, demo_campaigns
    from campaigns.loader import campaign_load
    from campaigns.tests.synthetic import with_extra_measures
    from reports.demo import demo_reports
    from reports.models import ReportStatus, UnitReport

    campaign = demo_campaigns()[0]
    if extra:
        path = with_extra_measures(Path(tempfile.mkdtemp(prefix="bench-form-")) / "many.yaml", extra)
        campaign = campaign_load(path=path).campaign
    demo_accounts(campaigns=[campaign])
    demo_reports(campaign=campaign)
    report = UnitReport.objects.get(campaign=campaign, unit__code=OFFICER_UNIT)
    assert report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED), report.status
    return report


def _timed(action, runs):
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def measure(extra):
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from campaigns.numbers import format_vn_number
    from reports.forms import ReportForm, commendation_data, commendation_rows, value_field
    from reports.merge import FIGURE, base_token, figure_number, key, report_state
    from reports.services import report_measures

    call_command("migrate", verbosity=0, interactive=False)
    report = _seed(extra)
    client = Client()
    client.force_login(User.objects.get(profile__unit__code=OFFICER_UNIT, profile__role="officer"))
    url = reverse("reports:report_edit", args=[report.pk])
    n_measures = len(report_measures(report))

    def page():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    cpu = time.process_time()
    page()
    first_cpu = (time.process_time() - cpu) * 1000
    with CaptureQueriesContext(connection) as queries:
        page()
    page_queries = len(queries)
    page_wall, page_cpu = _timed(page, RUNS)

    posts = []

    def prepare():
        """What the officer's browser posts after raising one figure by one."""
        report.refresh_from_db()
        state = report_state(report)
        measures = report_measures(report)
        data = ReportForm.data_for(state, measures, list(report.campaign.sections.all()))
        data.update(commendation_data(commendation_rows(state), "commendations"))
        data.update(version=report.version, base=base_token(report.pk, report.version, state), action="save")
        number = figure_number(state.get(key(FIGURE, FIGURE_CODE))) or 0
        data[value_field(FIGURE_CODE)] = format_vn_number(number + 1)
        posts.append(data)

    def save():
        response = client.post(url, posts.pop())
        assert response.status_code == 302, response.status_code

    prepare()
    with CaptureQueriesContext(connection) as queries:
        save()
    save_queries = len(queries)
    walls, cpus = [], []
    for _ in range(RUNS):
        prepare()
        wall, cpu = time.perf_counter(), time.process_time()
        save()
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    save_wall, save_cpu = statistics.median(walls), statistics.median(cpus)
    return n_measures, first_cpu, (page_queries, page_wall, page_cpu), (save_queries, save_wall, save_cpu)


def main():
    rows = []
    for extra in (0, EXTRA):
        with tempfile.TemporaryDirectory(prefix="bench-form-") as tmp:
            connection = _django(Path(tmp) / "form.sqlite3", Path(tmp) / "media")
            rows.append((extra, *measure(extra)))
            connection.close()
    load = os.getloadavg()[0]
    print(f"median of {RUNS} runs; load average {load:.1f} on {os.cpu_count()} cores")
    print("campaign         measures  request  queries  median wall ms  median CPU ms  first page CPU ms")
    for extra, n_measures, first_cpu, page, save in rows:
        name = "demo 1908" if not extra else f"1908 + {extra}"
        for label, (queries, wall, cpu) in (("GET", page), ("POST", save)):
            first = f"{first_cpu:>17.1f}" if label == "GET" else ""
            print(f"{name:<16} {n_measures:>8}  {label:<7}  {queries:>7}  {wall:>14.1f}  {cpu:>13.1f}{first}")
    demo_cpu = rows[0][3][2]
    print(
        f"goal ≤ 20 ms CPU per page at the demo campaign: {'met' if demo_cpu <= 20 else 'missed'} ({demo_cpu:.1f} ms)"
    )


if __name__ == "__main__":
    main()
