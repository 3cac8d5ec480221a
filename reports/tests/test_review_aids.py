"""Review aids: what changed since a report was returned, reopening an accepted report and
recalling a submitted one (state rules, audit events, the pages, who may)."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from reports.models import EventAction, ReportEvent, ReportStatus, UnitReport
from reports.review import changes_since_return
from reports.services import ConcurrentEdit, ReportError, report_get_or_create, report_save_values
from reports.tests.report_web import fill
from reports.workflow import report_accept, report_recall, report_reopen, report_return, report_submit

ROW = {"kind": "individual", "name": "Lò Văn Pọm", "achievement": "Trồng 5.000 cây", "award": "Giấy khen"}


@pytest.fixture
def report(campaign, unit_a, officer_a):
    return report_get_or_create(campaign=campaign, unit=unit_a, by=officer_a)


@pytest.fixture
def submitted(report, officer_a):
    fill(report, officer_a)
    report_save_values(
        report=report,
        by=officer_a,
        values={"records_total": Decimal(1000)},
        notes={"records_total": "theo sổ"},
        narratives={"I": "Đã hoàn thành"},
        commendations=[ROW],
    )
    return report_submit(report=report, by=officer_a)


@pytest.fixture
def returned(submitted, reviewer):
    return report_return(report=submitted, by=reviewer, reason="Số hộ nghèo chưa khớp")


@pytest.fixture
def accepted(submitted, reviewer):
    return report_accept(report=submitted, by=reviewer)


def text_of(response):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def state():
    return (
        list(UnitReport.objects.order_by("pk").values_list("pk", "status", "version", "reviewer_comment")),
        ReportEvent.objects.count(),
    )


def resubmit_with_edits(report, officer):
    report_save_values(
        report=report,
        by=officer,
        values={"poor_households_end": Decimal(2400), "temporary_houses_removed": None, "records_total": Decimal(1000)},
        no_data={"temporary_houses_removed"},
        notes={"temporary_houses_removed": "chưa thống kê", "records_total": "theo phần mềm"},
        narratives={"I": "Đã hoàn thành, vượt kế hoạch"},
        commendations=[ROW | {"award": "Bằng khen"}, {**ROW, "name": "Quàng Thị Ả"}],
    )
    return report_submit(report=report, by=officer)


# --- changes since the return -----------------------------------------------------------
def test_changes_since_return_field_by_field(returned, officer_a):
    resubmit_with_edits(returned, officer_a)
    changes = changes_since_return(returned)
    assert changes.at == returned.events.get(action=EventAction.RETURNED).at
    rows = {row["label"]: (row["old"], row["new"], row.get("edited", False)) for row in changes.rows}
    assert rows["Số hộ nghèo cuối kỳ"] == ("2.500", "2.400", False)
    assert rows["Số nhà tạm, dột nát được xóa"] == ("100", None, False)
    assert rows["Số nhà tạm, dột nát được xóa — không có số liệu"] == ("không", "có", False)
    assert rows["Số nhà tạm, dột nát được xóa — ghi chú"] == ("", "chưa thống kê", False)
    assert rows["Tổng số hồ sơ công việc — ghi chú"] == ("theo sổ", "theo phần mềm", False)
    assert rows["Nội dung phần I"] == ("Đã hoàn thành", "Đã hoàn thành, vượt kế hoạch", False)
    assert rows["Đề nghị khen thưởng: Lò Văn Pọm"] == ("Lò Văn Pọm", "Lò Văn Pọm", True)
    assert rows["Đề nghị khen thưởng: Quàng Thị Ả"] == (None, "Quàng Thị Ả", False)
    # In the directive's order: figures first, then narratives, then proposals.
    labels = [row["label"] for row in changes.rows]
    assert labels.index("Số hộ nghèo cuối kỳ") < labels.index("Nội dung phần I")
    assert labels.index("Nội dung phần I") < labels.index("Đề nghị khen thưởng: Lò Văn Pọm")


def test_a_field_changed_and_changed_back_is_left_out(returned, officer_a):
    report_save_values(report=returned, by=officer_a, values={"poor_households_end": Decimal(1)})
    report_save_values(report=returned, by=officer_a, values={"poor_households_end": Decimal(2500)})
    report_submit(report=returned, by=officer_a)
    assert changes_since_return(returned).rows == []


def test_only_changes_after_the_last_return_count(returned, officer_a, reviewer):
    report_save_values(report=returned, by=officer_a, values={"poor_households_end": Decimal(2400)})
    report_submit(report=returned, by=officer_a)
    report_return(report=returned, by=reviewer, reason="Còn thiếu")
    report_save_values(report=returned, by=officer_a, values={"households_total": Decimal(12500)})
    report_submit(report=returned, by=officer_a)
    labels = [row["label"] for row in changes_since_return(returned).rows]
    assert labels == ["Tổng số hộ dân cư"]


def test_never_returned_has_no_changes_block(submitted):
    assert changes_since_return(submitted) is None


def test_report_page_shows_the_block_to_the_reviewer_once_sent_again(returned, officer_a, reviewer, client_for):
    detail = reverse("reports:report_detail", args=[returned.pk])
    rita = client_for(reviewer)
    assert "Thay đổi từ khi trả lại" not in text_of(rita.get(detail))  # returned, not sent again yet
    resubmit_with_edits(returned, officer_a)
    before = state()
    page = text_of(rita.get(detail))
    assert state() == before
    day = timezone.localtime(returned.events.get(action=EventAction.RETURNED).at).strftime("%d/%m/%Y")
    assert f"Thay đổi từ khi trả lại ({day})" in page
    assert "Số hộ nghèo cuối kỳ 2.500 2.400" in page
    assert "Đã hoàn thành, vượt kế hoạch" in page


def test_sent_again_unchanged_says_so(returned, officer_a, reviewer, client_for):
    report_submit(report=returned, by=officer_a)
    page = text_of(client_for(reviewer).get(reverse("reports:report_detail", args=[returned.pk])))
    assert "Đơn vị gửi lại mà không sửa mục nào." in page


def test_history_names_note_and_no_data_changes(returned, officer_a, client_for):
    resubmit_with_edits(returned, officer_a)
    page = text_of(client_for(officer_a).get(reverse("reports:report_detail", args=[returned.pk])))
    assert "Tổng số hồ sơ công việc — ghi chú: theo sổ → theo phần mềm" in page
    assert "Số nhà tạm, dột nát được xóa — không có số liệu: không → có" in page


# --- reopen -------------------------------------------------------------------------------
def test_reopen_sends_an_accepted_report_back_with_the_reason(accepted, reviewer, officer_a):
    submitted_at, is_late = accepted.submitted_at, accepted.is_late
    version = accepted.version
    report_reopen(report=accepted, by=reviewer, reason="  Số cây trồng cần đối chiếu lại  ")
    accepted.refresh_from_db()
    assert accepted.status == ReportStatus.RETURNED and accepted.editable
    assert accepted.reviewer_comment == "Số cây trồng cần đối chiếu lại"
    assert accepted.version == version + 1
    assert (accepted.submitted_at, accepted.is_late) == (submitted_at, is_late)
    event = accepted.events.first()
    assert (event.action, event.by, event.comment) == (EventAction.REOPENED, reviewer, "Số cây trồng cần đối chiếu lại")
    # The unit corrects it and sends it again; the reviewer sees what changed since the reopening.
    report_save_values(report=accepted, by=officer_a, values={"poor_households_end": Decimal(2400)})
    report_submit(report=accepted, by=officer_a)
    changes = changes_since_return(accepted)
    assert changes.at == event.at
    assert [(row["old"], row["new"]) for row in changes.rows] == [("2.500", "2.400")]


@pytest.mark.parametrize("status", [ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.RETURNED])
def test_reopen_only_accepted_reports(status, report, reviewer):
    UnitReport.objects.filter(pk=report.pk).update(status=status)
    report.refresh_from_db()
    with pytest.raises(ReportError, match="Chỉ mở lại được báo cáo đã chấp nhận"):
        report_reopen(report=report, by=reviewer, reason="Sai")
    assert not report.events.filter(action=EventAction.REOPENED).exists()


def test_reopen_needs_a_reason(accepted, reviewer):
    with pytest.raises(ReportError) as exc:
        report_reopen(report=accepted, by=reviewer, reason="   ")
    assert "reason" in exc.value.problems
    accepted.refresh_from_db()
    assert accepted.status == ReportStatus.ACCEPTED


def test_reopen_with_a_stale_version_is_refused(accepted, reviewer):
    with pytest.raises(ConcurrentEdit):
        report_reopen(report=accepted, by=reviewer, reason="Sai", expected_version=accepted.version - 1)
    accepted.refresh_from_db()
    assert accepted.status == ReportStatus.ACCEPTED


# --- recall -------------------------------------------------------------------------------
def test_recall_takes_back_a_report_nobody_reviewed(submitted, officer_a):
    submitted_at, is_late, submitted_by = submitted.submitted_at, submitted.is_late, submitted.submitted_by
    report_recall(report=submitted, by=officer_a)
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.DRAFT and submitted.editable
    assert (submitted.submitted_at, submitted.is_late, submitted.submitted_by) == (submitted_at, is_late, submitted_by)
    event = submitted.events.first()
    assert (event.action, event.by, event.version) == (EventAction.RECALLED, officer_a, submitted.version)


def test_recall_after_a_return_goes_back_to_returned_with_the_comment(returned, officer_a):
    report_submit(report=returned, by=officer_a)
    report_recall(report=returned, by=officer_a)
    returned.refresh_from_db()
    assert returned.status == ReportStatus.RETURNED
    assert returned.reviewer_comment == "Số hộ nghèo chưa khớp"


def test_recall_is_refused_once_reviewed(accepted, officer_a):
    with pytest.raises(ReportError, match="đã chấp nhận"):
        report_recall(report=accepted, by=officer_a)
    accepted.refresh_from_db()
    assert accepted.status == ReportStatus.ACCEPTED


@pytest.mark.parametrize("status", [ReportStatus.DRAFT, ReportStatus.RETURNED])
def test_recall_of_an_editable_report_is_refused(status, report, officer_a):
    UnitReport.objects.filter(pk=report.pk).update(status=status)
    report.refresh_from_db()
    with pytest.raises(ReportError, match="không cần rút lại"):
        report_recall(report=report, by=officer_a)
    assert not report.events.filter(action=EventAction.RECALLED).exists()


def test_recall_racing_a_review_loses_cleanly(submitted, officer_a, reviewer):
    stale = UnitReport.objects.get(pk=submitted.pk)
    report_accept(report=submitted, by=reviewer)
    with pytest.raises(ConcurrentEdit):
        report_recall(report=stale, by=officer_a)
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.ACCEPTED


# --- the pages ----------------------------------------------------------------------------
def test_report_page_offers_each_action_to_whom_it_is_for(submitted, reviewer, officer_a, leader, client_for):
    detail = reverse("reports:report_detail", args=[submitted.pk])
    assert "Xác nhận rút lại báo cáo" in text_of(client_for(officer_a).get(detail))
    for user in (reviewer, leader):
        assert "Xác nhận rút lại báo cáo" not in text_of(client_for(user).get(detail))
    report_accept(report=submitted, by=reviewer)
    assert "Xác nhận mở lại báo cáo" in text_of(client_for(reviewer).get(detail))
    for user in (officer_a, leader):
        page = text_of(client_for(user).get(detail))
        assert "Xác nhận mở lại báo cáo" not in page and "Xác nhận rút lại báo cáo" not in page


def test_reopen_through_the_page(accepted, reviewer, officer_a, client_for):
    rita = client_for(reviewer)
    url = reverse("reports:report_reopen", args=[accepted.pk])
    response = rita.post(url, {"version": accepted.version, "comment": ""})
    assert response.status_code == 200
    assert "Cần ghi rõ lý do mở lại" in text_of(response)
    response = rita.post(url, {"version": accepted.version, "comment": "Đối chiếu lại số cây"}, follow=True)
    assert "Đã mở lại báo cáo của" in text_of(response)
    accepted.refresh_from_db()
    assert accepted.status == ReportStatus.RETURNED
    page = text_of(client_for(officer_a).get(reverse("reports:report_detail", args=[accepted.pk])))
    assert "Đối chiếu lại số cây" in page and "Sửa báo cáo" in page


def test_reopen_with_a_stale_page_is_refused_with_a_message(accepted, reviewer, client_for):
    version = accepted.version
    report_reopen(report=accepted, by=reviewer, reason="Lần một")
    accepted.refresh_from_db()
    before = state()
    response = client_for(reviewer).post(
        reverse("reports:report_reopen", args=[accepted.pk]), {"version": version, "comment": "Lần hai"}, follow=True
    )
    assert response.status_code == 200
    assert "Chỉ mở lại được báo cáo đã chấp nhận" in text_of(response)
    assert state() == before
    # Accepted again meanwhile: the status allows it, the version does not.
    UnitReport.objects.filter(pk=accepted.pk).update(status=ReportStatus.ACCEPTED)
    before = state()
    response = client_for(reviewer).post(
        reverse("reports:report_reopen", args=[accepted.pk]), {"version": version, "comment": "Lần hai"}, follow=True
    )
    assert "Báo cáo vừa được người khác thay đổi" in text_of(response)
    assert state() == before


def test_recall_through_the_page(submitted, officer_a, client_for):
    alice = client_for(officer_a)
    response = alice.post(reverse("reports:report_recall", args=[submitted.pk]), {"version": submitted.version})
    assert response.url == reverse("reports:report_edit", args=[submitted.pk])
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.DRAFT
    assert "Rút lại báo cáo đã gửi" in text_of(alice.get(reverse("reports:report_detail", args=[submitted.pk])))


def test_recall_once_accepted_is_refused_with_a_message(accepted, officer_a, client_for):
    before = state()
    response = client_for(officer_a).post(
        reverse("reports:report_recall", args=[accepted.pk]), {"version": accepted.version}, follow=True
    )
    assert "không rút lại được" in text_of(response)
    assert state() == before


def test_recall_with_a_stale_version_is_refused(submitted, officer_a, client_for):
    before = state()
    response = client_for(officer_a).post(
        reverse("reports:report_recall", args=[submitted.pk]), {"version": submitted.version - 1}, follow=True
    )
    assert "Báo cáo vừa được người khác thay đổi" in text_of(response)
    assert state() == before


@pytest.mark.parametrize("name", ["report_reopen", "report_recall"])
def test_outsiders_get_404_and_get_changes_nothing(name, accepted, submitted, officer_b, leader, client_for):
    status = ReportStatus.ACCEPTED if name == "report_reopen" else ReportStatus.SUBMITTED
    UnitReport.objects.filter(pk=submitted.pk).update(status=status)
    url = reverse(f"reports:{name}", args=[submitted.pk])
    nobody = User.objects.create_user("nobody")
    before = state()
    for user in (nobody, officer_b, leader):
        assert client_for(user).post(url, {"version": submitted.version, "comment": "x"}).status_code == 404
    assert client_for(None).post(url, {"version": submitted.version}).status_code == 302  # to the login page
    assert client_for(officer_b).get(url).status_code == 405
    assert state() == before
