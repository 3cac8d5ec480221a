"""Oversized, malformed and hostile requests are refused cleanly: a 4xx or a Vietnamese
message, never a 500, nothing saved, and memory that stays bounded."""

import io
import struct
import tracemalloc
import zipfile
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from reports.excel import unit_workbook, workbook_bytes
from reports.models import Evidence, MeasureValue, ReportStatus, UnitReport
from reports.services import report_get_or_create
from tests.urls_catalogue import portal_urls

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BOMB_UNPACKED = 300 * 1024 * 1024


@pytest.fixture
def report(campaign, unit_a, officer_a):
    return report_get_or_create(campaign=campaign, unit=unit_a, by=officer_a)


@pytest.fixture
def officer(client_for, officer_a):
    return client_for(officer_a)


def state(report):
    report.refresh_from_db()
    return (report.version, report.status, MeasureValue.objects.count(), Evidence.objects.count())


def peak_memory(send):
    """(response, peak bytes allocated by Python while sending)."""
    tracemalloc.start()
    try:
        response = send()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, peak


# --- request size limits -------------------------------------------------------------------
def test_a_form_with_too_many_fields_is_refused_with_400(officer, report, settings):
    before = state(report)
    fields = {f"f{number}": "1" for number in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    fields["version"] = str(report.version)
    response = officer.post(f"/reports/{report.pk}/edit/", fields)
    assert response.status_code == 400
    assert state(report) == before


def test_too_many_fields_is_refused_before_the_csrf_check_can_fail_oddly(client_for, officer_a, report, settings):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_a)
    fields = {f"f{number}": "1" for number in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    assert client.post(f"/reports/{report.pk}/edit/", fields).status_code in (400, 403)


def test_too_many_files_are_refused_with_400(officer, report, settings):
    files = [SimpleUploadedFile(f"f{n}.pdf", PDF_BYTES, "application/pdf") for n in range(101)]
    before = state(report)
    response = officer.post(f"/reports/{report.pk}/evidence/", {"file": files})
    assert response.status_code == 400
    assert state(report) == before


def test_a_huge_form_body_is_refused_with_400(officer, report, settings):
    before = state(report)
    body = "version=1&narrative_I=" + "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = officer.generic(
        "POST", f"/reports/{report.pk}/edit/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert state(report) == before


def test_an_evidence_file_over_the_limit_gets_a_vietnamese_message(officer, report, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("ban-scan.pdf", PDF_BYTES + b"0" * (1024 * 1024), "application/pdf")
    before = state(report)
    response = officer.post(f"/reports/{report.pk}/evidence/", {"file": big, "description": "scan"})
    assert response.status_code == 200
    assert "vượt giới hạn 1 MB" in response.content.decode()
    assert state(report) == before


def test_an_excel_file_over_the_limit_is_refused(officer, report, monkeypatch):
    monkeypatch.setattr("reports.excel_views.IMPORT_MAX_BYTES", 1024 * 1024)
    big = SimpleUploadedFile("so-lieu.xlsx", b"PK" + b"0" * (1024 * 1024 + 1))
    before = state(report)
    response = officer.post(f"/reports/{report.pk}/xlsx/upload/", {"file": big})
    assert response.status_code == 400
    assert "Tệp quá lớn" in response.content.decode()
    assert state(report) == before


# --- ZIP bombs -------------------------------------------------------------------------------
def workbook_with_bomb(report, *, lie=False):
    """The unit's real workbook whose data sheet unpacks to BOMB_UNPACKED bytes (an XML start
    and then blanks). With `lie`, the archive's headers claim the sheet is tiny, to slip past
    a size check."""
    sheet = "xl/worksheets/sheet1.xml"
    archive = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook_bytes(unit_workbook(report)))) as source:
        assert sheet in source.namelist()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bomb:
            for entry in source.infolist():
                if entry.filename != sheet:
                    bomb.writestr(entry, source.read(entry))
            entry = zipfile.ZipInfo(sheet)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with bomb.open(entry, "w") as handle:
                handle.write(b'<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row>')
                chunk = b" " * (1024 * 1024)
                for _ in range(BOMB_UNPACKED // len(chunk)):
                    handle.write(chunk)
    data = bytearray(archive.getvalue())
    if lie:
        _claim_small(data, sheet.encode())
    return bytes(data)


# (signature, offset of the name length, offset of the name, offset of the uncompressed size)
ZIP_HEADERS = [(b"PK\x03\x04", 26, 30, 22), (b"PK\x01\x02", 28, 46, 24)]


def _claim_small(data, name):
    """Rewrite the uncompressed size of `name` to 1 KB in its local and central headers."""
    for signature, length_at, name_at, size_at in ZIP_HEADERS:
        header = data.find(signature)
        while header != -1:
            name_length = struct.unpack_from("<H", data, header + length_at)[0]
            if data[header + name_at : header + name_at + name_length] == name:
                struct.pack_into("<I", data, header + size_at, 1024)
            header = data.find(signature, header + 4)


@pytest.mark.parametrize(
    "lie, message",
    [(False, "giải nén ra quá lớn"), (True, "không phải là bảng tính Excel")],
    ids=["honest-headers", "lying-headers"],
)
def test_a_zip_bomb_disguised_as_xlsx_is_refused_without_unpacking(officer, report, lie, message):
    bomb = workbook_with_bomb(report, lie=lie)
    assert len(bomb) < 2 * 1024 * 1024  # 300 MB of zeros packs into well under 2 MB
    before = state(report)
    upload = SimpleUploadedFile(f"so-lieu-{report.unit.code}.xlsx", bomb)
    response, peak = peak_memory(lambda: officer.post(f"/reports/{report.pk}/xlsx/upload/", {"file": upload}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert peak < 64 * 1024 * 1024, f"unpacked {peak // 1048576} MB"
    assert state(report) == before


def test_a_zip_bomb_as_evidence_is_refused_without_unpacking(officer, report):
    bomb = workbook_with_bomb(report)
    before = state(report)
    upload = SimpleUploadedFile("bang-tinh.xlsx", bomb)
    response, peak = peak_memory(lambda: officer.post(f"/reports/{report.pk}/evidence/", {"file": upload}, follow=True))
    assert response.status_code in (200, 400)
    assert "giải nén ra quá lớn" in response.content.decode()
    assert peak < 64 * 1024 * 1024, f"unpacked {peak // 1048576} MB"
    assert not Evidence.objects.filter(report=report).exists()
    assert state(report) == before


# --- malformed multipart and file names ---------------------------------------------------
BOUNDARY = "----thidua-boundary"


def multipart(parts):
    """A multipart body from (headers bytes, content bytes) pairs."""
    body = b""
    for headers, content in parts:
        body += f"--{BOUNDARY}\r\n".encode() + headers + b"\r\n\r\n" + content + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


def post_raw(client, path, body, content_type=f"multipart/form-data; boundary={BOUNDARY}"):
    return client.generic("POST", path, body, content_type=content_type)


@pytest.mark.parametrize(
    "disposition",
    [
        b'form-data; name="file"; filename="bi\xean-b\xe1n-h\xf4p.pdf"',  # Latin-1 bytes, not UTF-8
        b'form-data; name="file"; filename="\xff\xfe\x00b\x00a\x00d.pdf"',
        b"form-data; name=\"file\"; filename*=UTF-8''%FF%FEbad%C3.pdf",
        b'form-data; name="file"; filename="../../../etc/passwd.pdf"',
        b'form-data; name="file"; filename="C:\\\\Windows\\\\win.ini.pdf"',
        b'form-data; name="file"; filename=""',
    ],
    ids=["latin1", "utf16-bom", "bad-rfc2231", "path-traversal", "windows-path", "empty"],
)
def test_hostile_upload_file_names_are_handled(officer, report, disposition, settings):
    body = multipart(
        [
            (b'Content-Disposition: form-data; name="description"', "biên bản".encode()),
            (b"Content-Disposition: " + disposition + b"\r\nContent-Type: application/pdf", PDF_BYTES),
        ]
    )
    response = post_raw(officer, f"/reports/{report.pk}/evidence/", body)
    assert response.status_code in (200, 302, 400)
    for evidence in Evidence.objects.filter(report=report):
        stored = evidence.file.name
        assert stored.isascii() and ".." not in stored and "\\" not in stored
        assert stored.startswith(f"evidence/{report.campaign_id}/{report.unit_id}/")
        assert "/" not in evidence.original_name and "\\" not in evidence.original_name
        with evidence.file.open("rb") as handle:
            assert handle.read() == PDF_BYTES
    media = settings.MEDIA_ROOT
    if media.exists():
        assert all(path.relative_to(media).parts[0] == "evidence" for path in media.rglob("*") if path.is_file())


def test_a_non_utf8_excel_file_name_is_refused_cleanly(officer, report):
    body = multipart(
        [(b'Content-Disposition: form-data; name="file"; filename="s\xf4-li\xea\xfb.xlsx"', b"not a workbook")]
    )
    before = state(report)
    response = post_raw(officer, f"/reports/{report.pk}/xlsx/upload/", body)
    assert response.status_code == 400
    assert state(report) == before


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("multipart/form-data", b"--x\r\nContent-Disposition: form-data; name=version\r\n\r\n1\r\n--x--"),
        (f"multipart/form-data; boundary={BOUNDARY}", b"this is not multipart at all"),
        (f"multipart/form-data; boundary={BOUNDARY}", f"--{BOUNDARY}\r\nContent-Disp".encode()),
        (f"multipart/form-data; boundary={BOUNDARY}", f"--{BOUNDARY}\r\n\r\n\r\n--{BOUNDARY}--".encode()),
        ("multipart/form-data; boundary=" + "b" * 300, b"--" + b"b" * 300 + b"--\r\n"),
        ("application/x-www-form-urlencoded", b"version=%ZZ&v_households_total=%FF%FE&&&=&=="),
        ("application/json", b'{"version": 1'),
    ],
    ids=["no-boundary", "garbage", "truncated", "no-disposition", "long-boundary", "bad-percent", "json"],
)
@pytest.mark.parametrize("route", ["edit/", "evidence/", "xlsx/upload/", "submit/"])
def test_malformed_bodies_never_cause_a_server_error(officer, report, content_type, body, route):
    before = state(report)
    response = post_raw(officer, f"/reports/{report.pk}/{route}", body, content_type=content_type)
    assert response.status_code < 500
    assert state(report) == before


# --- values that are not numbers ----------------------------------------------------------
@pytest.mark.parametrize(
    "typed",
    ["1e999999", "NaN", "Infinity", "-Infinity", "9" * 41, "1.2.3,4,5", "12\x0034", "0x10", "--5", "½"],
)
def test_values_that_are_not_vietnamese_numbers_get_a_message_next_to_the_field(officer, report, typed):
    before = state(report)
    data = {
        "version": str(report.version),
        "action": "save",
        "v_households_total": typed,
        "commendations-TOTAL_FORMS": "0",
        "commendations-INITIAL_FORMS": "0",
    }
    response = officer.post(f"/reports/{report.pk}/edit/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "v_households_total" in form.errors, form.errors
    message = " ".join(form.errors["v_households_total"])
    assert message and not message.isascii()  # a Vietnamese sentence, with its diacritics
    assert state(report) == before


# --- URL arguments and query strings ------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "/reports/99999999999999999999999999/",
        "/reports/9223372036854775808/edit/",
        "/prints/99999999999999999999999999/status/",
        "/summary/99999999999999999999999999/download/",
        "/reports/1/evidence/99999999999999999999999999/",
    ],
)
def test_out_of_range_ids_are_404(client_for, reviewer, path):
    assert client_for(reviewer).get(path).status_code == 404


def routes(report, campaign):
    """Every named route (but logout) with its arguments pointing at unit A's report."""
    values = {"pk": report.pk, "code": campaign.code, "campaign_code": campaign.code, "unit_code": report.unit.code}
    values["target"] = campaign.targets.first().code
    return [(name, path) for name, path in portal_urls(values) if name != "logout"]


HOSTILE_QUERY = (
    "?kind=%3Cscript%3Ealert(1)%3C/script%3E&group=%00&by=%3Cscript%3E&format=..%2F..%2Fsettings.py"
    "&status=%00zz&late=maybe&page=-1&next=//evil.example/&q=%27%22%3E%3Cscript%3Ealert(2)%3C/script%3E"
)


@pytest.mark.parametrize("actor", ["officer_a", "reviewer", "leader"])
def test_hostile_query_strings_never_cause_errors_or_reflect_markup(actors, client_for, report, campaign, actor):
    client = client_for(actors[actor])
    problems = []
    for name, path in routes(report, campaign):
        response = client.get(path + HOSTILE_QUERY)
        text = response.content.decode("utf-8", errors="ignore") if not getattr(response, "streaming", 0) else ""
        if response.status_code >= 500:
            problems.append(f"{name}: {response.status_code}")
        if "<script>alert" in text:
            problems.append(f"{name}: reflects the query string as markup")
        response.close()
    assert not problems


OFF_SITE = ["//evil.example/", "/\\evil.example/", "https://evil.example/", "\\\\evil.example", " //evil.example"]


@pytest.mark.parametrize("actor", ["officer_a", "reviewer"])
def test_no_form_redirects_off_site(actors, client_for, report, campaign, actor):
    """Every POST route that honours a `next` field keeps the visitor on the portal, as a
    browser would read the address (backslashes count as slashes)."""
    client = client_for(actors[actor])
    problems = []
    for name, path in routes(report, campaign):
        for target in OFF_SITE:
            response = client.post(path, {"next": target, "version": "1", "comment": "x", "language": "vi"})
            location = response.get("Location", "")
            resolved = urlsplit(urljoin("http://testserver/", location.strip().replace("\\", "/")))
            if location and resolved.netloc not in ("", "testserver"):
                problems.append(f"{name}: next={target!r} → {location}")
            response.close()
        UnitReport.objects.filter(pk=report.pk).update(status=ReportStatus.DRAFT)
    assert not problems, "\n".join(problems)
