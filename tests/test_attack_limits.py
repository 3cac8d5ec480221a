"""The attack matrix, grown: what an attacker sends that is too big, text that would run in
a reviewer's spreadsheet, and errors that would show the portal's insides. Swept over every
named route of the portal (tests/urls_catalogue.py, in the world of tests/test_attack_matrix.py)
and every kind of visitor:

- every XLSX any route serves holds no formula and no text that starts like one, although
  unit A's notes and its officer's name start with each of =, +, -, @, tab and CR;
- a body over the visitor's limit is answered 413 on every route, before a byte of it is read
  (the CSRF check is on, so anything reading request.POST first would read it);
- a page that fails gives every visitor a reference code, never the exception; a failed
  summary shows its readers a reference and its outsiders nothing.
"""

import io
import re

import pytest
from django.conf import settings as project_settings
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from campaigns import views as campaign_views
from reports import summary as summary_package
from reports.excel import XLSX_CONTENT_TYPE
from reports.models import ErrorRecord, MeasureValue, Summary
from reports.summary import summary_create
from reports.tasks import compile_summary
from reports.text import FORMULA_STARTS
from tests import test_attack_matrix as matrix
from tests.test_attack_matrix import PK, body_of

# The matrix's world: unit A's report (pk PK) with evidence, a print and a summary, unit B's.
world, report_status = matrix.world, matrix.report_status

ACTORS = ["anonymous", "stranger", "officer_a", "officer_b", "reviewer", "leader", "admin"]
SIGNED_IN = ACTORS[1:]
DANGEROUS = ["=1+1", "+1+1", "-1+1", "@SUM(1)", "\t=1+1", "\r=1+1"]
REFERENCE = re.compile(r"E-\d{8}-[0-9A-F]{6}")
SECRET = "secret path /etc/x"


class Body:
    """A request body of `size` bytes that counts what is read of it."""

    def __init__(self, size):
        self.size, self.read_bytes = size, 0

    def read(self, size=-1):
        size = self.size - self.read_bytes if size is None or size < 0 else min(size, self.size - self.read_bytes)
        self.read_bytes += size
        return b"x" * size

    readline = read


def client_of(world, actor, **options):
    client = Client(**options)
    user = world["actors"][actor]
    if user is not None:
        client.force_login(user)
    return client


# --- formulas in downloads ----------------------------------------------------------------


@pytest.fixture
def dangerous_world(world, officer_a):
    """Unit A's notes and its officer's name start the way formulas do."""
    values = list(MeasureValue.objects.filter(report=world["report_a"]).order_by("measure__code"))
    for value, text in zip(values, DANGEROUS, strict=False):
        value.note = text
        value.save(update_fields=["note"])
    officer_a.first_name, officer_a.last_name = "", '=HYPERLINK("http://x.example","A")'
    officer_a.save()
    return world


@pytest.mark.parametrize("actor", ["reviewer", "leader", "officer_a", "admin"])
def test_no_spreadsheet_the_portal_serves_holds_a_formula(dangerous_world, actor):
    client = client_of(dangerous_world, actor)
    served, texts = [], set()
    for name, path in dangerous_world["urls"]:
        response = client.get(path)
        response.close()  # file downloads hold their file open
        if response.get("Content-Type") != XLSX_CONTENT_TYPE:
            continue
        served.append(name)
        workbook = load_workbook(io.BytesIO(response.content))
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{name} {sheet.title}!{cell.coordinate}: formula {cell.value!r}"
                    if isinstance(cell.value, str):
                        assert not cell.value.startswith(FORMULA_STARTS), f"{name} {cell.coordinate}: {cell.value!r}"
                        texts.add(cell.value)
    assert "reports:report_xlsx" in served
    assert actor == "officer_a" or "reports:dashboard_xlsx" in served
    assert {"'=1+1", "'+1+1", "'-1+1", "'@SUM(1)", "'\t=1+1", "'\n=1+1"} <= texts  # unit A's notes
    assert actor == "officer_a" or '\'=HYPERLINK("http://x.example","A")' in texts  # its contact


# --- 413 before the body is read ------------------------------------------------------------


def limit_for(actor):
    if actor == "anonymous":
        return project_settings.REQUEST_MAX_BYTES_ANONYMOUS
    return project_settings.REQUEST_MAX_BYTES_UPLOAD  # the largest of any route


@pytest.mark.parametrize("actor", ACTORS)
def test_a_body_over_the_limit_is_refused_unread_on_every_route(world, actor):
    client = client_of(world, actor, enforce_csrf_checks=True)
    problems = []
    for name, path in world["urls"]:
        body = Body(limit_for(actor) + 1)
        response = client.generic(
            "POST",
            path,
            **{"wsgi.input": body, "CONTENT_LENGTH": str(body.size), "CONTENT_TYPE": "multipart/form-data; boundary=x"},
        )
        if response.status_code != 413:
            problems.append(f"{name}: {response.status_code}, expected 413")
        elif "Tệp hoặc dữ liệu gửi lên quá lớn" not in body_of(response):
            problems.append(f"{name}: the 413 page does not say why")
        if body.read_bytes:
            problems.append(f"{name}: {body.read_bytes} bytes of the body were read")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("actor", ["officer_a", "reviewer"])
def test_a_signed_in_body_over_the_default_limit_is_refused_unread_outside_the_upload_routes(world, actor):
    client = client_of(world, actor, enforce_csrf_checks=True)
    problems = []
    for name, path in world["urls"]:
        if name in project_settings.REQUEST_UPLOAD_ROUTES:
            continue
        body = Body(project_settings.REQUEST_MAX_BYTES + 1)
        response = client.generic("POST", path, **{"wsgi.input": body, "CONTENT_LENGTH": str(body.size)})
        if response.status_code != 413 or body.read_bytes:
            problems.append(f"{name}: {response.status_code}, {body.read_bytes} bytes read")
    assert not problems, "\n".join(problems)


# --- errors as references -------------------------------------------------------------------


def failing(*args, **kwargs):
    raise RuntimeError(SECRET)


@pytest.mark.parametrize("actor", ACTORS)
def test_a_failing_page_gives_a_reference_and_never_the_exception(world, actor, monkeypatch, settings):
    settings.DEBUG = False
    monkeypatch.setattr(campaign_views, "is_officer", failing)  # the home page
    monkeypatch.setattr(campaign_views.PortalLoginView, "get", failing)  # the login page
    path = reverse("login") if actor == "anonymous" else reverse("home")
    response = client_of(world, actor, raise_request_exception=False).get(path)
    assert response.status_code == 500
    page = body_of(response)
    reference = REFERENCE.search(page).group()
    assert "Mã tham chiếu" in page
    for detail in (SECRET, "RuntimeError", "Traceback", "failing"):
        assert detail not in page, detail
    record = ErrorRecord.objects.get(reference=reference)
    assert record.message == SECRET and "in failing" in record.traceback
    assert record.user == world["actors"][actor]


@pytest.fixture
def failed_summary(world, campaign, reviewer, monkeypatch):
    monkeypatch.setattr(summary_package, "summary_compile", failing)
    summary = summary_create(campaign=campaign, by=reviewer)
    compile_summary.delay(summary.pk)
    summary.refresh_from_db()
    assert summary.pk != PK
    return summary


@pytest.mark.parametrize("actor", SIGNED_IN)
def test_a_failed_summary_shows_its_readers_a_reference_and_nobody_the_exception(world, failed_summary, actor):
    client = client_of(world, actor)
    reference = ErrorRecord.objects.get().reference
    readers = {"reviewer", "leader", "admin"}
    pages = [
        reverse("reports:summary_detail", args=[failed_summary.pk]),
        reverse("reports:summary_status", args=[failed_summary.pk]),
        reverse("reports:summary_list", args=[failed_summary.campaign.code]),
    ]
    for path in pages:
        response = client.get(path)
        page = body_of(response)
        assert SECRET not in page and "RuntimeError" not in page, path
        if actor in readers and path != pages[2]:
            assert response.status_code == 200 and reference in page, path
        elif actor not in readers:
            assert response.status_code == 404 and reference not in page, path
    assert Summary.objects.get(pk=failed_summary.pk).error.count(reference) == 1
