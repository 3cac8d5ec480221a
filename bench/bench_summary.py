"""Summary benchmark: 50 and 200 synthetic units, each beside the naive render of the same
HTML as one WeasyPrint document, measured in the same run.

Runs in a throwaway directory (its own SQLite database, media folder and filesystem broker;
db.sqlite3 is never touched) with a real `celery worker` of 2 processes, the production
path: the compile fans unit annexes out as tasks and the last part enqueues the merge. The
worker uses bench/summary_settings.py: the filesystem broker polled every 10 ms (Redis, in
production, delivers at once).

Three compiles per size, beside the naive render:
- cold: nothing laid out ahead (every unit's pages laid out at the click);
- ahead: every report's pages laid out when it was submitted or accepted
  (reports.summary.compile.annex_render_ahead, run beforehand and not timed), so the compile
  lays out only the body and the frame and merges;
- recompile: one unit's report changes after a compile, nothing else laid out ahead.

Prints seconds, peak memory per process (VmHWM of every worker child; ru_maxrss of the naive
render's own process), the file sizes, and the ratios against the goals: at 200 units, the
compile ahead ≤ 0,10 × naive, the cold compile ≤ 0,5 × naive, the recompile ≤ 0,10 × the cold
compile, peak ≤ 350 MB per process.
"""

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (50, 200)
WORKERS = 2
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))  # each measure is the median of REPEAT runs
GOALS = {"ahead_vs_naive": 0.10, "cold_vs_naive": 0.5, "recompile_vs_cold": 0.10, "peak_mb": 350}


def main():
    """Run the benchmark in a child process whose environment points at a temp directory."""
    with tempfile.TemporaryDirectory(prefix="thidua-bench-") as tmp:
        env = _env(Path(tmp))
        subprocess.run([sys.executable, __file__, "drive"], env=env, check=True, cwd=ROOT)


def _env(tmp):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.summary_settings",
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
        MEDIA_ROOT=str(tmp / "media"),
        BROKER_DIR=str(tmp / "broker"),
        CELERY_BROKER_URL="filesystem://",
        CELERY_TASK_ALWAYS_EAGER="0",
        CELERY_WORKER_MAX_TASKS_PER_CHILD="1000",
        PYTHONPATH=str(ROOT),
        LOG_LEVEL="ERROR",
    )
    for folder in ("broker/queue", "broker/processed", "media"):
        (tmp / folder).mkdir(parents=True, exist_ok=True)
    return env


def _setup_django():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- data ------------------------------------------------------------------------------------
def seed(total):
    """Load campaign 1908 and `total` synthetic units with submitted reports."""
    from django.core.management import call_command
    from django.utils import timezone

    from campaigns.loader import campaign_load
    from campaigns.models import Unit, UnitKind
    from commendations.catalogue import SHIPPED_CATALOGUE, catalogue_load
    from reports.aggregation import measures_for_unit
    from reports.models import MeasureValue, Narrative, ReportStatus, UnitReport

    call_command("migrate", verbosity=0)
    catalogue_load(path=SHIPPED_CATALOGUE)  # the award catalogue the campaign file names
    campaign = campaign_load(path=ROOT / "campaigns" / "campaign_files" / "1908-UBND-KSTT.yaml").campaign
    rng = random.Random(1908)
    units = Unit.objects.bulk_create(
        Unit(
            code=f"bench-{index:03d}",
            name=f"{'Huyện' if index % 5 < 3 else 'Sở'} thử nghiệm số {index}",
            kind=UnitKind.DISTRICT if index % 5 < 3 else UnitKind.DEPARTMENT,
            head_title="CHỦ TỊCH",
        )
        for index in range(total)
    )
    measures = list(campaign.measures.prefetch_related("reporter_units"))
    section = campaign.sections.get(code="I")
    submitted = timezone.now()
    reports = UnitReport.objects.bulk_create(
        UnitReport(campaign=campaign, unit=unit, status=ReportStatus.SUBMITTED, submitted_at=submitted)
        for unit in units
    )
    values, narratives = [], []
    for report, unit in zip(reports, units, strict=True):
        for measure in measures_for_unit(measures, unit):
            whole = rng.randint(2000, 20000)
            value = rng.randint(0, 100) if measure.value_type == "percent" else whole
            if measure.part_of_id:
                value = rng.randint(whole // 2, whole) if measure.value_type != "percent" else value
            values.append(MeasureValue(report=report, measure=measure, value=value))
        narratives.append(
            Narrative(
                report=report, section=section, text=f"Đơn vị {unit.name} đã tổ chức {rng.randint(3, 40)} hoạt động."
            )
        )
    MeasureValue.objects.bulk_create(values)
    Narrative.objects.bulk_create(narratives)
    return campaign


def use_units(campaign, count):
    from campaigns.models import Unit
    from campaigns.services import campaign_set_participants

    campaign_set_participants(
        campaign=campaign, units=Unit.objects.filter(code__startswith="bench-").order_by("code")[:count]
    )


def change_one_unit(campaign):
    from django.db.models import F

    from reports.models import MeasureValue, UnitReport

    report = UnitReport.objects.filter(campaign=campaign, unit__code="bench-000").get()
    MeasureValue.objects.filter(report=report, measure__code="records_online").update(value=F("value") - 1)
    UnitReport.objects.filter(pk=report.pk).update(version=F("version") + 1)


def lay_out_ahead(campaign):
    """Every counted report's pages, as the submissions and acceptances would have made them
    (the same pages under the same keys; laid out here in chunks, untimed)."""
    from reports.summary.compile import annexes_render_ahead

    annexes_render_ahead(campaign)


# --- measuring -------------------------------------------------------------------------------
def _children(pid):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{pid}\n" in status:
                found.append(int(entry.name))
    return found


def _peak_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cpu_seconds(pids):
    """CPU time (user + system) the processes have used so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def compile_with_worker(campaign):
    """Queue a compile on the running worker and wait for it; return (seconds, summary).
    The wait only polls the row: the worker processes' peaks are read from /proc afterwards
    (VmHWM is a high-water mark), so the benchmark takes no CPU from them meanwhile."""
    from reports.models import JobStatus
    from reports.summary import summary_create
    from reports.tasks import compile_summary

    summary = summary_create(campaign=campaign, by=None)
    started = time.perf_counter()
    compile_summary.delay(summary.pk)
    while True:
        summary.refresh_from_db()
        if summary.status in (JobStatus.DONE, JobStatus.FAILED):
            break
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    if summary.status != JobStatus.DONE:
        raise SystemExit(f"compile failed: {summary.error}")
    return seconds, summary


def naive(count):
    """In its own process: the same summary HTML, every unit inline, rendered as one document."""
    import resource

    from django.db import connection

    from campaigns.models import Campaign
    from reports.pdf import html_to_pdf
    from reports.summary import summary_create
    from reports.summary.collect import summary_collect
    from reports.summary.compile import summary_prose
    from reports.summary.content import summary_document
    from reports.summary.html import document_html

    campaign = Campaign.objects.get(code="1908-UBND-KSTT")
    summary = summary_create(campaign=campaign, by=None)
    collected = summary_collect(campaign)
    html = document_html(summary_document(summary, collected, summary_prose(summary, collected)))
    summary.delete()
    connection.close()
    started = time.perf_counter()
    pdf = html_to_pdf(html)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"units": count, "seconds": seconds, "peak_mb": peak, "bytes": len(pdf)}))


def _pages(summary):
    import io

    from pypdf import PdfReader

    with summary.pdf.open("rb") as handle:
        return len(PdfReader(io.BytesIO(handle.read())).pages)


def drive():
    _setup_django()
    from reports.models import UnitAnnex

    campaign = seed(max(SIZES))
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "emulation", "worker", f"--concurrency={WORKERS}", "--loglevel=ERROR"],
        env=os.environ.copy(),
        cwd=ROOT,
    )
    rows = []
    try:
        time.sleep(3)
        # Warm the worker processes (imports, fonts, CSS) and the page-number stamps, which
        # depend on nothing but the print code; then forget every unit's pages.
        use_units(campaign, max(SIZES))
        compile_with_worker(campaign)
        children = _children(worker.pid)
        for count in SIZES:
            use_units(campaign, count)
            naive_runs, cold_runs, cold_cpu, ahead_runs, again_runs = [], [], [], [], []
            for _run in range(REPEAT):
                result = subprocess.run(
                    [sys.executable, __file__, "naive", str(count)],
                    capture_output=True,
                    text=True,
                    check=True,
                    cwd=ROOT,
                )
                naive_runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
                UnitAnnex.objects.all().delete()
                cpu_before = _cpu_seconds([worker.pid, *children])
                seconds, summary = compile_with_worker(campaign)
                cold_runs.append(seconds)
                cold_cpu.append(_cpu_seconds([worker.pid, *children]) - cpu_before)
                change_one_unit(campaign)
                again_runs.append(compile_with_worker(campaign)[0])
                UnitAnnex.objects.all().delete()
                lay_out_ahead(campaign)
                ahead_runs.append(compile_with_worker(campaign)[0])
            rows.append(
                {
                    "units": count,
                    "pages": _pages(summary),
                    "kb": summary.pdf.size / 1024,
                    "naive_kb": statistics.median(run["bytes"] for run in naive_runs) / 1024,
                    "naive": statistics.median(run["seconds"] for run in naive_runs),
                    "naive_peak": max(run["peak_mb"] for run in naive_runs),
                    "cold": statistics.median(cold_runs),
                    "cold_cpu": statistics.median(cold_cpu),
                    "ahead": statistics.median(ahead_runs),
                    "recompile": statistics.median(again_runs),
                    "worker_peak": max((_peak_mb(pid) for pid in children), default=0.0),
                    "runs": {
                        "naive": [run["seconds"] for run in naive_runs],
                        "cold": cold_runs,
                        "ahead": ahead_runs,
                        "again": again_runs,
                    },
                }
            )
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    _print(rows)


def _print(rows):
    print(f"WeasyPrint render, {WORKERS} worker processes (celery prefork, filesystem broker); median of {REPEAT} runs")
    header = (
        f"{'units':>5} {'pages':>5} {'naive s':>8} {'naive MB':>8} {'cold s':>7} {'ahead s':>7} {'recomp s':>8} "
        f"{'worker MB':>9} {'cold/naive':>10} {'ahead/naive':>11} {'recomp/cold':>11} {'file KB':>8} {'naive KB':>8}"
    )
    print(header)
    for row in rows:
        print(
            f"{row['units']:>5} {row['pages']:>5} {row['naive']:>8.1f} {row['naive_peak']:>8.0f} {row['cold']:>7.1f} "
            f"{row['ahead']:>7.2f} {row['recompile']:>8.2f} {row['worker_peak']:>9.0f} "
            f"{row['cold'] / row['naive']:>10.2f} {row['ahead'] / row['naive']:>11.3f} "
            f"{row['recompile'] / row['cold']:>11.3f} {row['kb']:>8.0f} {row['naive_kb']:>8.0f}"
        )
    for row in rows:
        runs = row["runs"]
        print(
            f"  {row['units']} units, every run (s): naive {_seconds(runs['naive'])}; cold {_seconds(runs['cold'])}; "
            f"ahead {_seconds(runs['ahead'])}; recompile {_seconds(runs['again'])}; "
            f"cold compile CPU in the worker {row['cold_cpu']:.1f} s"
        )
    print(f"goals at 200 units: {GOALS}")


def _seconds(values):
    return " ".join(f"{value:.2f}" for value in values)


if __name__ == "__main__":
    if sys.argv[1:2] == ["drive"]:
        drive()
    elif sys.argv[1:2] == ["naive"]:
        _setup_django()
        naive(int(sys.argv[2]))
