"""The unit's Excel round-trip: download the prefilled sheet, fill it offline, upload it back."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from reports.excel import UNIT_HEADERS, unit_workbook, workbook_bytes
from reports.models import EventAction, MeasureValue, ReportEvent, ReportStatus
from reports.services import report_get_or_create, report_measures, report_save_values


@pytest.fixture
def report(campaign, unit_a, officer_a):
    report = report_get_or_create(campaign=campaign, unit=unit_a, by=officer_a)
    report_save_values(
        report=report, by=officer_a, values={"records_total": Decimal(100)}, notes={"records_total": "6 tháng"}
    )
    return report


def download(client, report):
    response = client.get(reverse("reports:report_xlsx", args=[report.pk]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def sheet_rows(workbook):
    """measure code → sheet row number."""
    return {row[0].value: row[0].row for row in workbook["Số liệu"].iter_rows(min_row=2)}


def upload(client, report, content, name="so-lieu.xlsx"):
    return client.post(
        reverse("reports:report_xlsx_upload", args=[report.pk]),
        {"file": SimpleUploadedFile(name, content), "next": reverse("reports:my_unit")},
    )


def confirm(client, report):
    """Confirm the upload waiting on the preview page, as the officer's button does."""
    token = client.session[f"reports:xlsx-upload:{report.pk}"]["token"]
    return client.post(reverse("reports:report_xlsx_confirm", args=[report.pk]), {"token": token})


def filled(workbook, values):
    rows = sheet_rows(workbook)
    sheet = workbook["Số liệu"]
    for code, value in values.items():
        sheet.cell(row=rows[code], column=4, value=value)
    return workbook_bytes(workbook)


def state(report):
    report.refresh_from_db()
    return (
        report.version,
        ReportEvent.objects.filter(report=report).count(),
        sorted(MeasureValue.objects.filter(report=report).values_list("measure__code", "value", "note")),
    )


def test_download_is_prefilled_with_the_units_measures(client_for, officer_a, report):
    workbook = download(client_for(officer_a), report)
    sheet = workbook["Số liệu"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0])[:5] == list(UNIT_HEADERS)
    assert sheet.column_dimensions["F"].hidden and sheet.column_dimensions["G"].hidden
    assert [row[0] for row in rows[1:]] == [measure.code for measure in report_measures(report)]
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["records_total"][:5] == ("records_total", "Tổng số hồ sơ công việc", "hồ sơ", 100, "6 tháng")
    assert by_code["records_online"][3] is None
    assert "project_stadium" not in by_code
    assert sheet.protection.sheet and not sheet.cell(row=2, column=4).protection.locked
    assert sheet.cell(row=2, column=1).protection.locked
    info = dict(workbook["Thông tin"].iter_rows(min_row=2, max_col=2, values_only=True))
    assert info["Mã đơn vị"] == "h-muong-ang" and info["Phiên bản báo cáo"] == report.version


def test_download_fill_upload_saves_the_values(client_for, officer_a, report):
    client = client_for(officer_a)
    workbook = download(client, report)
    rows = sheet_rows(workbook)
    workbook["Số liệu"].cell(row=rows["records_online"], column=5, value="qua hệ thống một cửa")
    content = filled(workbook, {"records_total": 3868370, "records_online": 1200000, "households_total": "15000"})
    response = upload(client, report, content)
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:report_xlsx_preview", args=[report.pk])
    response = confirm(client, report)
    assert response.status_code == 302 and response["Location"] == reverse("reports:my_unit")
    values = {mv.measure.code: mv for mv in report.values.select_related("measure")}
    assert values["records_total"].value == 3868370 and values["records_total"].note == "6 tháng"
    assert values["records_online"].value == 1200000 and values["records_online"].note == "qua hệ thống một cửa"
    assert values["households_total"].value == 15000
    event = report.events.get(action=EventAction.IMPORTED)
    assert event.by == officer_a
    assert {"measure": "records_total", "old": "100", "new": "3.868.370"} in event.changes


def test_bad_file_lists_row_messages_and_saves_nothing(client_for, officer_a, report):
    client = client_for(officer_a)
    workbook = download(client, report)
    rows = sheet_rows(workbook)
    content = filled(
        workbook,
        {"records_online": 150, "propaganda_events": -2, "households_total": "12.50", "managers_total": 10},
    )
    before = state(report)
    response = upload(client, report, content)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"Dòng {rows['records_online']}: Số hồ sơ xử lý trên môi trường mạng (150) không được lớn hơn" in page
    assert f"Dòng {rows['propaganda_events']}: Buổi tuyên truyền: số đếm không được âm" in page
    assert (
        f"Ô D{rows['households_total']} (Tổng số hộ dân cư): &#x27;12.50&#x27; không rõ nghĩa — viết 12,50 hoặc 1.250"
        in page
    )
    assert f"Dòng {rows['households_total']}:" not in page  # the message names the cell itself
    assert f"Dòng {rows['managers_total']}:" not in page
    assert state(report) == before


def test_row_for_a_measure_the_unit_does_not_report(client_for, officer_a, report):
    client = client_for(officer_a)
    workbook = download(client, report)
    workbook["Số liệu"].append(["project_stadium", "", "", 50, ""])
    before = state(report)
    response = upload(client, report, workbook_bytes(workbook))
    assert response.status_code == 400
    row = workbook["Số liệu"].max_row
    assert f"Dòng {row}: đơn vị &#x27;h-muong-ang&#x27; không báo cáo chỉ số &#x27;project_stadium&#x27;" in (
        response.content.decode()
    )
    assert state(report) == before


def test_file_of_another_unit_is_refused(client_for, officer_a, officer_b, campaign, unit_b, report):
    other = report_get_or_create(campaign=campaign, unit=unit_b, by=officer_b)
    workbook = unit_workbook(other)
    before = state(report)
    response = upload(client_for(officer_a), report, filled(workbook, {"records_total": 5}))
    assert response.status_code == 400
    assert "không phải báo cáo này" in response.content.decode()
    assert state(report) == before


def test_stale_file_does_not_overwrite_a_newer_save(client_for, officer_a, report):
    client = client_for(officer_a)
    workbook = download(client, report)
    report_save_values(report=report, by=officer_a, values={"records_total": Decimal(250)})
    before = state(report)
    response = upload(client, report, filled(workbook, {"records_total": 300}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Dữ liệu của bạn chưa được lưu" in page and "records_total: 100 → 250" in page
    assert state(report) == before
    # A stale file whose records_total row was left as downloaded (100) is still accepted:
    # that row is not read back, so the newer 250 stays.
    stale = filled(workbook, {"records_total": 100, "records_online": 200})
    response = upload(client, report, stale)
    assert response.status_code == 302, response.content.decode()
    assert confirm(client, report).status_code == 302
    assert report.values.get(measure__code="records_online").value == 200
    assert report.values.get(measure__code="records_total").value == 250


def test_submitted_report_is_not_changed_by_an_upload(client_for, officer_a, report):
    client = client_for(officer_a)
    content = filled(download(client, report), {"records_total": 5})
    report.status = ReportStatus.SUBMITTED
    report.save(update_fields=["status"])
    before = state(report)
    response = upload(client, report, content)
    assert response.status_code == 400 and "không nhập được số liệu" in response.content.decode()
    assert state(report) == before


def zip_bytes(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", id="pdf-renamed"),
        pytest.param(b"unit,measure,value\nh-muong-ang,records_total,5\n", id="csv-renamed"),
        pytest.param(zip_bytes({"hello.txt": b"not a workbook"}), id="zip-without-workbook"),
        pytest.param(
            zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<oops"}), id="damaged-workbook"
        ),
    ],
)
def test_not_an_xlsx_is_refused_cleanly(client_for, officer_a, report, content):
    before = state(report)
    response = upload(client_for(officer_a), report, content)
    assert response.status_code == 400
    assert "không phải là bảng tính Excel (.xlsx) hợp lệ" in response.content.decode()
    assert state(report) == before


def test_zip_bomb_is_refused(client_for, officer_a, report, monkeypatch):
    monkeypatch.setattr("reports.uploads.ZIP_MAX_UNPACKED_BYTES", 1024 * 1024)
    content = zip_bytes({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\0" * (2 * 1024 * 1024)})
    assert len(content) < 10 * 1024
    response = upload(client_for(officer_a), report, content)
    assert response.status_code == 400
    assert "giải nén ra quá lớn" in response.content.decode()


def test_too_many_rows_are_refused(client_for, officer_a, report, monkeypatch):
    monkeypatch.setattr("reports.imports.IMPORT_MAX_ROWS", 3)
    response = upload(client_for(officer_a), report, filled(download(client_for(officer_a), report), {}))
    assert response.status_code == 400 and "quá nhiều dòng" in response.content.decode()


def test_missing_file_and_wrong_extension(client_for, officer_a, report):
    client = client_for(officer_a)
    response = client.post(reverse("reports:report_xlsx_upload", args=[report.pk]))
    assert response.status_code == 400 and "Chưa chọn tệp" in response.content.decode()
    response = upload(client, report, b"a,b", name="so-lieu.csv")
    assert response.status_code == 400 and "Chỉ nhận tệp Excel .xlsx" in response.content.decode()


def test_next_must_stay_on_the_portal(client_for, officer_a, report):
    client = client_for(officer_a)
    content = filled(download(client, report), {"records_total": 7})
    response = client.post(
        reverse("reports:report_xlsx_upload", args=[report.pk]),
        {"file": SimpleUploadedFile("a.xlsx", content), "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    response = confirm(client, report)
    assert response.status_code == 302 and response["Location"] == reverse("reports:my_unit")


# --- who gets what -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("anonymous", 302), ("officer_a", 200), ("officer_b", 404), ("reviewer", 200), ("leader", 200)],
)
def test_download_matrix(client_for, actors, report, actor, expected):
    before = state(report)
    response = client_for(actors.get(actor)).get(reverse("reports:report_xlsx", args=[report.pk]))
    assert response.status_code == expected
    if actor == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    if expected == 200:
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert "attachment" in response["Content-Disposition"]
    assert state(report) == before  # GET never changes state


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("anonymous", 302), ("officer_a", 302), ("officer_b", 404), ("reviewer", 404), ("leader", 404)],
)
def test_upload_matrix(client_for, actors, report, actor, expected):
    content = workbook_bytes(unit_workbook(report))
    workbook = load_workbook(io.BytesIO(content))
    content = filled(workbook, {"records_total": 42})
    client = client_for(actors.get(actor))
    response = upload(client, report, content)
    assert response.status_code == expected
    if actor == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    assert report.values.get(measure__code="records_total").value == 100  # nothing saved before confirming
    if actor == "officer_a":
        confirm(client, report)
        assert report.values.get(measure__code="records_total").value == 42


def test_upload_url_refuses_get(client_for, officer_a, report):
    response = client_for(officer_a).get(reverse("reports:report_xlsx_upload", args=[report.pk]))
    assert response.status_code == 405


def test_unknown_report_is_404(client_for, officer_a, reviewer):
    assert client_for(reviewer).get(reverse("reports:report_xlsx", args=[999999])).status_code == 404


def render_partial(user, report):
    request = RequestFactory().get("/reports/")
    request.user = user
    return render_to_string("reports/partials/excel_roundtrip.html", {"report": report}, request=request)


def test_partial_shows_the_upload_form_only_to_the_units_officer_while_editable(actors, report):
    download_url = reverse("reports:report_xlsx", args=[report.pk])
    upload_url = reverse("reports:report_xlsx_upload", args=[report.pk])
    html = render_partial(actors["officer_a"], report)
    assert download_url in html and upload_url in html
    for actor in ("reviewer", "leader"):
        html = render_partial(actors[actor], report)
        assert download_url in html and upload_url not in html
    report.status = ReportStatus.SUBMITTED
    html = render_partial(actors["officer_a"], report)
    assert download_url in html and upload_url not in html
