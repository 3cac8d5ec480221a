"""The report form through the web: Vietnamese number input, every validation rule with its
message next to the field, drafts that keep every valid value (a draft may hold errors,
a submission may not), narratives and commendation rows."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from campaigns.models import Measure, ValueType
from campaigns.structure import structure_bump
from reports.models import Commendation, EventAction, MeasureValue, Narrative, ReportStatus
from reports.services import ReportError, report_get_or_create, report_save_values
from reports.tests.report_web import form_post, typed_values


@pytest.fixture(autouse=True)
def _free_text_awards(campaign):
    """These proposals are the free-text rows of a campaign whose file names no award
    catalogue; rows chosen from a catalogue are tested in commendations/tests."""
    campaign.award_catalogue = None
    campaign.save(update_fields=["award_catalogue"])


@pytest.fixture
def report(campaign, unit_a, officer_a):
    return report_get_or_create(campaign=campaign, unit=unit_a, by=officer_a)


@pytest.fixture
def report_b(campaign, unit_b, officer_b):
    return report_get_or_create(campaign=campaign, unit=unit_b, by=officer_b)


def post(client, report, data):
    return client.post(reverse("reports:report_edit", args=[report.pk]), data)


def field_error(response, code):
    """The error text shown next to measure `code`'s input (the element its
    aria-describedby names), or None."""
    match = re.search(rf'id="id_v_{code}_error"[^>]*>(.*?)</div>', response.content.decode(), re.S)
    return unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else None


def assert_nothing_saved(report, version=1):
    report.refresh_from_db()
    assert report.version == version
    assert not MeasureValue.objects.filter(report=report).exists()


def stored(report, code):
    value = report.values.filter(measure__code=code).first()
    return None if value is None else value.value


def test_vietnamese_numbers_are_accepted_and_shown_back(report, report_b, officer_a, officer_b, client_for):
    client = client_for(officer_a)
    response = post(client, report, form_post(report, {"households_total": "3.868.370", "records_total": " 1.200 "}))
    assert response.status_code == 302
    assert report.values.get(measure__code="households_total").value == Decimal(3868370)
    assert report.values.get(measure__code="records_total").value == Decimal(1200)
    page = client.get(reverse("reports:report_edit", args=[report.pk])).content.decode()
    assert 'value="3.868.370"' in page and 'value="1.200"' in page

    client_b = client_for(officer_b)
    assert post(client_b, report_b, form_post(report_b, {"project_stadium": "85,3"})).status_code == 302
    assert report_b.values.get(measure__code="project_stadium").value == Decimal("85.3")
    page = client_b.get(reverse("reports:report_edit", args=[report_b.pk])).content.decode()
    assert 'value="85,3"' in page
    assert "85,3" in client_b.get(reverse("reports:report_detail", args=[report_b.pk])).content.decode()


@pytest.mark.parametrize(
    "code,typed,message",
    [
        ("records_total", "mười", "không phải là số"),
        ("records_total", "85.3", "dùng dấu phẩy cho phần thập phân"),
        ("records_total", "-5", "số đếm không được âm"),
        ("records_total", "4,5", "phải là số nguyên"),
        ("records_total", "1" * 41, "quá dài"),
    ],
)
def test_bad_values_are_refused_next_to_the_field(code, typed, message, report, officer_a, client_for):
    data = form_post(report, {code: typed, "households_total": "100"})
    response = post(client_for(officer_a), report, data)
    assert response.status_code == 200
    assert message in field_error(response, code)
    assert f'value="{typed}"' in response.content.decode()  # what was typed stays in the form
    # A draft keeps the valid value typed beside it; the bad one is not saved.
    assert stored(report, code) is None
    assert stored(report, "households_total") == 100


def test_percent_over_100_is_refused(report_b, officer_b, client_for):
    response = post(client_for(officer_b), report_b, form_post(report_b, {"project_stadium": "100,5"}))
    assert "không được vượt quá 100" in field_error(response, "project_stadium")
    assert_nothing_saved(report_b)


def test_part_over_its_whole_is_refused(report, officer_a, client_for):
    response = post(client_for(officer_a), report, form_post(report, {"records_total": "100", "records_online": "150"}))
    assert "không được lớn hơn Tổng số hồ sơ công việc" in field_error(response, "records_online")
    assert 'value="150"' in response.content.decode()
    assert stored(report, "records_online") is None and stored(report, "records_total") == 100


def test_part_over_a_whole_saved_earlier_is_refused(report, officer_a, client_for):
    client = client_for(officer_a)
    assert post(client, report, form_post(report, {"households_total": "1.000"})).status_code == 302
    report.refresh_from_db()
    response = post(client, report, form_post(report, {"households_total": "1.000", "poor_households_start": "1.001"}))
    assert "không được lớn hơn" in field_error(response, "poor_households_start")
    assert not report.values.filter(measure__code="poor_households_start").exists()


def test_yes_no_measures_take_only_0_or_1(campaign, report, officer_a, client_for):
    Measure.objects.create(
        campaign=campaign,
        section=campaign.sections.get(code="III"),
        code="cleanup_plan_issued",
        name="Có kế hoạch ra quân",
        value_type=ValueType.BOOLEAN,
        reporter_kinds=["district"],
        order=99,
    )
    structure_bump(campaign=campaign)
    client = client_for(officer_a)
    response = post(client, report, form_post(report, {"cleanup_plan_issued": "2"}))
    assert "chỉ nhận 1 (có) hoặc 0 (không)" in field_error(response, "cleanup_plan_issued")
    assert_nothing_saved(report)
    assert post(client, report, form_post(report, {"cleanup_plan_issued": "1"})).status_code == 302
    assert report.values.get(measure__code="cleanup_plan_issued").value == 1


def test_several_errors_are_all_shown_and_the_valid_values_saved(report, officer_a, client_for):
    data = form_post(report, {"records_total": "abc", "managers_total": "-1", "trees_checked": "10"})
    response = post(client_for(officer_a), report, data)
    assert field_error(response, "records_total") and field_error(response, "managers_total")
    page = response.content.decode()
    assert "Có 2 lỗi cần sửa" in page
    assert 'href="#id_v_records_total"' in page and 'href="#id_v_managers_total"' in page
    assert "Đã lưu nháp các ô hợp lệ" in page
    assert list(report.values.values_list("measure__code", "value")) == [("trees_checked", 10)]


def test_a_submission_with_an_error_saves_nothing(report, officer_a, client_for):
    values = typed_values(report)
    values["records_total"] = "abc"
    response = post(client_for(officer_a), report, form_post(report, values, action="submit"))
    assert response.status_code == 200 and field_error(response, "records_total")
    assert "Chưa lưu được" in response.content.decode()
    assert_nothing_saved(report)


def test_draft_accepts_blanks(report, officer_a, client_for):
    response = post(client_for(officer_a), report, form_post(report, {"records_total": "10"}))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.version == 2
    assert list(report.values.values_list("measure__code", flat=True)) == ["records_total"]


def test_clearing_a_value_removes_it(report, officer_a, client_for):
    client = client_for(officer_a)
    post(client, report, form_post(report, {"records_total": "10"}))
    report.refresh_from_db()
    post(client, report, form_post(report, {}))
    assert report.values.get(measure__code="records_total").value is None


def test_no_data_needs_a_note_and_no_value(report, officer_a, client_for):
    client = client_for(officer_a)
    response = post(client, report, form_post(report, no_data=["trees_checked"]))
    assert "ghi rõ lý do" in field_error(response, "trees_checked")
    response = post(client, report, form_post(report, {"trees_checked": "5"}, no_data=["trees_checked"]))
    assert "bỏ đánh dấu" in field_error(response, "trees_checked")
    assert_nothing_saved(report)
    data = form_post(report, no_data=["trees_checked"], notes={"trees_checked": "Chưa kiểm tra"})
    assert post(client, report, data).status_code == 302
    stored = report.values.get(measure__code="trees_checked")
    assert stored.no_data and stored.value is None and stored.note == "Chưa kiểm tra"


def test_clearing_the_note_of_a_no_data_mark_is_refused(report, officer_a):
    """The reason must be in the save itself: an older note does not count once cleared."""
    report_save_values(
        report=report, by=officer_a, values={}, no_data={"trees_checked"}, notes={"trees_checked": "Lý do"}
    )
    with pytest.raises(ReportError) as exc:
        report_save_values(
            report=report,
            by=officer_a,
            values={"trees_checked": None},
            no_data={"trees_checked"},
            notes={"trees_checked": ""},
        )
    assert "trees_checked" in exc.value.problems
    assert report.values.get(measure__code="trees_checked").note == "Lý do"


def test_submit_requires_every_measure_and_saves_nothing_until_then(report, officer_a, client_for):
    client = client_for(officer_a)
    values = typed_values(report)
    del values["households_total"]
    response = post(client, report, form_post(report, values, action="submit"))
    assert response.status_code == 200
    assert "cần nhập số liệu trước khi gửi" in field_error(response, "households_total")
    assert_nothing_saved(report)
    data = form_post(
        report, values, action="submit", no_data=["households_total"], notes={"households_total": "Chờ điều tra"}
    )
    response = post(client, report, data)
    assert response.status_code == 302 and response.url == reverse("reports:report_submit", args=[report.pk])
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT  # submitting still needs the confirmation


def test_narratives_are_saved_per_section(report, officer_a, client_for):
    data = form_post(report, narratives={"I": "Đã xóa 120 nhà tạm.", "III": "Ra quân 4 đợt."})
    assert post(client_for(officer_a), report, data).status_code == 302
    texts = dict(Narrative.objects.filter(report=report).values_list("section__code", "text"))
    assert texts["I"] == "Đã xóa 120 nhà tạm." and texts["III"] == "Ra quân 4 đợt."
    page = client_for(officer_a).get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "Đã xóa 120 nhà tạm." in page


ROW = {"kind": "collective", "name": "Phòng Văn hóa huyện", "achievement": "Tổ chức 12 buổi", "award": "Bằng khen"}
ROW2 = {
    "kind": "individual",
    "name": "Lò Văn Minh",
    "position": "Trưởng bản",
    "work_unit": "Bản Mường Ảng",
    "achievement": "Trồng 5.000 cây",
    "award": "Giấy khen",
}


def test_commendation_rows_are_added_and_removed(report, officer_a, client_for):
    client = client_for(officer_a)
    response = post(client, report, form_post(report, rows=[ROW, ROW2], action="add_row"))
    assert response.status_code == 302 and response.url.endswith("#commendations")
    assert list(report.commendations.values_list("name", flat=True)) == [ROW["name"], ROW2["name"]]
    page = client.get(reverse("reports:report_edit", args=[report.pk])).content.decode()
    # The two saved rows (each with its id) and one blank row to add another.
    assert 'name="commendations-TOTAL_FORMS" value="3"' in page
    assert f'value="{ROW2["name"]}"' in page
    first, second = report.commendations.all()
    assert f'name="commendations-1-id" value="{second.pk}"' in page
    # A row is known by its id: removing the first leaves the second as it is.
    rows = [{**ROW, "id": first.pk, "DELETE": "on"}, {**ROW2, "id": second.pk}]
    response = post(client, report, form_post(report, rows=rows))
    assert response.status_code == 302
    assert list(report.commendations.values_list("pk", "name")) == [(second.pk, ROW2["name"])]
    event = report.events.filter(action=EventAction.SAVED).first()
    assert {"commendation": ROW["name"], "old": ROW["name"], "new": None} in event.changes


def test_blank_extra_row_is_ignored_and_half_filled_row_is_refused(report, officer_a, client_for):
    client = client_for(officer_a)
    blank = {"kind": "", "name": "", "achievement": "", "award": ""}
    assert post(client, report, form_post(report, rows=[blank])).status_code == 302
    assert not Commendation.objects.exists()
    assert_nothing_saved(report, version=1)  # nothing changed, nothing written
    response = post(client, report, form_post(report, {"records_total": "5"}, rows=[{**ROW, "award": ""}]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_commendations-0-award"' in page and 'href="#id_commendations-0-award"' in page
    assert f'value="{ROW["name"]}"' in page  # the half-filled row is still there to finish
    assert "invalid-feedback" in page
    # The draft keeps the figure; the unfinished proposal waits.
    assert stored(report, "records_total") == 5
    assert not Commendation.objects.exists()


def test_every_mistake_shows_at_once(report, officer_a, client_for):
    """A typo in one field and a part larger than its whole in another are both reported
    on the same save, so the officer fixes everything in one go."""
    data = form_post(report, {"households_total": "4.5", "records_total": "100", "records_online": "150"})
    response = post(client_for(officer_a), report, data)
    assert response.status_code == 200
    assert "dấu phẩy cho phần thập phân" in field_error(response, "households_total")
    assert "không được lớn hơn" in field_error(response, "records_online")
    assert "Có 2 lỗi cần sửa" in response.content.decode()
    assert stored(report, "households_total") is None and stored(report, "records_online") is None


def test_the_signer_is_saved_with_the_report_and_shown_back(report, officer_a, client_for):
    data = form_post(report, signer=("Lò Văn Hùng", "Phó Chủ tịch", True))
    assert post(client_for(officer_a), report, data).status_code == 302
    report.refresh_from_db()
    assert (report.signer_name, report.signer_title, report.signer_is_deputy) == ("Lò Văn Hùng", "Phó Chủ tịch", True)
    event = report.events.filter(action=EventAction.SAVED).latest("at")
    assert {"signer": "deputy", "old": False, "new": True} in event.changes
    page = client_for(officer_a).get(reverse("reports:report_edit", args=[report.pk])).content.decode()
    assert 'value="Lò Văn Hùng"' in page
    assert re.search(r'name="signer_is_deputy"[^>]*checked', page)
    assert 'placeholder="CHỦ TỊCH"' in page  # a district's head signs as CHỦ TỊCH

    data = form_post(report, signer=("Lò Văn Hùng", "Phó Chủ tịch", False))  # the box unticked
    assert post(client_for(officer_a), report, data).status_code == 302
    report.refresh_from_db()
    assert report.signer_is_deputy is False


def test_a_form_without_the_signer_fields_leaves_the_signer_alone(report, officer_a, client_for):
    post(client_for(officer_a), report, form_post(report, signer=("Lò Văn Hùng", "", True)))
    data = form_post(report, values={"records_total": "2.000"})
    assert post(client_for(officer_a), report, data).status_code == 302
    report.refresh_from_db()
    assert (report.signer_name, report.signer_is_deputy) == ("Lò Văn Hùng", True)
    assert stored(report, "records_total") == Decimal(2000)


def test_a_signer_name_with_control_characters_is_refused(report, officer_a, client_for):
    response = post(client_for(officer_a), report, form_post(report, signer=("Lò Văn\x0bHùng", "", False)))
    assert response.status_code == 200
    assert "Người ký" in unescape(response.content.decode())
    report.refresh_from_db()
    assert report.signer_name == ""
