"""A long list of proposals from Excel: the template (lists of allowed kinds and forms, an
example row) read back, and a file with bad rows refused whole, each bad row named."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from commendations.proposal_excel import LIST_SHEET, SHEET
from commendations.tests.proposal_data import CERTIFICATE, FLAG, proposal_in, with_catalogue, xlsx_upload
from reports.models import Commendation, EventAction, ReportStatus, UnitReport
from reports.services import report_get_or_create

CERTIFICATE_NAME = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"
FLAG_NAME = "Cờ thi đua của Ủy ban nhân dân tỉnh"


@pytest.fixture
def report(campaign, unit_a, officer_a):
    with_catalogue(campaign)
    return report_get_or_create(campaign=campaign, unit=unit_a, by=officer_a)


def template(client, report):
    response = client.get(reverse("commendations:proposals_template", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    return load_workbook(io.BytesIO(response.content))


def fill(workbook, rows):
    sheet = workbook[SHEET]
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=3 + offset, column=column, value=value)
    return workbook


def upload(client, report, workbook):
    return client.post(reverse("commendations:proposals_upload", args=[report.pk]), {"file": xlsx_upload(workbook)})


def test_the_template_lists_kinds_and_forms_and_marks_its_example(report, officer_a, client_for):
    workbook = template(client_for(officer_a), report)
    sheet, lists = workbook[SHEET], workbook[LIST_SHEET]
    assert [cell.value for cell in sheet[1]][:3] == ["STT", "Đối tượng", "Tên tập thể / cá nhân"]
    assert sheet["A2"].value == "Ví dụ" and sheet["C2"].value == "Lò Văn Minh"
    assert lists.sheet_state == "hidden"
    assert [row[0] for row in lists.iter_rows(min_row=2, max_col=1, values_only=True)] == [
        "Tập thể",
        "Cá nhân",
        "Hộ gia đình",
    ]
    assert [row[0] for row in lists.iter_rows(min_row=2, min_col=2, max_col=2, values_only=True)][:2] == [
        FLAG_NAME,
        CERTIFICATE_NAME,
    ]
    formulas = {validation.formula1 for validation in sheet.data_validations.dataValidation}
    assert formulas == {f"'{LIST_SHEET}'!$A$2:$A$4", f"'{LIST_SHEET}'!$B$2:$B$3"}


def test_a_filled_template_adds_its_rows_through_the_report(report, officer_a, client_for):
    client = client_for(officer_a)
    proposal_in(report.campaign, report.unit, officer_a, name="Đã có sẵn")
    workbook = fill(
        template(client, report),
        [
            (1, "Tập thể", "Huyện Mường Ảng", None, None, FLAG_NAME, "Dẫn đầu cụm thi đua."),
            (
                2,
                "cá nhân",
                "Quàng Thị Lan",
                "Giáo viên",
                "Trường THCS Ẳng Nưa",
                CERTIFICATE_NAME,
                "'=Giáo viên giỏi",
            ),  # a text cell as a spreadsheet writes it
            (3, "Hộ gia đình", "Hộ ông Lò Văn Pọm", None, None, CERTIFICATE, "Thoát nghèo bền vững."),
        ],
    )
    response = upload(client, report, workbook)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert response.url.endswith("#commendations")
    rows = list(
        report.commendations.select_related("award_form").values_list(
            "name", "kind", "award_form__code", "award", "achievement"
        )
    )
    assert rows[1:] == [
        ("Huyện Mường Ảng", "collective", FLAG, FLAG_NAME, "Dẫn đầu cụm thi đua."),
        ("Quàng Thị Lan", "individual", CERTIFICATE, CERTIFICATE_NAME, "=Giáo viên giỏi"),
        ("Hộ ông Lò Văn Pọm", "household", CERTIFICATE, CERTIFICATE_NAME, "Thoát nghèo bền vững."),
    ]
    assert report.commendations.get(name="Quàng Thị Lan").work_unit == "Trường THCS Ẳng Nưa"
    event = report.events.order_by("-pk").first()
    assert event.action == EventAction.IMPORTED and event.by == officer_a
    assert {"commendation": "Quàng Thị Lan", "old": None, "new": "Quàng Thị Lan"} in event.changes


def test_bad_rows_are_each_named_and_nothing_is_added(report, officer_a, client_for):
    client = client_for(officer_a)
    workbook = fill(
        template(client, report),
        [
            (1, "Tập thể", "Phòng Nội vụ", None, None, CERTIFICATE_NAME, "Hoàn thành xuất sắc."),
            (2, "Cá nhân", "Lò Thị Hoa", None, None, FLAG_NAME, "Tốt."),
            (3, "Tập thẻ", "Phòng Tư pháp", None, None, "Giấy khen của huyện", "Tốt."),
        ],
    )
    response = upload(client, report, workbook)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dòng 4: ghi chức vụ của cá nhân được đề nghị." in page
    assert "Dòng 4: “Cờ thi đua của Ủy ban nhân dân tỉnh” không dành cho cá nhân" in page
    assert "Dòng 5: đối tượng “Tập thẻ” không hợp lệ" in page
    assert "Dòng 5: hình thức khen thưởng “Giấy khen của huyện” không có trong danh mục" in page
    assert "Dòng 3" not in page
    assert not Commendation.objects.exists()
    assert report.events.count() == 1


def test_more_than_the_maximum_is_refused(report, officer_a, client_for, settings):
    settings.REPORT_COMMENDATIONS_MAX = 1
    client = client_for(officer_a)
    rows = [(n, "Tập thể", f"Tổ {n}", None, None, CERTIFICATE_NAME, "Tốt.") for n in (1, 2)]
    response = upload(client, report, fill(template(client, report), rows))
    assert response.status_code == 200 and "vượt mức tối đa 1" in response.content.decode()
    assert not Commendation.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused(report, officer_a, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(officer_a).post(
        reverse("commendations:proposals_upload", args=[report.pk]),
        {"file": SimpleUploadedFile("de-nghi.xlsx", b"MZ not a workbook")},
    )
    assert response.status_code == 200 and "không phải là bảng tính Excel" in response.content.decode()


def test_who_may_download_and_upload(report, officer_a, officer_b, reviewer, client_for):
    client = client_for(officer_a)
    workbook = fill(template(client, report), [(1, "Tập thể", "Tổ 1", None, None, CERTIFICATE_NAME, "Tốt.")])
    url = reverse("commendations:proposals_template", args=[report.pk])
    assert client_for(officer_b).get(url).status_code == 404
    assert client_for(reviewer).get(url).status_code == 200
    assert upload(client_for(officer_b), report, workbook).status_code == 404
    assert upload(client_for(reviewer), report, workbook).status_code == 404
    assert client.get(reverse("commendations:proposals_upload", args=[report.pk])).status_code == 405
    UnitReport.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    response = upload(client, report, workbook)
    assert response.status_code == 200 and "Báo cáo đã gửi" in response.content.decode()
    assert not Commendation.objects.exists()
