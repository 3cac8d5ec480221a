"""The error pages speak Vietnamese and stand alone: the 500 page gives a reference code and
never the exception, recorded and logged under that reference (emulation.views.server_error);
the 400, 403 and 404 pages say what happened and nothing of the request. None needs the
request's context processors (the user, the database)."""

import logging
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.template import loader
from django.test import Client, RequestFactory
from django.urls import reverse

from emulation import views as error_views
from reports import dashboards
from reports.models import ErrorRecord

REFERENCE = re.compile(r"Mã tham chiếu: <strong[^>]*>(E-\d{8}-[0-9A-F]{6})</strong>")


def failing(*args, **kwargs):
    raise RuntimeError("secret path /etc/x")


@pytest.fixture
def broken_dashboard(monkeypatch):
    monkeypatch.setattr(dashboards, "reviewer_dashboard", failing)


def reviewer_client(reviewer):
    client = Client(raise_request_exception=False)
    client.force_login(reviewer)
    return client


def test_a_failing_page_answers_500_with_a_reference_and_no_traceback(broken_dashboard, reviewer, campaign, settings):
    settings.DEBUG = False
    response = reviewer_client(reviewer).get(reverse("reports:dashboard", args=[campaign.code]))
    assert response.status_code == 500
    page = response.content.decode()
    assert '<html lang="vi">' in page and "Đã xảy ra lỗi hệ thống" in page
    reference = REFERENCE.search(page).group(1)
    for detail in ("secret path", "/etc/x", "RuntimeError", "Traceback", "reviewer_dashboard"):
        assert detail not in page
    record = ErrorRecord.objects.get(reference=reference)
    assert record.where == f"GET /dashboard/{campaign.code}/"
    assert record.user == reviewer
    assert (record.exception_type, record.message) == ("builtins.RuntimeError", "secret path /etc/x")
    assert "in failing" in record.traceback


def test_the_500_is_logged_under_its_reference(broken_dashboard, reviewer, campaign, caplog):
    with caplog.at_level(logging.ERROR, logger="reports.errors"):
        page = reviewer_client(reviewer).get(reverse("reports:dashboard", args=[campaign.code])).content.decode()
    reference = REFERENCE.search(page).group(1)
    logged = [record for record in caplog.records if reference in record.getMessage()]
    assert logged and logged[0].exc_info[0] is RuntimeError


def test_the_500_page_still_gives_a_reference_when_the_record_cannot_be_written(
    broken_dashboard, reviewer, campaign, monkeypatch
):
    def database_down(**fields):
        raise DatabaseError("the database is down")

    monkeypatch.setattr(ErrorRecord.objects, "create", database_down)
    response = reviewer_client(reviewer).get(reverse("reports:dashboard", args=[campaign.code]))
    assert response.status_code == 500
    assert REFERENCE.search(response.content.decode())
    assert not ErrorRecord.objects.exists()


def test_the_500_page_gives_a_reference_when_its_template_fails(broken_dashboard, reviewer, campaign, monkeypatch):
    def no_template(name, *args, **kwargs):
        raise OSError("the template folder is gone")

    monkeypatch.setattr(error_views.loader, "get_template", no_template)
    response = reviewer_client(reviewer).get(reverse("reports:dashboard", args=[campaign.code]))
    assert response.status_code == 500
    page = response.content.decode()
    reference = re.search(r"Mã tham chiếu: <strong>(E-\d{8}-[0-9A-F]{6})</strong>", page).group(1)
    assert ErrorRecord.objects.filter(reference=reference).exists()
    assert "secret path" not in page and "the template folder" not in page


def test_the_500_page_speaks_english_to_who_chose_it(broken_dashboard, reviewer, campaign):
    client = reviewer_client(reviewer)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("reports:dashboard", args=[campaign.code])).content.decode()
    assert "Reference code" in page and "Đã xảy ra lỗi hệ thống" not in page


def test_a_page_that_does_not_exist_is_a_vietnamese_404(client_for, officer_a):
    response = client_for(officer_a).get("/reports/987654/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Không tìm thấy trang" in page and '<html lang="vi">' in page
    assert "987654" not in page  # nothing of the request is repeated


def test_a_post_without_its_csrf_token_gets_a_vietnamese_403(db):
    response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn" in response.content.decode()


def test_a_request_for_another_host_gets_a_vietnamese_400(db, settings):
    settings.ALLOWED_HOSTS = ["thidua.example.vn"]
    response = Client(raise_request_exception=False).get("/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()


def test_a_permission_refused_gets_a_vietnamese_403():
    """No `db` fixture: the page is made without the database."""
    response = error_views.permission_denied(RequestFactory().get("/"), PermissionDenied("chi tiết"))
    page = response.content.decode()
    assert response.status_code == 403 and "Không được phép" in page and "chi tiết" not in page


@pytest.mark.parametrize("name", ["400.html", "403.html", "403_csrf.html", "404.html", "413.html", "500.html"])
def test_error_pages_render_without_the_database_or_a_request(name):
    """No `db` fixture: any query would fail the test."""
    page = loader.render_to_string(name, {"reference": "E-20261201-7F3A9C", "limit": "6 MB"})
    assert '<html lang="vi">' in page and 'href="/"' in page
