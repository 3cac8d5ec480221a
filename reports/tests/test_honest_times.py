"""Honest times: on time or late is judged by the first submission, a resubmission after a
return is shown as such, and every date and time reads in Asia/Ho_Chi_Minh."""

import datetime
import importlib
import io
import re
import zoneinfo
from html import unescape

import pytest
from django.apps import apps
from django.urls import reverse
from docx import Document
from openpyxl import Workbook

from campaigns.numbers import format_vn_date, format_vn_datetime
from reports.excel import write_table_sheet
from reports.jobs import job_claim, job_run
from reports.models import EventAction, JobStatus, ReportEvent, Summary, UnitReport
from reports.services import report_save_values
from reports.summary import summary_compile, summary_create
from reports.tests.pdf_reading import pdf_text, read_field
from reports.tests.printing_data import LATE, ON_TIME, fill_report
from reports.workflow import report_accept, report_return, report_submit

VIETNAM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
# 05:34 on 01/12 in Điện Biên is still 30/11 in UTC.
EARLY_MORNING = datetime.datetime(2024, 12, 1, 5, 34, tzinfo=VIETNAM)


def text_of(response):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_settings_use_the_vietnam_time_zone(settings):
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh" and settings.USE_TZ


def test_dates_and_times_are_formatted_in_vietnam_time():
    utc = EARLY_MORNING.astimezone(datetime.UTC)
    assert utc.day == 30
    assert format_vn_date(utc) == "01/12/2024"
    assert format_vn_datetime(utc) == "01/12/2024 05:34"
    assert format_vn_date(datetime.date(2024, 11, 15)) == "15/11/2024"


def test_excel_cells_hold_the_local_time():
    workbook = Workbook()
    sheet = write_table_sheet(workbook, "Lúc", ["Lúc"], [[EARLY_MORNING.astimezone(datetime.UTC)]])
    assert sheet["A2"].value == datetime.datetime(2024, 12, 1, 5, 34)
    assert sheet["A2"].number_format == "DD/MM/YYYY HH:MM"


def test_leader_overview_dates_a_summary_made_at_0534_by_the_vietnam_day(campaign, leader, client_for):
    Summary.objects.create(
        campaign=campaign,
        number=1,
        status=JobStatus.DONE,
        finished_at=EARLY_MORNING.astimezone(datetime.UTC),
        pdf="summaries/tong-hop.pdf",
    )
    page = text_of(client_for(leader).get(reverse("reports:overview", args=[campaign.code])))
    assert "lập ngày 01/12/2024" in page
    assert "30/11/2024" not in page


def test_queue_history_and_event_show_a_submission_at_0534_in_vietnam_time(
    campaign, unit_a, officer_a, reviewer, client_for
):
    report = fill_report(campaign, unit_a, officer_a, submit_at=None)
    report_submit(report=report, by=officer_a, now=EARLY_MORNING.astimezone(datetime.UTC))
    ReportEvent.objects.filter(report=report, action=EventAction.SUBMITTED).update(at=EARLY_MORNING)
    client = client_for(reviewer)
    assert "01/12/2024 05:34" in text_of(client.get(reverse("reports:review_queue")))
    detail = text_of(client.get(reverse("reports:report_detail", args=[report.pk])))
    assert "Gửi lúc: 01/12/2024 05:34" in detail
    assert re.search(r"01/12/2024 05:34 \S+ Gửi báo cáo", detail)  # the history row
    assert str(report.events.get(action=EventAction.SUBMITTED)).endswith("01/12/2024 05:34")


@pytest.fixture
def resubmitted(campaign, unit_a, officer_a, reviewer):
    """Mường Ảng sent its report on time (10/11), was returned, and sent it again late (20/11)."""
    report = fill_report(campaign, unit_a, officer_a, submit_at=ON_TIME)
    report_return(report=report, by=reviewer, reason="Bổ sung số liệu hồ sơ trực tuyến.")
    report_save_values(report=report, by=officer_a, values={"records_online": 1700})
    report_submit(report=report, by=officer_a, now=LATE)
    report.refresh_from_db()
    return report


def test_a_resubmission_after_the_deadline_keeps_the_first_time_and_stays_on_time(resubmitted):
    report = resubmitted
    assert not report.is_late
    assert report.first_submitted_at == ON_TIME and report.submitted_at == LATE
    assert report.resubmitted_at == LATE


def test_a_first_submission_after_the_deadline_is_late(campaign, unit_b, officer_b):
    report = fill_report(campaign, unit_b, officer_b, submit_at=LATE)
    assert report.is_late and report.first_submitted_at == LATE and report.resubmitted_at is None


def test_the_deadline_day_ends_at_midnight_in_vietnam(campaign, unit_a, officer_a):
    # 01:30 on 16/11 in Điện Biên is 18:30 on 15/11 in UTC: already late.
    moment = datetime.datetime(2024, 11, 16, 1, 30, tzinfo=VIETNAM)
    report = fill_report(campaign, unit_a, officer_a, submit_at=moment.astimezone(datetime.UTC))
    assert report.is_late


def test_the_resubmission_shows_in_the_queue_the_report_and_its_history(resubmitted, reviewer, officer_a, client_for):
    report = resubmitted
    queue = text_of(client_for(reviewer).get(reverse("reports:review_queue")))
    assert "10/11/2024 09:00 · Gửi lại 20/11/2024 09:00" in queue
    detail = text_of(client_for(reviewer).get(reverse("reports:report_detail", args=[report.pk])))
    assert "Gửi lúc: 10/11/2024 09:00 · Gửi lại 20/11/2024 09:00" in detail
    assert "Nộp muộn" not in detail
    history = detail.split("Lịch sử báo cáo")[1]
    assert history.count("Gửi lại") == 1 and history.count("Gửi báo cáo") == 1
    my_unit = text_of(client_for(officer_a).get(reverse("reports:my_unit")))
    assert "Đã gửi 10/11/2024 · Gửi lại 20/11/2024" in my_unit


def test_the_history_marks_every_submission_after_the_first(resubmitted, reviewer, officer_a, client_for):
    report = resubmitted
    report_return(report=report, by=reviewer, reason="Lần nữa.")
    report_submit(report=report, by=officer_a, now=LATE + datetime.timedelta(days=1))
    report_accept(report=report, by=reviewer)
    history = text_of(client_for(reviewer).get(reverse("reports:report_detail", args=[report.pk])))
    history = history.split("Lịch sử báo cáo")[1]
    assert history.count("Gửi lại") == 2 and history.count("Gửi báo cáo") == 1


def compile_summary_now(campaign, reviewer):
    summary = summary_create(campaign=campaign, by=reviewer, document_date=datetime.date(2024, 12, 15))
    job = job_claim(Summary, summary.pk)
    job_run(job, lambda: summary_compile(summary=job))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    return job


def test_the_summary_counts_a_resubmitted_report_on_time_and_dates_both(
    resubmitted, campaign, unit_b, officer_b, reviewer
):
    fill_report(campaign, unit_b, officer_b, submit_at=LATE)
    summary = compile_summary_now(campaign, reviewer)

    text = pdf_text(read_field(summary.pdf))
    assert "Các đơn vị gửi báo cáo đúng hạn: Huyện Mường Ảng." in text
    assert "Các đơn vị gửi báo cáo muộn: Sở Văn hóa, Thể thao và Du lịch." in text
    overview = text.split("Phụ lục I")[1]
    assert "Huyện Mường Ảng Huyện, thị xã, thành phố Đúng hạn 10/11/2024 gửi lại 20/11/2024" in overview
    assert "gửi ngày 10/11/2024, gửi lại ngày 20/11/2024;" in text
    assert "gửi ngày 20/11/2024 (gửi muộn);" in text

    document = Document(io.BytesIO(read_field(summary.docx)))
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert "Các đơn vị gửi báo cáo đúng hạn: Huyện Mường Ảng." in paragraphs
    assert "Các đơn vị gửi báo cáo muộn: Sở Văn hóa, Thể thao và Du lịch." in paragraphs
    rows = {row.cells[1].text: [cell.text for cell in row.cells] for table in document.tables for row in table.rows[1:]}
    assert rows["Huyện Mường Ảng"][3:5] == ["Đúng hạn", "10/11/2024\ngửi lại 20/11/2024"]
    assert rows["Sở Văn hóa, Thể thao và Du lịch"][3:5] == ["Gửi muộn", "20/11/2024"]
    meta = (
        f"Báo cáo phiên bản {resubmitted.version}, gửi ngày 10/11/2024, gửi lại ngày 20/11/2024; chưa được thẩm định."
    )
    assert meta in paragraphs


def test_the_migration_keeps_the_first_submission_and_judges_lateness_by_it(resubmitted, campaign, unit_b, officer_b):
    """As before the upgrade: the resubmission overwrote the time and made the report late."""
    migration = importlib.import_module("reports.migrations.0006_first_submission")
    first_event = resubmitted.events.filter(action=EventAction.SUBMITTED).order_by("at", "pk").first()
    ReportEvent.objects.filter(pk=first_event.pk).update(at=ON_TIME)
    ReportEvent.objects.filter(report=resubmitted, action=EventAction.SUBMITTED).exclude(pk=first_event.pk).update(
        at=LATE
    )
    UnitReport.objects.filter(pk=resubmitted.pk).update(first_submitted_at=None, is_late=True)
    eventless = fill_report(campaign, unit_b, officer_b, submit_at=LATE)
    eventless.events.all().delete()
    UnitReport.objects.filter(pk=eventless.pk).update(first_submitted_at=None)

    migration.keep_first_submissions(apps, None)

    resubmitted.refresh_from_db()
    assert resubmitted.first_submitted_at == ON_TIME and resubmitted.submitted_at == LATE
    assert not resubmitted.is_late
    eventless.refresh_from_db()
    assert eventless.first_submitted_at == LATE and eventless.is_late


def test_a_report_never_submitted_has_no_submission_times(campaign, unit_a, officer_a):
    report = fill_report(campaign, unit_a, officer_a, submit_at=None)
    assert report.first_submitted_at is None and report.resubmitted_at is None
