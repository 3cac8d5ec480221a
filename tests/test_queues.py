"""Job queues: which queue each task goes to, that the workers everyone starts (make run, the
README's production processes, the integration tests) consume them with the summary's first,
and the broker options that make them take from the first queue that has a message. The embedded
broker's order is tested with the broker (tests/test_broker.py); the integration test on Redis
proves it with a real worker (tests/integration/test_celery_worker.py)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from emulation.celery import app
from reports import tasks
from tests.integration import test_celery_worker

ROOT = Path(__file__).resolve().parent.parent
QUEUES = ["summary", "prints", "background"]
ROUTES = {
    tasks.compile_summary: "summary",
    tasks.render_summary_part: "summary",
    tasks.merge_summary: "summary",
    tasks.render_report_print: "prints",
    tasks.render_annex_ahead: "background",
    tasks.sweep_stale_jobs: "background",
    tasks.send_deadline_reminders: "background",
}


def test_the_queues_are_declared_most_urgent_first():
    assert [queue.name for queue in settings.CELERY_TASK_QUEUES] == QUEUES
    assert list(app.amqp.queues) == QUEUES  # a worker without -Q consumes all three, in this order


@pytest.mark.parametrize(("task", "queue"), list(ROUTES.items()), ids=lambda item: getattr(item, "name", item))
def test_each_task_goes_to_its_queue(task, queue):
    assert app.amqp.router.route({}, task.name)["queue"].name == queue


def test_every_task_of_the_portal_has_a_route():
    ours = {name for name in app.tasks if name.startswith(("reports.", "campaigns."))}
    assert ours == {task.name for task in ROUTES}


def test_redis_workers_take_from_their_queues_in_order():
    """The settings as production reads them (CELERY_BROKER_URL=redis://…), in a process of their own."""
    code = "from emulation import settings; print(json.dumps(settings.CELERY_BROKER_TRANSPORT_OPTIONS))"
    env = {**os.environ, "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"}
    output = subprocess.run([sys.executable, "-c", f"import json; {code}"], env=env, cwd=ROOT, capture_output=True)
    options = json.loads(output.stdout)
    assert options["queue_order_strategy"] == "priority"
    assert options["visibility_timeout"] >= settings.CELERY_TASK_TIME_LIMIT


def _worker_lines(text):
    """The `celery … worker …` command lines of a Makefile or a README (continuations joined)."""
    commands = re.split(r"\n|;|\s&\s", text.replace("\\\n", " "))
    return [" ".join(line.split()) for line in commands if re.search(r"celery\S* -A emulation worker", line)]


@pytest.mark.parametrize("path", ["Makefile", "README.md"])
def test_make_run_and_the_readme_start_a_worker_for_every_queue_and_one_for_the_summary(path):
    lines = _worker_lines((ROOT / path).read_text(encoding="utf-8"))
    assert len(lines) == 2, lines
    every, summary = lines
    assert "-Q summary,prints,background " in every and "--concurrency=2" in every
    assert "-Q summary " in summary and "--concurrency=1" in summary
    names = [re.search(r"-n (\S+)", line)[1] for line in lines]
    assert len(set(names)) == 2 and all(name.endswith("@%h") for name in names)  # two nodes on one machine
    assert ("-B" in every.split()) == (path == "Makefile")  # beat runs once (its own process in production)


def test_the_integration_tests_start_the_same_workers():
    every, summary = test_celery_worker.WORKERS
    assert every[:2] == ["-Q", "summary,prints,background"] and "--concurrency=2" in every
    assert summary[:2] == ["-Q", "summary"] and "--concurrency=1" in summary
