"""The unit's Excel template read the Vietnamese way, and the preview an upload goes through:
nothing is saved until the officer confirms exactly what the preview showed."""

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from reports.excel import read_unit_workbook, workbook_bytes
from reports.models import EventAction, MeasureValue, ReportEvent
from reports.services import report_get_or_create, report_save_values


@pytest.fixture
def report(campaign, unit_a, officer_a):
    report = report_get_or_create(campaign=campaign, unit=unit_a, by=officer_a)
    report_save_values(
        report=report,
        by=officer_a,
        values={"records_total": Decimal(100), "households_total": Decimal(20000), "records_online": None},
        notes={"records_total": "6 tháng", "records_online": "chưa thống kê"},
        no_data={"records_online"},
    )
    return report


@pytest.fixture
def officer(client_for, officer_a):
    return client_for(officer_a)


def url(name, report):
    return reverse(f"reports:report_xlsx_{name}", args=[report.pk])


def download(client, report):
    return load_workbook(io.BytesIO(client.get(reverse("reports:report_xlsx", args=[report.pk])).content))


def row_of(workbook, code):
    return next(row[0].row for row in workbook["Số liệu"].iter_rows(min_row=2) if row[0].value == code)


def filled(workbook, values=None, notes=None):
    sheet = workbook["Số liệu"]
    for code, value in (values or {}).items():
        sheet.cell(row=row_of(workbook, code), column=4).value = value  # cell(value=None) would keep the old value
    for code, note in (notes or {}).items():
        sheet.cell(row=row_of(workbook, code), column=5).value = note
    return workbook_bytes(workbook)


def upload(client, report, content):
    return client.post(
        url("upload", report),
        {"file": SimpleUploadedFile("so-lieu.xlsx", content), "next": reverse("reports:my_unit")},
    )


def token_of(client, report):
    return client.session[f"reports:xlsx-upload:{report.pk}"]["token"]


def confirm(client, report):
    return client.post(url("confirm", report), {"token": token_of(client, report)})


def state(report):
    report.refresh_from_db()
    return (
        report.version,
        ReportEvent.objects.filter(report=report).count(),
        sorted(MeasureValue.objects.filter(report=report).values_list("measure__code", "value", "note", "no_data")),
    )


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def plain(html):
    """What a sighted reader sees: no tags, no text kept for screen readers only."""
    html = re.sub(r'<span class="visually-hidden">.*?</span>', "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'").strip()


def changes(client, report):
    """measure code → the preview row as read (`… 100 → 3.868.370 Ghi chú: 6 tháng → cả năm`)."""
    page = text(client.get(url("preview", report)))
    return {code: plain(row) for code, row in re.findall(r'<tr data-measure="([a-z_]+)"[^>]*>(.*?)</tr>', page)}


# --- the template -------------------------------------------------------------------------


def test_template_value_cells_are_numbers_shown_with_grouping(officer, report):
    sheet = download(officer, report)["Số liệu"]
    cell = sheet.cell(row=row_of(sheet.parent, "households_total"), column=4)
    assert cell.value == 20000 and cell.data_type == "n"
    assert cell.number_format == "#,##0"
    info = " ".join(str(value) for row in sheet.parent["Thông tin"].iter_rows(values_only=True) for value in row)
    assert "3.868.370" in info and "Xóa trống ô" in info


# --- reading text cells the Vietnamese way -------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("12.500", Decimal(12500)),
        ("12,5", Decimal("12.5")),
        ("3.868.370", Decimal(3868370)),
        ("1.234,5", Decimal("1234.5")),
        (" 4 500 ", Decimal(4500)),
        ("75", Decimal(75)),
    ],
)
def test_text_cells_read_the_vietnamese_way(officer, report, typed, read):
    content = filled(download(officer, report), {"households_total": typed})
    sheet = read_unit_workbook(io.BytesIO(content), report=report)
    assert not sheet.problems
    assert [(row.measure, row.value) for row in sheet.rows] == [("households_total", read)]


def test_a_thousands_grouped_count_is_accepted_and_saved(officer, report):
    response = upload(officer, report, filled(download(officer, report), {"households_total": "12.500"}))
    assert response.status_code == 302 and response["Location"] == url("preview", report)
    assert "20.000 → 12.500" in changes(officer, report)["households_total"]
    confirm(officer, report)
    assert report.values.get(measure__code="households_total").value == 12500


@pytest.mark.parametrize(
    ("typed", "readings"),
    [("12.50", "12,50 hoặc 1.250"), ("1.5", "1,5 hoặc 15"), ("1234.567", "1234,567 hoặc 1.234.567")],
)
def test_an_ambiguous_dot_is_refused_naming_the_cell(officer, report, typed, readings):
    workbook = download(officer, report)
    row = row_of(workbook, "poor_households_end")
    before = state(report)
    response = upload(officer, report, filled(workbook, {"poor_households_end": typed}))
    assert response.status_code == 400
    page = text(response).replace("&#x27;", "'")
    assert f"Ô D{row} (Số hộ nghèo cuối kỳ): '{typed}' không rõ nghĩa — viết {readings}" in page
    assert state(report) == before
    assert f"reports:xlsx-upload:{report.pk}" not in officer.session


def test_a_dot_in_a_percent_is_no_longer_read_as_a_decimal_point(client_for, campaign, unit_b, officer_b):
    """`12.5` in a decimal measure used to be saved as 12,5 without a word."""
    client = client_for(officer_b)
    report = report_get_or_create(campaign=campaign, unit=unit_b, by=officer_b)
    workbook = download(client, report)
    response = upload(client, report, filled(workbook, {"project_stadium": "12.5"}))
    assert response.status_code == 400
    assert "không rõ nghĩa — viết 12,5 hoặc 125" in text(response)
    upload(client, report, filled(workbook, {"project_stadium": "12,5"}))
    confirm(client, report)
    assert report.values.get(measure__code="project_stadium").value == Decimal("12.5")


def test_cell_problems_and_rule_problems_are_listed_together(officer, report):
    workbook = download(officer, report)
    content = filled(workbook, {"poor_households_end": "12.50", "propaganda_events": -2, "contests_held": "abc"})
    response = upload(officer, report, content)
    page = text(response)
    assert response.status_code == 400
    assert f"Ô D{row_of(workbook, 'contests_held')} (" in page and "không phải là số" in page
    assert f"Dòng {row_of(workbook, 'propaganda_events')}: Buổi tuyên truyền: số đếm không được âm" in page


# --- blank cells clear -------------------------------------------------------------------------


def test_a_blank_cell_clears_the_stored_value(officer, report):
    workbook = download(officer, report)
    before = state(report)
    assert upload(officer, report, filled(workbook, {"households_total": None})).status_code == 302
    assert "20.000 → trống" in changes(officer, report)["households_total"]
    assert "1 giá trị bị xóa" in text(officer.get(url("preview", report)))
    assert state(report) == before
    confirm(officer, report)
    assert report.values.get(measure__code="households_total").value is None
    event = report.events.filter(action=EventAction.IMPORTED).get()
    assert {"measure": "households_total", "old": "20.000", "new": None} in event.changes


def test_a_blank_cell_left_blank_changes_nothing(officer, report):
    response = upload(officer, report, workbook_bytes(download(officer, report)))
    assert response.status_code == 400 and "không có thay đổi nào" in text(response)


def test_a_note_edited_beside_a_no_data_mark_keeps_the_mark(officer, report):
    upload(officer, report, filled(download(officer, report), notes={"records_online": "chưa có phần mềm"}))
    assert confirm(officer, report).status_code == 302
    value = report.values.get(measure__code="records_online")
    assert value.no_data and value.value is None and value.note == "chưa có phần mềm"


# --- the preview ---------------------------------------------------------------------------


def test_preview_shows_every_change_and_saves_nothing_until_confirmed(officer, report):
    workbook = download(officer, report)
    content = filled(
        workbook,
        {"records_total": "3.868.370", "households_total": None, "records_online": 80, "managers_total": 12},
        notes={"records_total": "cả năm", "managers_total": "theo danh sách"},
    )
    before = state(report)
    response = upload(officer, report, content)
    assert response.status_code == 302 and response["Location"] == url("preview", report)
    assert state(report) == before
    response = officer.get(url("preview", report))
    assert response.status_code == 200
    page = text(response)
    assert "Lưu các thay đổi" in page and "Hủy" in page
    rows = changes(officer, report)
    assert set(rows) == {"records_total", "households_total", "records_online", "managers_total"}
    assert rows["records_total"].endswith("100 → 3.868.370 Ghi chú: 6 tháng → cả năm")
    assert rows["households_total"].endswith("20.000 → trống")
    assert rows["records_online"].endswith("không có số liệu → 80")
    assert rows["managers_total"].endswith("trống → 12 Ghi chú: trống → theo danh sách")
    assert state(report) == before

    response = confirm(officer, report)
    assert response.status_code == 302 and response["Location"] == reverse("reports:my_unit")
    values = {mv.measure.code: mv for mv in report.values.select_related("measure")}
    assert values["records_total"].value == 3868370 and values["records_total"].note == "cả năm"
    assert values["households_total"].value is None
    assert values["records_online"].value == 80 and not values["records_online"].no_data
    assert values["managers_total"].value == 12 and values["managers_total"].note == "theo danh sách"
    assert report.events.filter(action=EventAction.IMPORTED, by__isnull=False).count() == 1
    assert f"reports:xlsx-upload:{report.pk}" not in officer.session


def test_the_confirmation_applies_what_was_checked_not_what_the_client_sends(officer, report):
    upload(officer, report, filled(download(officer, report), {"records_total": 7}))
    response = officer.post(
        url("confirm", report),
        {"token": token_of(officer, report), "records_total": "999", "v_records_total": "999", "version": "1"},
    )
    assert response.status_code == 302
    assert report.values.get(measure__code="records_total").value == 7


def test_a_confirmation_with_another_uploads_token_saves_nothing(officer, report):
    upload(officer, report, filled(download(officer, report), {"records_total": 7}))
    before = state(report)
    response = officer.post(url("confirm", report), {"token": "0" * 32})
    assert response.status_code == 302 and response["Location"] == url("preview", report)
    assert state(report) == before


def test_confirm_after_someone_else_saved_is_refused(officer, officer_a, report):
    upload(officer, report, filled(download(officer, report), {"households_total": 15000}))
    report_save_values(report=report, by=officer_a, values={"managers_total": Decimal(3)})
    assert "không lưu được các thay đổi này" in text(officer.get(url("preview", report)))
    before = state(report)
    response = confirm(officer, report)
    assert response.status_code == 409
    page = text(response)
    assert "Dữ liệu của bạn chưa được lưu" in page and "managers_total: — → 3" in page
    assert state(report) == before
    assert report.values.get(measure__code="households_total").value == 20000
    assert f"reports:xlsx-upload:{report.pk}" not in officer.session


def test_cancel_discards_the_upload(officer, report):
    upload(officer, report, filled(download(officer, report), {"records_total": 7}))
    token = token_of(officer, report)
    before = state(report)
    response = officer.post(url("discard", report))
    assert response.status_code == 302 and response["Location"] == reverse("reports:my_unit")
    assert state(report) == before
    assert officer.post(url("confirm", report), {"token": token}).status_code == 302
    assert state(report) == before
    assert "Không có tệp Excel nào đang chờ xác nhận" in text(officer.get(url("preview", report)))


def test_get_changes_nothing(officer, report):
    upload(officer, report, filled(download(officer, report), {"records_total": 7}))
    before = state(report)
    session_before = dict(officer.session)
    for name in ("preview", "confirm", "discard"):
        officer.get(url(name, report))
    assert officer.get(url("confirm", report)).status_code == 405
    assert officer.get(url("discard", report)).status_code == 405
    assert state(report) == before
    assert dict(officer.session) == session_before


@pytest.mark.parametrize("actor", ["officer_b", "reviewer", "leader"])
def test_outsiders_get_404(client_for, actors, officer, report, actor):
    upload(officer, report, filled(download(officer, report), {"records_total": 7}))
    before = state(report)
    outsider = client_for(actors[actor])
    assert outsider.get(url("preview", report)).status_code == 404
    assert outsider.post(url("confirm", report), {"token": token_of(officer, report)}).status_code == 404
    assert outsider.post(url("discard", report)).status_code == 404
    assert state(report) == before
    assert f"reports:xlsx-upload:{report.pk}" in officer.session


def test_anonymous_is_sent_to_login(client_for, report):
    for method, name in (("get", "preview"), ("post", "confirm"), ("post", "discard")):
        response = getattr(client_for(None), method)(url(name, report))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
