"""Request bodies bounded before they are read (emulation.request_limits): a body larger than
its route allows is answered 413 with a Vietnamese page, from its Content-Length alone without
reading a byte, or, sent chunked, after reading about the limit; bodies within the limits are
read as before."""

from urllib.parse import urlencode

import pytest
from django.conf import settings as project_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import resolve, reverse

from conftest import PASSWORD
from emulation.request_limits import CHUNK_BYTES, request_limit
from reports.models import Evidence
from reports.services import report_get_or_create

KB, MB = 1024, 1024 * 1024
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class Body:
    """A request body of `size` bytes that counts what is read of it: `content` first, then
    filler."""

    def __init__(self, size, content=b""):
        self.size, self.content, self.read_bytes = size, content, 0

    def read(self, size=-1):
        size = self.size - self.read_bytes if size is None or size < 0 else min(size, self.size - self.read_bytes)
        start, self.read_bytes = self.read_bytes, self.read_bytes + size
        head = self.content[start : start + size]
        return head + b"x" * (size - len(head))

    def readline(self, size=-1):
        rest = self.content[self.read_bytes :]
        if b"\n" in rest:
            size = min(rest.index(b"\n") + 1, size if size is not None and size >= 0 else len(rest))
        return self.read(size)


def send(client, path, body, *, chunked=False, content_type="application/x-www-form-urlencoded", **extra):
    """POST `body` to `path`: with its Content-Length, or chunked as gunicorn passes it on."""
    environ = {"wsgi.input": body, "CONTENT_TYPE": content_type, **extra}
    if chunked:
        environ.update({"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True})
    else:
        environ["CONTENT_LENGTH"] = str(body.size)
    return client.generic("POST", path, **environ)


@pytest.fixture
def report(campaign, unit_a, officer_a):
    return report_get_or_create(campaign=campaign, unit=unit_a, by=officer_a)


def evidence_form(size):
    """A multipart evidence upload the form accepts: a real PDF of `size` bytes."""
    pdf = SimpleUploadedFile("minh-chung.pdf", PDF + b"%" * (size - len(PDF)), content_type="application/pdf")
    return encode_multipart(BOUNDARY, {"file": pdf, "description": "biên bản"})


# --- refused from Content-Length, unread --------------------------------------------------


def test_an_anonymous_post_of_1_mb_to_the_login_page_is_refused_unread(db):
    body = Body(1 * MB)
    response = send(Client(enforce_csrf_checks=True), reverse("login"), body)
    assert response.status_code == 413
    text = response.content.decode()
    assert "Tệp hoặc dữ liệu gửi lên quá lớn (tối đa 64\u00a0KB)" in text
    assert '<html lang="vi">' in text
    assert body.read_bytes == 0


def test_a_signed_in_post_over_the_default_limit_is_refused_unread(client_for, officer_a, report):
    body = Body(7 * MB)
    response = send(client_for(officer_a), reverse("reports:report_edit", args=[report.pk]), body)
    assert response.status_code == 413
    assert "tối đa 6\u00a0MB" in response.content.decode()
    assert body.read_bytes == 0


def test_an_officers_evidence_upload_over_the_limit_is_refused_and_nothing_saved(
    client_for, officer_a, report, settings
):
    settings.REQUEST_MAX_BYTES_UPLOAD = 100 * KB  # the form itself would take this 200 KB PDF
    content = evidence_form(200 * KB)
    body = Body(len(content), content)
    path = reverse("reports:evidence_upload", args=[report.pk])
    response = send(client_for(officer_a), path, body, content_type=MULTIPART_CONTENT)
    assert response.status_code == 413
    assert "Tệp hoặc dữ liệu gửi lên quá lớn (tối đa 100\u00a0KB)" in response.content.decode()
    assert body.read_bytes == 0
    assert not Evidence.objects.exists()
    assert not any(path.is_file() for path in settings.MEDIA_ROOT.rglob("*"))


def test_the_same_upload_within_the_limit_is_saved(client_for, officer_a, report, settings):
    content = evidence_form(200 * KB)
    body = Body(len(content), content)
    path = reverse("reports:evidence_upload", args=[report.pk])
    response = send(client_for(officer_a), path, body, content_type=MULTIPART_CONTENT)
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.original_name, evidence.size) == ("minh-chung.pdf", 200 * KB)
    assert body.read_bytes == len(content)


def test_an_evidence_upload_of_the_largest_file_allowed_passes_the_limit(client_for, officer_a, report, settings):
    """The upload limit leaves room for the form around a file of EVIDENCE_MAX_BYTES."""
    settings.EVIDENCE_MAX_BYTES = 1 * MB
    settings.REQUEST_MAX_BYTES_UPLOAD = settings.EVIDENCE_MAX_BYTES + 256 * KB
    response = client_for(officer_a).post(
        reverse("reports:evidence_upload", args=[report.pk]),
        {"file": SimpleUploadedFile("lon.pdf", PDF + b"%" * (1 * MB - len(PDF))), "description": "x" * 255},
    )
    assert response.status_code == 302
    assert Evidence.objects.get().size == 1 * MB


def test_htmx_is_given_the_message_to_show_above_the_evidence_form(client_for, officer_a, report, settings):
    settings.REQUEST_MAX_BYTES_UPLOAD = 100 * KB
    body = Body(200 * KB)
    path = reverse("reports:evidence_upload", args=[report.pk])
    response = send(client_for(officer_a), path, body, content_type=MULTIPART_CONTENT, HTTP_HX_REQUEST="true")
    assert response.status_code == 413 and response["HX-Reswap"] == "afterbegin"
    text = response.content.decode()
    assert text.startswith('<div class="alert alert-danger" role="alert">') and "tối đa 100\u00a0KB" in text
    assert body.read_bytes == 0


def test_the_page_offers_the_way_back_only_to_a_page_of_the_portal(client_for, officer_a, report):
    client = client_for(officer_a)
    path = reverse("reports:report_edit", args=[report.pk])
    back = send(client, path, Body(7 * MB), HTTP_REFERER=f"http://testserver{path}")
    assert f'href="http://testserver{path}"' in back.content.decode()
    elsewhere = send(client, path, Body(7 * MB), HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in elsewhere.content.decode() and "Quay lại trang trước" not in elsewhere.content.decode()


# --- chunked bodies -----------------------------------------------------------------------


def test_a_chunked_body_over_the_limit_is_refused_after_about_the_limit(db):
    body = Body(300 * MB)
    response = send(Client(), reverse("login"), body, chunked=True)
    assert response.status_code == 413
    assert "tối đa 64\u00a0KB" in response.content.decode()
    assert 64 * KB < body.read_bytes <= 64 * KB + CHUNK_BYTES


def test_a_chunked_body_within_the_limit_is_read_as_usual(client, officer_a):
    form = urlencode({"username": officer_a.username, "password": PASSWORD}).encode()
    response = send(client, reverse("login"), Body(len(form), form), chunked=True)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(officer_a.pk)


def test_a_chunked_upload_over_the_upload_limit_saves_nothing(client_for, officer_a, report, settings):
    settings.REQUEST_MAX_BYTES_UPLOAD = 100 * KB
    content = evidence_form(200 * KB)
    body = Body(len(content), content)
    path = reverse("reports:evidence_upload", args=[report.pk])
    response = send(client_for(officer_a), path, body, chunked=True, content_type=MULTIPART_CONTENT)
    assert response.status_code == 413
    assert body.read_bytes <= 100 * KB + CHUNK_BYTES
    assert not Evidence.objects.exists()


# --- which limit ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who,route,limit",
    [
        ("anonymous", "login", "REQUEST_MAX_BYTES_ANONYMOUS"),
        ("anonymous", "reports:evidence_upload", "REQUEST_MAX_BYTES_ANONYMOUS"),
        ("officer", "reports:report_edit", "REQUEST_MAX_BYTES"),
        ("officer", "reports:evidence_upload", "REQUEST_MAX_BYTES_UPLOAD"),
        ("officer", "reports:report_xlsx_upload", "REQUEST_MAX_BYTES_UPLOAD"),
        ("admin", "admin:reports_evidence_add", "REQUEST_MAX_BYTES_UPLOAD"),
        ("admin", "admin:reports_evidence_change", "REQUEST_MAX_BYTES_UPLOAD"),
    ],
)
def test_each_route_gets_its_limit(officer_a, who, route, limit):
    from django.contrib.auth.models import AnonymousUser, User

    users = {
        "anonymous": AnonymousUser(),
        "officer": officer_a,
        "admin": User.objects.create_superuser("root", "root@example.vn", "x"),
    }
    args = [] if route in ("login", "admin:reports_evidence_add") else [1]
    path = reverse(route, args=args)
    request = RequestFactory().post(path)
    request.user, request.resolver_match = users[who], resolve(path)
    assert request_limit(request) == getattr(project_settings, limit)


def test_the_limits_hold_the_forms_they_guard():
    assert project_settings.REQUEST_MAX_BYTES_ANONYMOUS == 64 * KB
    assert project_settings.REQUEST_MAX_BYTES > project_settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert project_settings.REQUEST_MAX_BYTES_UPLOAD > project_settings.EVIDENCE_MAX_BYTES
    assert project_settings.REQUEST_MAX_BYTES_UPLOAD > project_settings.REQUEST_MAX_BYTES


def test_the_check_runs_before_anything_reads_the_body():
    middleware = project_settings.MIDDLEWARE
    ours = middleware.index("emulation.request_limits.RequestSizeLimitMiddleware")
    assert ours < middleware.index("django.middleware.csrf.CsrfViewMiddleware")
    assert ours < middleware.index("django.contrib.auth.middleware.LoginRequiredMiddleware")
