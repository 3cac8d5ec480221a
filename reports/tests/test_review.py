"""The whole workflow through the web: save, submit with confirmation, return with a
mandatory reason, resubmit (late), accept; and the reviewer's queue with its filters."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Unit
from reports.models import EventAction, ReportStatus, UnitReport
from reports.services import report_get_or_create
from reports.tests.report_web import fill, form_post, typed_values
from reports.workflow import report_submit


@pytest.fixture
def report(campaign, unit_a, officer_a):
    return report_get_or_create(campaign=campaign, unit=unit_a, by=officer_a)


@pytest.fixture
def submitted(report, officer_a):
    fill(report, officer_a)
    return report_submit(report=report, by=officer_a)


def text_of(response):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def set_deadline(campaign, days_from_today):
    campaign.unit_deadline = timezone.localdate() + datetime.timedelta(days=days_from_today)
    campaign.save()


def test_whole_workflow_with_return_and_resubmission_after_the_deadline(
    campaign, report, officer_a, reviewer, client_for
):
    set_deadline(campaign, 5)
    officer, rita = client_for(officer_a), client_for(reviewer)
    edit = reverse("reports:report_edit", args=[report.pk])
    submit = reverse("reports:report_submit", args=[report.pk])
    detail = reverse("reports:report_detail", args=[report.pk])

    # Save and ask to submit: the confirmation page, nothing sent yet.
    response = officer.post(edit, form_post(report, typed_values(report), action="submit"))
    assert response.url == submit
    page = officer.get(submit)
    assert "Xác nhận gửi" in page.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT

    # Confirm: submitted on time and read-only.
    response = officer.post(submit, {"version": report.version})
    assert response.url == detail
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and not report.is_late and report.submitted_by == officer_a
    assert officer.get(edit).status_code == 302

    # The reviewer must give a reason to return it.
    response = rita.post(
        reverse("reports:report_return", args=[report.pk]), {"version": report.version, "comment": " "}
    )
    assert response.status_code == 200
    assert "Cần ghi rõ lý do trả lại" in re.search(
        r'invalid-feedback d-block">(.*?)</div>', response.content.decode()
    ).group(1)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    reason = "Số hộ nghèo cuối kỳ chưa khớp với kết quả rà soát"
    response = rita.post(
        reverse("reports:report_return", args=[report.pk]), {"version": report.version, "comment": reason}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED and report.reviewed_by == reviewer

    # The unit sees the reason, edits and resubmits after the deadline. The first submission
    # (moved back to two days before a deadline now past) was on time: the report stays on time.
    assert reason in text_of(officer.get(detail))
    assert reason in text_of(officer.get(reverse("reports:my_unit")))
    set_deadline(campaign, -2)
    first = timezone.now() - datetime.timedelta(days=4)
    UnitReport.objects.filter(pk=report.pk).update(first_submitted_at=first, submitted_at=first)
    values = typed_values(report) | {"poor_households_end": "2.450"}
    assert officer.post(edit, form_post(report, values, action="submit")).url == submit
    report.refresh_from_db()
    assert "Đã quá hạn 2 ngày" in text_of(officer.get(submit))
    officer.post(submit, {"version": report.version})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and not report.is_late
    assert report.first_submitted_at == first and report.resubmitted_at == report.submitted_at
    page = text_of(rita.get(detail))
    assert "Nộp muộn" not in page
    resent = timezone.localtime(report.submitted_at).strftime("%d/%m/%Y %H:%M")
    assert f"Gửi lúc: {timezone.localtime(first):%d/%m/%Y %H:%M} · Gửi lại {resent}" in page
    assert f"Gửi lại {resent}" in text_of(rita.get(reverse("reports:review_queue")))

    # Accepted: who and when are kept; the history lists every step.
    response = rita.post(reverse("reports:report_accept", args=[report.pk]), {"version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.reviewed_at is not None
    actions = list(report.events.order_by("at", "pk").values_list("action", flat=True))
    assert actions == [
        EventAction.CREATED,
        EventAction.SAVED,
        EventAction.SUBMITTED,
        EventAction.RETURNED,
        EventAction.SAVED,
        EventAction.SUBMITTED,
        EventAction.ACCEPTED,
    ]
    page = text_of(officer.get(detail))
    assert "Số hộ nghèo cuối kỳ: 2.500 → 2.450" in page and reason in page


def test_submit_confirmation_lists_what_is_missing(report, officer_a, client_for):
    client = client_for(officer_a)
    client.post(reverse("reports:report_edit", args=[report.pk]), form_post(report, {"records_total": "10"}))
    page = text_of(client.get(reverse("reports:report_submit", args=[report.pk])))
    assert "Chưa gửi được" in page and "Tổng số hộ dân cư: cần nhập số liệu trước khi gửi" in page
    report.refresh_from_db()
    response = client.post(reverse("reports:report_submit", args=[report.pk]), {"version": report.version})
    assert response.status_code == 200 and "Chưa gửi được" in text_of(response)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_reviewer_sees_values_against_goals_and_the_actions(submitted, reviewer, client_for):
    report = submitted
    response = client_for(reviewer).get(reverse("reports:report_detail", args=[report.pk]))
    page = text_of(response)
    assert "Chấp nhận" in page and "Trả lại đơn vị" in page
    assert re.search(r"Giảm tỷ lệ hộ nghèo .*? 4,2 điểm % ≥ 5,5 điểm % ◑ Cần đẩy nhanh", page)
    assert "Tổng số hộ dân cư 12.000 hộ" in page


def test_leader_reads_without_actions(submitted, leader, client_for):
    report = submitted
    html = client_for(leader).get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "12.000" in html and 'id="review"' not in html


def test_stale_review_is_refused(submitted, reviewer, client_for):
    report = submitted
    response = client_for(reviewer).post(
        reverse("reports:report_accept", args=[report.pk]), {"version": report.version - 1}
    )
    assert response.status_code == 200 and "lưu trong lúc bạn sửa" in text_of(response)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_accepting_twice_is_refused(submitted, reviewer, client_for):
    report = submitted
    client = client_for(reviewer)
    url = reverse("reports:report_accept", args=[report.pk])
    client.post(url, {"version": report.version})
    report.refresh_from_db()
    response = client.post(url, {"version": report.version})
    assert response.status_code == 200
    assert "Chỉ chấp nhận được báo cáo đã gửi" in text_of(response)
    report.refresh_from_db()
    assert report.events.filter(action=EventAction.ACCEPTED).count() == 1


@pytest.fixture
def queue(campaign, officer_a, reviewer):
    """Four reports: Mường Ảng submitted late, a department submitted on time, the city
    accepted, another poor district still a draft."""

    def make(code, status, late=False):
        report = report_get_or_create(campaign=campaign, unit=Unit.objects.get(code=code), by=officer_a)
        UnitReport.objects.filter(pk=report.pk).update(status=status, is_late=late, submitted_at=timezone.now())
        return report

    return {
        "muong_ang": make("h-muong-ang", ReportStatus.SUBMITTED, late=True),
        "vhttdl": make("so-vhttdl", ReportStatus.SUBMITTED),
        "dbp": make("tp-dien-bien-phu", ReportStatus.ACCEPTED),
        "tuan_giao": make("h-tuan-giao", ReportStatus.DRAFT),
    }


def queue_units(client, **params):
    page = text_of(client.get(reverse("reports:review_queue"), params))
    names = ["Huyện Mường Ảng", "Sở Văn hóa, Thể thao và Du lịch", "Thành phố Điện Biên Phủ", "Huyện Tuần Giáo"]
    return {name for name in names if name in page}


def test_queue_shows_submitted_reports_by_default_and_filters(queue, reviewer, client_for):
    client = client_for(reviewer)
    assert queue_units(client) == {"Huyện Mường Ảng", "Sở Văn hóa, Thể thao và Du lịch"}
    assert queue_units(client, kind="district", status="") == {
        "Huyện Mường Ảng",
        "Thành phố Điện Biên Phủ",
        "Huyện Tuần Giáo",
    }
    assert queue_units(client, group="huyen-ngheo", status="") == {"Huyện Mường Ảng", "Huyện Tuần Giáo"}
    assert queue_units(client, status="accepted") == {"Thành phố Điện Biên Phủ"}
    assert queue_units(client, status="submitted", late="1") == {"Huyện Mường Ảng"}
    assert queue_units(client, status="submitted", late="0") == {"Sở Văn hóa, Thể thao và Du lịch"}
    assert queue_units(client, group="cum-huyen-1", kind="district", status="submitted") == {"Huyện Mường Ảng"}


def test_queue_ignores_unknown_filter_values(queue, reviewer, client_for):
    response = client_for(reviewer).get(reverse("reports:review_queue"), {"kind": "planet", "status": "nope"})
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
