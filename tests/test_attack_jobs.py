"""Attacks on the job queue, against the real views: compiles asked for at the same moment
by several reviewers get no 500, one summary each, with consecutive numbers.

The simultaneous requests run in threads, each with its own test client and its own database
connection, released together by a barrier. On PostgreSQL they share the test database. On
SQLite the test database is in memory with a shared cache, where a lock that is taken is
refused at once ("database table is locked") instead of waited for, unlike the SQLite file
the portal runs on: `database_for_threads` copies the test's data into a file and points every
connection of the test at it, so the threads meet the file's locks (and its busy timeout).
"""

import sqlite3
import threading
from contextlib import contextmanager

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from campaigns.models import Role, Unit
from conftest import make_user
from reports import tasks
from reports.models import Summary


@pytest.fixture
def queued(monkeypatch):
    """The tasks the requests queue (print and summary ids), instead of running them."""
    calls = {"print": [], "summary": []}
    monkeypatch.setattr(tasks.render_report_print, "delay", lambda pk: calls["print"].append(pk))
    monkeypatch.setattr(tasks.compile_summary, "delay", lambda pk: calls["summary"].append(pk))
    return calls


# --- at the same moment ---------------------------------------------------------------------
@pytest.fixture
def database_for_threads(transactional_db, tmp_path):
    """A context in which every connection, the test's own and each thread's, uses a database
    that locks as the portal's does (see the module's docstring)."""

    @contextmanager
    def use():
        if connection.vendor != "sqlite":
            yield
            return
        path = tmp_path / "threads.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        target.close()
        settings_dict = connections.settings["default"]
        memory_name, memory = settings_dict["NAME"], connections["default"]
        settings_dict["NAME"] = str(path)
        connections["default"] = file_connection = connections.create_connection("default")
        try:
            yield
        finally:
            file_connection.close()
            connections["default"] = memory
            settings_dict["NAME"] = memory_name

    return use


def at_once(requests):
    """Run the callables together in threads released by one barrier; their results, in order
    (an exception is returned, not raised)."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def run(index, request):
        try:
            barrier.wait(timeout=30)
            results[index] = request()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            results[index] = exc
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=item) for item in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def signed_in(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize("count", [2, 6])
def test_simultaneous_compiles_get_consecutive_numbers(database_for_threads, campaign, queued, count):
    home_affairs = Unit.objects.get(code="so-noi-vu")
    reviewers = [make_user(f"reviewer{n}", Role.REVIEWER, home_affairs) for n in range(count)]
    url = reverse("reports:summary_compile", args=[campaign.code])
    with database_for_threads():
        clients = [signed_in(user) for user in reviewers]
        responses = at_once([lambda client=client: client.post(url, {"document_date": ""}) for client in clients])
        assert [getattr(response, "status_code", response) for response in responses] == [302] * count
        summaries = list(Summary.objects.order_by("number"))
        assert [summary.number for summary in summaries] == list(range(1, count + 1))
        assert {summary.requested_by for summary in summaries} == set(reviewers)
        assert sorted(queued["summary"]) == sorted(summary.pk for summary in summaries)
