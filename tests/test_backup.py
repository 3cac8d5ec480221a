"""Backup and restore: dump a demo database, wipe it, restore it, find every report intact.

Runs against the PostgreSQL server at 127.0.0.1:5432 (the one CI uses) in a database of its own.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DB_NAME = f"thidua_backup_{os.getpid()}"
FINGERPRINT = """
import hashlib, json
from reports.models import UnitReport, MeasureValue, ReportEvent, Evidence
rows = {
  "reports": sorted(UnitReport.objects.values_list("unit__code", "status", "version", "is_late")),
  "values": sorted(
      (c, m, str(v))
      for c, m, v in MeasureValue.objects.values_list("report__unit__code", "measure__code", "value")
  ),
  "events": ReportEvent.objects.count(),
  "evidence": sorted(Evidence.objects.values_list("file", flat=True)),
}
print(json.dumps(rows, default=str))
"""


def postgres_available():
    return (
        shutil.which("pg_dump")
        and subprocess.run(["psql", ADMIN_URL, "-qc", "select 1"], capture_output=True).returncode == 0
    )


pytestmark = pytest.mark.skipif(not postgres_available(), reason="PostgreSQL at 127.0.0.1:5432 is not running")


def psql(sql):
    subprocess.run(["psql", ADMIN_URL, "-qc", sql], check=True, capture_output=True)


def run(args, env, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=300, **kwargs)


def test_dump_wipe_restore_keeps_every_report(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        MEDIA_ROOT=str(tmp_path / "media"),
        BROKER_DIR=str(tmp_path / "broker"),
        CELERY_TASK_ALWAYS_EAGER="1",
    )
    psql(f"DROP DATABASE IF EXISTS {DB_NAME}")
    psql(f"CREATE DATABASE {DB_NAME}")
    try:
        run([sys.executable, "manage.py", "migrate", "--noinput"], env)
        run([sys.executable, "manage.py", "seed_demo"], env)
        evidence = tmp_path / "media" / "evidence" / "demo.pdf"
        evidence.parent.mkdir(parents=True)
        evidence.write_bytes(b"%PDF-1.4 demo evidence")
        before = json.loads(run([sys.executable, "manage.py", "shell", "--no-imports", "-c", FINGERPRINT], env).stdout)
        assert before["reports"], "the demo should have reports to protect"

        dump, media_tar = run(["bash", "scripts/backup.sh", str(tmp_path / "backup")], env).stdout.split()

        psql(f"DROP DATABASE {DB_NAME}")  # the wipe
        psql(f"CREATE DATABASE {DB_NAME}")
        shutil.rmtree(tmp_path / "media")
        run(["bash", "scripts/restore.sh", dump, media_tar], env)

        after = json.loads(run([sys.executable, "manage.py", "shell", "--no-imports", "-c", FINGERPRINT], env).stdout)
        assert after == before
        assert (
            hashlib.sha256(evidence.read_bytes()).hexdigest() == hashlib.sha256(b"%PDF-1.4 demo evidence").hexdigest()
        )
    finally:
        psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
