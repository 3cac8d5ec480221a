"""A summary compile queued behind unit prints, on the workers `make run` starts.

Runs in a throwaway directory (its own SQLite database, media folder and filesystem broker;
db.sqlite3 is never touched) with the demo loaded, and the `celery worker` command lines of
the Makefile's `run` target (beat left out). Six draft reports are made as heavy as the
limits allow (every narrative at REPORT_NARRATIVE_MAX_CHARS, 100 proposals at
REPORT_ACHIEVEMENT_MAX_CHARS: about 330 pages each). Through the web views, as the reviewer:

- alone: a compile with nothing else queued;
- six clicks: "In báo cáo" six times on one heavy report, then a compile;
- six reports: one print of each heavy report, then a compile.

Prints, for each, the seconds from the compile's request to its PDF, the print jobs the
clicks made and the seconds until the last print was done. `--code DIR` runs another copy of
the portal's code (an older commit unpacked with `git archive`) with this same driver, to
compare before and after.
"""

import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = 6
PROPOSALS = 100
TIMEOUT = 900


def main(argv=()):
    argv = list(argv or sys.argv[1:])
    code = Path(argv[argv.index("--code") + 1]).resolve() if "--code" in argv else ROOT
    with tempfile.TemporaryDirectory(prefix="thidua-bench-queues-") as tmp:
        env = _env(Path(tmp), code)
        for command in (["migrate", "--noinput"], ["seed_demo"]):
            subprocess.run([sys.executable, "manage.py", *command], env=env, cwd=code, check=True, capture_output=True)
        subprocess.run([sys.executable, __file__, "drive", str(code)], env=env, cwd=code, check=True)


def _env(tmp, code):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="emulation.settings",
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
        MEDIA_ROOT=str(tmp / "media"),
        BROKER_DIR=str(tmp / "broker"),
        CELERY_BROKER_URL="filesystem://",
        CELERY_TASK_ALWAYS_EAGER="0",
        SUMMARY_ANNEX_AHEAD="0",  # nothing in the background but what is measured
        PRINT_RATE_LIMIT="off",
        COMPILE_RATE_LIMIT="off",
        AXES_ENABLED="0",
        PYTHONPATH=str(code),
        LOG_LEVEL="ERROR",
    )
    for folder in ("broker/queue", "broker/processed", "media"):
        (tmp / folder).mkdir(parents=True, exist_ok=True)
    return env


def worker_commands(code):
    """The `celery worker` command lines of `make run` in `code`'s Makefile, without beat."""
    text = (code / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    commands = []
    for line in re.split(r"\n|;|\s&\s", text):
        if re.search(r"celery\S* -A emulation worker", line):
            words = shlex.split(line.split(">")[0])  # up to the log's redirection
            words = [w for w in words[words.index("-A") :] if w != "-B" and not w.startswith(("--sch", "--log"))]
            commands.append([sys.executable, "-m", "celery", *words, "--loglevel=ERROR"])
    return commands


def drive(code):
    sys.path.insert(0, str(code))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse

    from campaigns.models import Campaign
    from reports.models import Commendation, CommendationKind, Narrative, ReportPrint, Summary, UnitReport
    from reports.services import report_get_or_create

    campaign = Campaign.objects.get(code="1908-UBND-KSTT")
    reviewer = User.objects.get(username="sonoivu")
    # Drafts, so that the summary is the same whatever the prints: the units with no report
    # yet, then those whose report is still a draft.
    reports = {report.unit_id: report for report in UnitReport.objects.filter(campaign=campaign)}
    units = [unit for unit in campaign.participants() if unit.pk not in reports]
    units += [unit for unit in campaign.participants() if unit.pk in reports and reports[unit.pk].status == "draft"]
    units = units[:HEAVY]
    assert len(units) == HEAVY, f"only {len(units)} units without a counted report"
    narrative = ("Đơn vị đã tổ chức quán triệt, triển khai thực hiện phong trào thi đua. " * 400)[
        : settings.REPORT_NARRATIVE_MAX_CHARS
    ]
    achievement = ("Hoàn thành xuất sắc nhiệm vụ được giao, có nhiều sáng kiến. " * 100)[
        : settings.REPORT_ACHIEVEMENT_MAX_CHARS
    ]
    heavy = []
    for unit in units:
        report = report_get_or_create(campaign=campaign, unit=unit, by=reviewer)  # a draft: not in the summary
        report.narratives.all().delete()
        Narrative.objects.bulk_create(
            Narrative(report=report, section=section, text=narrative) for section in campaign.sections.all()
        )
        Commendation.objects.bulk_create(
            Commendation(
                report=report,
                order=n,
                kind=CommendationKind.INDIVIDUAL,
                name=f"Cá nhân {n}",
                achievement=achievement,
                award="Bằng khen",
            )
            for n in range(PROPOSALS)
        )
        heavy.append(report)

    client = Client()
    client.force_login(reviewer)
    compile_url = reverse("reports:summary_compile", args=[campaign.code])

    def compile_now():
        client.post(compile_url, {"document_date": ""})
        return Summary.objects.order_by("-pk").first()

    def wait(jobs):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            for job in jobs:
                job.refresh_from_db()
            if all(job.status in ("done", "failed") for job in jobs):
                return
            time.sleep(0.2)
        raise SystemExit(f"not finished in {TIMEOUT} s")

    def seconds(job):
        return (job.finished_at - job.created_at).total_seconds()

    commands = worker_commands(code)
    print(f"code: {code}\nworkers (make run):")
    for command in commands:
        print("  celery " + " ".join(command[3:]))
    workers = [subprocess.Popen(command, cwd=code, env=os.environ.copy()) for command in commands]
    rows = []
    try:
        time.sleep(5)
        wait([compile_now()])  # warms every process that takes the summary's tasks
        summary = compile_now()
        wait([summary])
        rows.append(("alone", seconds(summary), 0, 0.0))
        for name, reports in (("six clicks, one report", [heavy[0]] * HEAVY), ("six reports, one click each", heavy)):
            before = set(ReportPrint.objects.values_list("pk", flat=True))
            for report in reports:
                client.post(reverse("reports:report_print", args=[report.pk]))
            summary = compile_now()
            prints = list(ReportPrint.objects.exclude(pk__in=before))
            wait([summary, *prints])
            assert summary.status == "done", summary.error
            last = max(job.finished_at for job in prints)
            rows.append((name, seconds(summary), len(prints), (last - summary.created_at).total_seconds()))
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
    print(f"{'compile queued':<30} {'compile s':>10} {'print jobs':>11} {'last print done s':>18}")
    for name, compile_seconds, jobs, last in rows:
        print(f"{name:<30} {compile_seconds:>10.1f} {jobs:>11} {last:>18.1f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["drive"]:
        drive(Path(sys.argv[2]))
    else:
        main()
