"""Load: 50 officers open, edit and save their own reports at the same time.

    python bench/load_officers.py [--officers 50] [--seconds 60] [--think 5] [--workers 4] [--threads 4]

What it does, on this machine only (loopback):
1. recreates the PostgreSQL database `thidua_load` (DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/thidua_load), migrates it and loads the demo; units are
   added until there are enough participants, each with its officer; their reports are drafts;
2. starts gunicorn (gthread workers) with production settings (DJANGO_DEBUG=0, whitenoise);
3. every officer signs in through the login page and opens its report; then, for `--seconds`,
   each one in its own thread (starting at a random moment within the first pause) opens the
   form, changes three figures and saves (a POST with the CSRF token and the version the form
   was read at), pausing `--think` seconds (±50 %) between saves as a person would;
4. prints requests, errors, throughput and p50/p95/p99 latency per kind, then reads every
   report back from the database and checks that each officer's last saved figures are
   there and that the report's version counts every save (nothing lost, nothing overwritten).

Exits non-zero when a goal is missed: 0 errors, p95 under 500 ms, 0 lost values.
Never part of the test suite (make bench does not run it either: it needs PostgreSQL).
"""

import argparse
import http.client
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/thidua_load"
EDITED = ("exhibitions_held", "contests_held", "propaganda_events")
GOAL_P95_MS = 500


# --- the database ---------------------------------------------------------------------------
def recreate_database(url, create=True):
    """Drop the load database and (unless `create` is false) create it empty."""
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"refusing to recreate a database named {name!r}")
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def prepare(officers):
    """Migrate, load the demo, and return [(username, unit code, report pk)] for `officers`
    officers of distinct units, each with a draft report."""
    import django
    from django.core.management import call_command

    django.setup()
    from django.contrib.auth.models import User

    from campaigns.demo import DEMO_PASSWORD
    from campaigns.models import Campaign, Profile, Role, Unit, UnitKind
    from campaigns.services import campaign_set_participants
    from reports.models import ReportStatus, UnitReport
    from reports.services import report_get_or_create

    call_command("migrate", "--noinput", verbosity=0)
    call_command("seed_demo", "--i-know-this-is-not-production", verbosity=0)  # a throwaway database
    campaign = Campaign.objects.get(code="1908-UBND-KSTT")
    missing = officers - campaign.participants().count()
    if missing > 0:  # units of the campaign's own, as a campaign file would add them
        extra = [
            Unit.objects.get_or_create(
                code=f"thu-tai-{number:03}",
                defaults={"name": f"Đơn vị thử tải {number:03}", "kind": UnitKind.ORGANISATION},
            )[0]
            for number in range(1, missing + 1)
        ]
        campaign_set_participants(campaign=campaign, units=[*campaign.participants(), *extra])
    people = []
    for unit in list(campaign.participants())[:officers]:
        profile = Profile.objects.filter(role=Role.OFFICER, unit=unit).select_related("user").first()
        if profile is None:
            user = User.objects.create_user(f"cb.{unit.code}", password=DEMO_PASSWORD, first_name=unit.name)
            profile = Profile.objects.create(user=user, role=Role.OFFICER, unit=unit)
        report = report_get_or_create(campaign=campaign, unit=unit, by=profile.user)
        UnitReport.objects.filter(pk=report.pk).update(status=ReportStatus.DRAFT)
        people.append((profile.user.username, unit.code, report.pk))
    return campaign, people, DEMO_PASSWORD


# --- the server -----------------------------------------------------------------------------
def server_env(database_url, static_root):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="emulation.settings",
        DJANGO_DEBUG="0",
        SECRET_KEY="load-test-only-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        DATABASE_CONN_MAX_AGE="60",
        STATIC_ROOT=static_root,
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        AXES_ENABLED="0",
        LOG_LEVEL="ERROR",
    )
    return env


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env, port, workers, threads):
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "emulation.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited while starting")
        try:
            if Browser(port).get("/login/")[0] == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def server_cpu_seconds(master_pid):
    """CPU time (user + system) used so far by gunicorn's master and workers."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, parent = int(stat.parent.name), int(fields[1])
        if master_pid in (pid, parent):
            total += int(fields[11]) + int(fields[12])
    return total / ticks


# --- one officer's browser ------------------------------------------------------------------
class FormFields(HTMLParser):
    """The fields a browser would send for the form with `form_id` (plus any CSRF token)."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.fields = []
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or (not attrs.get("name") and tag != "option"):
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append([attrs["name"], attrs.get("value", "on" if kind == "checkbox" else "")])
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]
            self.fields.append(self._textarea)
        elif tag == "select":
            self._select = [attrs["name"], None]
            self.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            if self._select[1] is None or "selected" in attrs:
                self._select[1] = attrs.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


class Browser:
    """Cookies and plain HTTP/1.1 requests on loopback, one connection per request."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": "127.0.0.1", "User-Agent": "thidua-load/1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode("utf-8", errors="replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, response.headers.get("Location", ""), content
        finally:
            connection.close()

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, fields):
        return self.request("POST", path, urlencode(fields, doseq=False))


def csrf_of(html):
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1)


def vn(number):
    return f"{number:,}".replace(",", ".")


class Officer(threading.Thread):
    def __init__(self, port, username, password, unit_code, report_pk, start, stop_at, think, results):
        super().__init__(daemon=True)
        self.browser = Browser(port)
        self.username, self.password = username, password
        self.unit_code, self.report_pk = unit_code, report_pk
        self.start_barrier, self.stop_at, self.think = start, stop_at, think
        self.results = results
        self.saves = 0
        self.last_saved = None
        self.failure = None

    def timed(self, kind, call, expect):
        began = time.perf_counter()
        try:
            status, location, html = call()
        except Exception as error:  # a refused or dropped connection is an error, not a crash
            self.results.append((kind, (time.perf_counter() - began) * 1000, f"{type(error).__name__}: {error}"))
            return None
        elapsed = (time.perf_counter() - began) * 1000
        problem = None if status == expect else f"HTTP {status} {location}"
        self.results.append((kind, elapsed, problem))
        return (status, location, html) if problem is None else None

    def sign_in(self):
        _status, _location, html = self.browser.get("/login/")
        status, _location, _html = self.browser.post(
            "/login/", {"csrfmiddlewaretoken": csrf_of(html), "username": self.username, "password": self.password}
        )
        if status != 302:
            raise RuntimeError(f"{self.username} could not sign in (HTTP {status})")
        _status, _location, html = self.browser.get("/my-unit/")
        status, location, _html = self.browser.post(
            "/my-unit/1908-UBND-KSTT/start/", {"csrfmiddlewaretoken": csrf_of(html)}
        )
        if status != 302 or location != f"/reports/{self.report_pk}/edit/":
            raise RuntimeError(f"{self.username}: opening the report gave HTTP {status} {location}")
        status, _location, _html = self.browser.get(location)  # the form once, before the clock starts
        if status != 200:
            raise RuntimeError(f"{self.username}: the report form gave HTTP {status}")

    def run(self):
        try:
            self.sign_in()
        except Exception as error:
            self.failure = str(error)
        self.start_barrier.wait()
        if self.failure:
            return
        edit = f"/reports/{self.report_pk}/edit/"
        # People do not all click at the same instant: start somewhere in the first pause.
        time.sleep(random.uniform(0, self.think))
        while time.time() < self.stop_at[0]:
            opened = self.timed("open", lambda: self.browser.get(edit), 200)
            if opened is None:
                time.sleep(self.think)
                continue
            parser = FormFields("report-form")
            parser.feed(opened[2])
            fields = dict(parser.fields)
            # A correction, as an officer makes one: within a fifth of the figure already there,
            # so the unusual-figure check (5 × the value last saved) does not ask to confirm.
            chosen = {code: corrected(fields[f"v_{code}"]) for code in EDITED if f"v_{code}" in fields}
            for code, number in chosen.items():
                fields[f"v_{code}"] = vn(number)
            fields["action"] = "save"
            saved = self.timed("save", lambda fields=fields: self.browser.post(edit, fields), 302)
            if saved is not None and saved[1].startswith(edit):
                self.saves += 1
                self.last_saved = chosen
            elif saved is not None:
                self.results.append(("save", 0.0, f"saved but sent to {saved[1]}"))
            time.sleep(self.think * random.uniform(0.5, 1.5))


def corrected(shown):
    """A new figure near the one the form shows ("1.234" → 1.180 … 1.300; empty → 10 … 1.000)."""
    digits = str(shown).replace(".", "").strip()
    if not digits.isdigit():
        return random.randint(10, 1000)
    current = int(digits)
    new = max(1, current + random.randint(-(current // 5), current // 5 + 1))
    return new if new != current else current + 1  # every save changes something


# --- the run --------------------------------------------------------------------------------
def percentile(values, share):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def report_figures(results, seconds):
    headers = ("requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms")
    print(f"\n{'kind':6} {headers[0]:>9} {headers[1]:>7} {headers[2]:>7} " + " ".join(f"{h:>8}" for h in headers[3:]))
    for kind in ("open", "save", "all"):
        rows = [row for row in results if kind == "all" or row[0] == kind]
        times = [row[1] for row in rows if row[2] is None]
        errors = [row for row in rows if row[2] is not None]
        print(
            f"{kind:6} {len(rows):9} {len(errors):7} {len(rows) / seconds:7.1f} {percentile(times, 0.50):8.0f} "
            f"{percentile(times, 0.95):8.0f} {percentile(times, 0.99):8.0f} {max(times, default=0):8.0f}"
        )
    every = [row[1] for row in results if row[2] is None]
    errors = [row for row in results if row[2] is not None]
    for kind, _elapsed, problem in errors[:10]:
        print(f"  error ({kind}): {problem}")
    return len(errors), percentile(every, 0.95)


def verify(officers, versions_before):
    """Officers whose last saved figures are not in the database, or whose report version
    does not count every save."""
    from decimal import Decimal

    from reports.models import MeasureValue, UnitReport

    lost = []
    for officer in officers:
        if officer.last_saved is None:
            continue
        stored = dict(
            MeasureValue.objects.filter(report_id=officer.report_pk, measure__code__in=EDITED).values_list(
                "measure__code", "value"
            )
        )
        for code, number in officer.last_saved.items():
            if stored.get(code) != Decimal(number):
                lost.append(f"{officer.username}: {code} saved {number}, database has {stored.get(code)}")
        version = UnitReport.objects.get(pk=officer.report_pk).version
        if version != versions_before[officer.report_pk] + officer.saves:
            lost.append(
                f"{officer.username}: {officer.saves} saves but version went "
                f"{versions_before[officer.report_pk]} → {version}"
            )
    return lost


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--officers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=5.0, help="mean pause between saves, seconds")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-url", default=os.environ.get("LOAD_DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    options = parser.parse_args()

    os.environ["DJANGO_SETTINGS_MODULE"] = "emulation.settings"
    os.environ["DATABASE_URL"] = options.database_url
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    print(f"Database {options.database_url}: recreating, migrating, loading the demo…", flush=True)
    recreate_database(options.database_url)
    _campaign, people, password = prepare(options.officers)

    from reports.models import UnitReport

    versions_before = dict(UnitReport.objects.filter(pk__in=[pk for *_, pk in people]).values_list("pk", "version"))
    from django.db import connections

    connections.close_all()

    port = free_port()
    with tempfile.TemporaryDirectory() as static_root:
        env = server_env(options.database_url, static_root)
        print(f"gunicorn: {options.workers} workers × {options.threads} threads (gthread) on 127.0.0.1:{port}")
        server = start_gunicorn(env, port, options.workers, options.threads)
        try:
            results = []
            stop_at = [0.0]
            # Released once everyone has signed in and opened the report; the clock starts then.
            start = threading.Barrier(
                len(people) + 1, action=lambda: stop_at.__setitem__(0, time.time() + options.seconds)
            )
            officers = [
                Officer(port, username, password, code, pk, start, stop_at, options.think, results)
                for username, code, pk in people
            ]
            print(f"{len(officers)} officers signing in…", flush=True)
            for officer in officers:
                officer.start()
            start.wait()
            began = time.time()
            cpu_before, load_before = server_cpu_seconds(server.pid), os.getloadavg()[0]
            print(f"editing for {options.seconds:.0f} s (think time {options.think} s ±50 %)…", flush=True)
            for officer in officers:
                officer.join(options.seconds + 60)
            elapsed = time.time() - began
            cpu_used, load_after = server_cpu_seconds(server.pid) - cpu_before, os.getloadavg()[0]
        finally:
            server.terminate()
            server.wait(timeout=30)

    failed = [f"{officer.username}: {officer.failure}" for officer in officers if officer.failure]
    errors, p95 = report_figures(results, elapsed)
    lost = verify(officers, versions_before)
    saves = sum(officer.saves for officer in officers)
    print(f"\nofficers: {len(officers)} ({len(failed)} could not start), saves: {saves}, elapsed {elapsed:.1f} s")
    cores = os.cpu_count() or 1
    per_request = cpu_used / max(len(results), 1) * 1000
    print(
        f"server CPU: {cpu_used:.1f} s for {len(results)} requests = {per_request:.0f} ms a request; "
        f"{cores} cores serve at most ~{cores * 1000 / max(per_request, 1):.0f} requests/s. "
        f"Load average {load_before:.1f} → {load_after:.1f} (other work on the machine slows every figure)."
    )
    for line in failed[:10] + lost[:10]:
        print(f"  {line}")
    print(f"lost values: {len(lost)}")
    ok = not failed and errors == 0 and p95 < GOAL_P95_MS and not lost
    print(
        f"goals (0 errors, p95 < {GOAL_P95_MS} ms, 0 lost values): {'MET' if ok else 'MISSED'}"
        f" — errors {errors}, p95 {p95:.0f} ms, lost {len(lost)}"
    )
    if not options.keep:
        connections.close_all()
        recreate_database(options.database_url, create=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
