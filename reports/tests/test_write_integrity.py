"""An officer's work is never bent: every write path (the form's save, the unit's Excel upload,
`import_results`, evidence) checks the report's status again on its locked row inside the
transaction, so a report submitted or accepted while a file was being read stays as it was.
Only the administrator's `import_results` writes into a submitted or accepted report, and the
history says so."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from reports.excel import read_unit_workbook, unit_workbook, workbook_bytes
from reports.imports import report_import_apply, report_import_check
from reports.models import EventAction, Evidence, MeasureValue, ReportEvent, ReportStatus, UnitReport
from reports.services import ReportError, report_get_or_create, report_save_values
from reports.tests.report_web import fill
from reports.uploads import EvidenceError, evidence_add
from reports.workflow import report_accept, report_submit

LOCKED = "Báo cáo đang ở trạng thái “Đã gửi”"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def report(campaign, unit_a, officer_a):
    report = report_get_or_create(campaign=campaign, unit=unit_a, by=officer_a)
    fill(report, officer_a)
    report.refresh_from_db()
    return report


def state(report):
    row = UnitReport.objects.values("status", "version").get(pk=report.pk)
    return (
        row,
        list(ReportEvent.objects.filter(report=report).order_by("pk").values_list("action", "version")),
        sorted(MeasureValue.objects.filter(report=report).values_list("measure__code", "value", "note")),
    )


def filled_workbook(report, values):
    """The unit's workbook as downloaded now, with `values` typed into it."""
    workbook = unit_workbook(report)
    sheet = workbook["Số liệu"]
    rows = {row[0].value: row[0].row for row in sheet.iter_rows(min_row=2)}
    for code, value in values.items():
        sheet.cell(row=rows[code], column=4, value=value)
    return workbook_bytes(workbook)


def submit_elsewhere(report, by):
    """Another request submits the report: its own copy of the row, not the caller's."""
    report_submit(report=UnitReport.objects.get(pk=report.pk), by=by)


def test_an_upload_checked_for_a_draft_is_refused_once_the_report_was_submitted_meanwhile(report, officer_a):
    content = filled_workbook(report, {"records_total": 4321})
    sheet = read_unit_workbook(io.BytesIO(content), report=report)
    plan = report_import_check(report=report, sheet=sheet)  # checked while a draft
    assert report.editable
    submit_elsewhere(report, officer_a)
    before = state(report)

    with pytest.raises(ReportError) as refused:
        report_import_apply(report=report, plan=plan, by=officer_a)

    message = str(refused.value)
    assert LOCKED in message and "chưa có thay đổi nào được lưu" in message
    assert state(report) == before
    assert report.values.get(measure__code="records_total").value != 4321


def test_the_confirmation_refuses_a_report_submitted_after_the_preview(report, officer_a, client_for):
    client = client_for(officer_a)
    content = filled_workbook(report, {"records_total": 4321})
    preview = client.post(
        reverse("reports:report_xlsx_upload", args=[report.pk]),
        {"file": SimpleUploadedFile("so-lieu.xlsx", content), "next": reverse("reports:my_unit")},
    )
    assert preview.status_code == 302
    submit_elsewhere(report, officer_a)
    token = client.session[f"reports:xlsx-upload:{report.pk}"]["token"]
    response = client.post(reverse("reports:report_xlsx_confirm", args=[report.pk]), {"token": token})
    assert response.status_code == 400
    assert LOCKED in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.values.get(measure__code="records_total").value != 4321
    assert not report.events.filter(action=EventAction.IMPORTED).exists()


def test_a_form_save_begun_on_a_draft_is_refused_once_the_report_was_submitted(report, officer_a):
    stale = UnitReport.objects.get(pk=report.pk)
    submit_elsewhere(report, officer_a)
    before = state(report)
    with pytest.raises(ReportError) as refused:
        report_save_values(report=stale, by=officer_a, values={"records_total": Decimal(7000)})
    assert LOCKED in str(refused.value)
    assert state(report) == before


def test_imported_action_alone_does_not_open_a_submitted_report(report, officer_a):
    stale = UnitReport.objects.get(pk=report.pk)
    submit_elsewhere(report, officer_a)
    before = state(report)
    with pytest.raises(ReportError) as refused:
        report_save_values(
            report=stale, by=officer_a, values={"records_total": Decimal(7000)}, action=EventAction.IMPORTED
        )
    assert LOCKED in str(refused.value)
    assert state(report) == before


def test_evidence_added_to_a_report_submitted_meanwhile_is_refused(report, officer_a):
    stale = UnitReport.objects.get(pk=report.pk)
    submit_elsewhere(report, officer_a)
    with pytest.raises(EvidenceError):
        evidence_add(report=stale, by=officer_a, upload=SimpleUploadedFile("a.pdf", PDF))
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("status", [ReportStatus.SUBMITTED, ReportStatus.ACCEPTED])
def test_the_administrators_import_writes_into_a_sent_report_and_says_so(report, officer_a, reviewer, tmp_path, status):
    report_submit(report=report, by=officer_a)
    if status == ReportStatus.ACCEPTED:
        report_accept(report=report, by=reviewer)
    path = tmp_path / "results.csv"
    path.write_text("unit,measure,value,note\nh-muong-ang,records_total,4321,\n", encoding="utf-8")

    call_command("import_results", report.campaign.code, str(path), stdout=io.StringIO())

    report.refresh_from_db()
    assert report.status == status
    assert report.values.get(measure__code="records_total").value == 4321
    event = report.events.get(action=EventAction.IMPORTED)
    label = ReportStatus(status).label
    assert event.comment == f"Quản trị nhập số liệu vào báo cáo đang ở trạng thái “{label}”."
    assert {"measure": "records_total", "old": "1.000", "new": "4.321"} in event.changes


def test_the_administrators_import_into_a_draft_leaves_no_such_note(report, tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("unit,measure,value,note\nh-muong-ang,records_total,4321,\n", encoding="utf-8")
    call_command("import_results", report.campaign.code, str(path), stdout=io.StringIO())
    assert report.events.get(action=EventAction.IMPORTED).comment == ""
