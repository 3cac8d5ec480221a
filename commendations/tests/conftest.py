"""Fixtures the commendation tests share with the reports tests: `demo`, campaign 1908 with
the demo's accounts and reports."""

from reports.tests.conftest import demo  # noqa: F401 - a fixture
