"""The officer's pages: my unit, starting a report, the unit's own results after saving,
read-only after submission, the history, and the no-lost-update refusal."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import ReportStatus, UnitReport
from reports.services import report_get_or_create, report_save_values
from reports.tests.report_web import fill, form_post
from reports.workflow import report_return, report_submit


@pytest.fixture
def report(campaign, unit_a, officer_a):
    return report_get_or_create(campaign=campaign, unit=unit_a, by=officer_a)


def text_of(response):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_my_unit_shows_days_left_and_a_start_button(campaign, officer_a, client_for):
    campaign.unit_deadline = timezone.localdate() + datetime.timedelta(days=12)
    campaign.save()
    response = client_for(officer_a).get(reverse("reports:my_unit"))
    page = text_of(response)
    assert "Huyện Mường Ảng" in page and "1908/UBND-KSTT" in page
    assert "còn 12 ngày" in page and "Chưa bắt đầu" in page
    assert reverse("reports:report_start", args=[campaign.code]) in response.content.decode()
    assert not UnitReport.objects.exists()


def test_my_unit_shows_days_late_status_and_the_reviewers_reason(campaign, report, officer_a, reviewer, client_for):
    campaign.unit_deadline = timezone.localdate() - datetime.timedelta(days=3)
    campaign.save()
    report_save_values(report=report, by=officer_a, values={})
    UnitReport.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    report.refresh_from_db()
    report_return(report=report, by=reviewer, reason="Bổ sung số hộ nghèo cuối kỳ")
    page = text_of(client_for(officer_a).get(reverse("reports:my_unit")))
    assert "quá hạn 3 ngày" in page
    assert "Bị trả lại" in page
    assert "Bổ sung số hộ nghèo cuối kỳ" in page


def test_start_is_idempotent(campaign, officer_a, client_for):
    client = client_for(officer_a)
    first = client.post(reverse("reports:report_start", args=[campaign.code]))
    second = client.post(reverse("reports:report_start", args=[campaign.code]))
    assert first.url == second.url
    report = UnitReport.objects.get()
    assert report.events.count() == 1  # one "created" event


def test_form_groups_measures_by_section_with_goals_beside_them(report, officer_a, client_for):
    response = client_for(officer_a).get(reverse("reports:report_edit", args=[report.pk]))
    html = response.content.decode()
    section_ii = html.index('id="section-II"')
    assert html.index('id="id_v_records_total"') < section_ii < html.index('id="id_v_trees_checked"')
    # Mường Ảng is a poor district: the group goal (5,5) applies, not the province's 4.
    row = html[html.index('id="id_v_poor_households_start"') :][:2000]
    assert "Giảm tỷ lệ hộ nghèo" in row and "5,5" in row
    # Only the unit's own measures: a department's project is not on a district's form.
    assert "id_v_project_stadium" not in html
    assert 'name="version" value="1"' in html


def test_after_saving_the_unit_sees_its_own_results_and_status(report, officer_a, client_for):
    client = client_for(officer_a)
    data = form_post(
        report, {"poor_households_start": "3.000", "poor_households_end": "2.500", "households_total": "12.000"}
    )
    assert client.post(reverse("reports:report_edit", args=[report.pk]), data).status_code == 302
    page = text_of(client.get(reverse("reports:report_edit", args=[report.pk])))
    # (3000 - 2500) / 12000 * 100 = 4,17 → 4,2 against the group's 5,5: 76 % of the way.
    assert re.search(r"Giảm tỷ lệ hộ nghèo .*? 4,2 điểm % ≥ 5,5 điểm % ◑ Cần đẩy nhanh", page)


def test_history_shows_who_when_and_old_to_new(report, officer_a, client_for):
    client = client_for(officer_a)
    url = reverse("reports:report_edit", args=[report.pk])
    client.post(url, form_post(report, {"records_total": "1.000"}))
    report.refresh_from_db()
    client.post(url, form_post(report, {"records_total": "1.200"}))
    page = text_of(client.get(reverse("reports:report_detail", args=[report.pk])))
    assert "Lịch sử báo cáo" in page
    assert "Tổng số hồ sơ công việc: 1.000 → 1.200" in page
    assert "Tổng số hồ sơ công việc: — → 1.000" in page
    assert "Alice" in page and "Lưu nháp" in page and "Tạo báo cáo" in page


def test_a_stale_form_saves_its_own_changes_and_keeps_the_colleagues(report, officer_a, client_for):
    colleague = client_for(officer_a)
    me = client_for(officer_a)
    url = reverse("reports:report_edit", args=[report.pk])
    stale = form_post(report, {"managers_total": "40"})  # opened at version 1
    assert colleague.post(url, form_post(report, {"records_total": "1.000"})).status_code == 302

    response = me.post(url, stale)  # my form still shows records_total blank: I did not touch it
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.values.get(measure__code="records_total").value == 1000
    assert report.values.get(measure__code="managers_total").value == 40
    page = text_of(me.get(url))
    assert "các thay đổi của họ được giữ nguyên và gộp với thay đổi của bạn" in page
    history = text_of(me.get(reverse("reports:report_detail", args=[report.pk])))
    assert "Gộp với các thay đổi đã lưu ở phiên bản 2 (biểu mẫu mở từ phiên bản 1)" in history


def test_a_field_both_changed_is_shown_side_by_side_until_chosen(report, officer_a, client_for):
    colleague = client_for(officer_a)
    me = client_for(officer_a)
    url = reverse("reports:report_edit", args=[report.pk])
    stale = form_post(report, {"records_total": "900", "managers_total": "40"})  # read at version 1
    assert colleague.post(url, form_post(report, {"records_total": "1.000"})).status_code == 302

    response = me.post(url, stale)
    assert response.status_code == 200
    page = text_of(response)
    assert "Chưa lưu: 1 ô bị sửa cùng lúc" in page
    assert "Tổng số hồ sơ công việc: — → 1.000" in page  # what they saved
    html = response.content.decode()
    conflict = html[html.index('id="conflict-figure-records_total"') :]
    assert 'data-side="theirs">1.000<' in conflict and 'data-side="mine">900<' in conflict
    assert 'name="resolve:figure:records_total" value="theirs"' in conflict
    assert 'value="900"' in html and 'value="40"' in html  # what I typed is kept
    report.refresh_from_db()
    assert report.version == 2
    assert report.values.get(measure__code="records_total").value == 1000
    assert not report.values.filter(measure__code="managers_total").exists()

    # The page carries the new base: saving without choosing asks again, nothing saved.
    again = {**stale, "base": re.search(r'name="base" value="([^"]+)"', html).group(1), "version": "2"}
    response = me.post(url, again)
    assert response.status_code == 200 and "Chọn giữ của họ hoặc dùng của tôi." in text_of(response)
    assert not report.values.filter(measure__code="managers_total").exists()

    # Keeping theirs saves my other change and leaves their figure.
    response = me.post(url, {**again, "resolve:figure:records_total": "theirs"})
    assert response.status_code == 302
    assert report.values.get(measure__code="records_total").value == 1000
    assert report.values.get(measure__code="managers_total").value == 40


def test_choosing_mine_saves_mine(report, officer_a, client_for):
    me = client_for(officer_a)
    url = reverse("reports:report_edit", args=[report.pk])
    stale = form_post(report, {"records_total": "900"})
    assert client_for(officer_a).post(url, form_post(report, {"records_total": "1.000"})).status_code == 302
    html = me.post(url, stale).content.decode()
    base = re.search(r'name="base" value="([^"]+)"', html).group(1)
    response = me.post(url, {**stale, "base": base, "version": "2", "resolve:figure:records_total": "mine"})
    assert response.status_code == 302
    assert report.values.get(measure__code="records_total").value == 900


def test_a_forged_base_is_not_trusted(report, officer_a, client_for):
    url = reverse("reports:report_edit", args=[report.pk])
    stale = form_post(report, {"managers_total": "40"})
    assert client_for(officer_a).post(url, form_post(report, {"records_total": "1.000"})).status_code == 302
    # Without a base it can read, the form cannot tell what it changed: every difference
    # from what is stored is a conflict, and nothing is written.
    response = client_for(officer_a).post(url, {**stale, "base": "forged"})
    assert response.status_code == 200
    assert 'id="conflict-figure-records_total"' in response.content.decode()
    assert not report.values.filter(measure__code="managers_total").exists()


def test_stale_submit_confirmation_is_refused(report, officer_a, client_for):
    fill(report, officer_a)
    client = client_for(officer_a)
    response = client.post(reverse("reports:report_submit", args=[report.pk]), {"version": 1})
    assert response.status_code == 302 and response.url == reverse("reports:report_submit", args=[report.pk])
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_submitted_report_is_read_only(report, officer_a, client_for):
    fill(report, officer_a)
    report_submit(report=report, by=officer_a)
    client = client_for(officer_a)
    response = client.get(reverse("reports:report_edit", args=[report.pk]))
    assert response.status_code == 302 and response.url == reverse("reports:report_detail", args=[report.pk])
    version = report.version
    response = client.post(reverse("reports:report_edit", args=[report.pk]), form_post(report, {"records_total": "1"}))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.version == version and report.values.get(measure__code="records_total").value == 1000
    detail = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert reverse("reports:report_edit", args=[report.pk]) not in detail
    assert 'id="review"' not in detail  # the unit cannot review its own report
