"""The three journeys of the people the portal is for, in a real Chromium, asserting on what
they see: an officer reports, a reviewer returns, accepts and compiles, a leader reads."""

import re

import pytest
from playwright.sync_api import expect

from campaigns.models import Unit
from reports.models import ReportStatus, Summary, UnitReport

from .conftest import figures_for, pdf_download, report_filled

pytestmark = pytest.mark.browser

SLOW_MS = 90_000  # a print or a summary rendered by WeasyPrint on a busy machine


def fill_figures(page, figures, overrides=None):
    """Type every figure into the field labelled with the measure's name."""
    overrides = overrides or {}
    for code, (name, text, _value) in figures.items():
        page.get_by_label(name, exact=True).fill(overrides.get(code, text))


def test_officer_fills_in_fixes_a_mistake_saves_submits_and_prints(page, sign_in, officer_a, campaign, background_jobs):
    sign_in(officer_a)
    expect(page.get_by_role("heading", level=1)).to_have_text("Huyện Mường Ảng")
    expect(page.get_by_text("Chưa bắt đầu")).to_be_visible()
    page.get_by_role("button", name="Bắt đầu báo cáo").click()
    expect(page).to_have_url(re.compile(r"/reports/\d+/edit/$"))
    report = UnitReport.objects.get(unit__code="h-muong-ang")
    figures = figures_for(report)

    # Two mistakes: 4.5 written the English way, and a part larger than its whole. Both are
    # shown at once, in the summary and next to their fields; the draft keeps every valid
    # figure, and the two mistakes wait, as typed, to be corrected.
    fill_figures(page, figures, {"poor_households_start": "20.000", "propaganda_events": "4.5"})
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.locator("#form-errors")).to_contain_text("Có 2 lỗi cần sửa")
    typo = page.get_by_label("Buổi tuyên truyền", exact=True)
    expect(typo).to_have_attribute("aria-invalid", "true")
    expect(typo).to_have_value("4.5")  # what was typed stays, to be corrected
    expect(page.locator("#id_v_propaganda_events_error")).to_contain_text("dùng dấu phẩy cho phần thập phân")
    part = page.get_by_label("Số hộ nghèo đầu kỳ", exact=True)
    expect(part).to_have_attribute("aria-invalid", "true")
    expect(part).to_have_value("20.000")
    expect(page.locator("#id_v_poor_households_start_error")).to_contain_text(
        "Số hộ nghèo đầu kỳ (20.000) không được lớn hơn Tổng số hộ dân cư (12.345)"
    )
    saved = set(report.values.values_list("measure__code", flat=True))
    assert saved == set(figures) - {"poor_households_start", "propaganda_events"}

    typo.fill("4")
    part.fill("2.100")
    page.get_by_label("Kết quả thực hiện, đánh giá").first.fill("Toàn huyện ra quân giảm nghèo, xóa nhà tạm.")
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.get_by_text(re.compile(r"Đã lưu nháp \(phiên bản \d+\)"))).to_be_visible()
    expect(page.locator("#form-errors")).to_have_count(0)
    expect(page.get_by_label("Tổng số hộ dân cư", exact=True)).to_have_value("12.345")
    expect(page.get_by_label("Số hộ nghèo đầu kỳ", exact=True)).to_have_value("2.100")

    page.get_by_role("button", name="Lưu và gửi báo cáo…").click()
    expect(page.get_by_role("heading", name="Xác nhận gửi báo cáo")).to_be_visible()
    expect(page.locator("#submit-problems")).to_have_count(0)
    page.get_by_role("button", name="Xác nhận gửi").click()
    expect(page).to_have_url(re.compile(rf"/reports/{report.pk}/$"))
    expect(page.get_by_text(re.compile("Đã gửi báo cáo"))).to_be_visible()
    expect(page.locator(".status-badge").first).to_contain_text("Đã gửi")
    expect(page.locator('[data-measure="poor_households_start"]')).to_have_text("2.100")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED

    page.get_by_role("button", name="In báo cáo (PDF)").click()
    download = page.get_by_role("link", name="Tải bản in (PDF)")
    expect(download).to_be_visible(timeout=SLOW_MS)
    assert pdf_download(page, download.click).startswith(b"%PDF")
    assert page.problems == []


@pytest.fixture
def submitted_report(campaign, officer_a):
    return report_filled(campaign=campaign, unit=Unit.objects.get(code="h-muong-ang"), officer=officer_a)


def test_reviewer_returns_officer_resubmits_reviewer_accepts_and_compiles_the_summary(
    page, sign_in, officer_a, reviewer, submitted_report, background_jobs
):
    report = submitted_report
    reason = "Số hộ nghèo cuối kỳ chưa khớp với danh sách rà soát; đề nghị kiểm tra lại."

    sign_in(reviewer)
    page.get_by_role("link", name="Duyệt báo cáo").click()
    page.get_by_role("link", name=re.compile("Huyện Mường Ảng")).first.click()
    expect(page.get_by_role("heading", name="Xét duyệt")).to_be_visible()
    page.locator("#review").get_by_role("textbox").fill(reason)
    page.get_by_role("button", name="Trả lại đơn vị").click()
    expect(page.get_by_text("Đã trả lại báo cáo cho Huyện Mường Ảng.")).to_be_visible()
    expect(page.locator("#reviewer-comment")).to_contain_text(reason)

    sign_in(officer_a)
    expect(page.get_by_role("cell", name=re.compile("chưa khớp với danh sách rà soát"))).to_be_visible()
    expect(page.locator(".status-badge").first).to_contain_text("Bị trả lại")
    page.get_by_role("link", name="Nhập báo cáo").click()
    expect(page.locator("#reviewer-comment")).to_contain_text("Sở Nội vụ trả lại báo cáo")
    expect(page.locator("#reviewer-comment")).to_contain_text(reason)
    page.get_by_label("Số hộ nghèo cuối kỳ", exact=True).fill("4.321")
    page.get_by_role("button", name="Lưu và gửi báo cáo…").click()
    page.get_by_role("button", name="Xác nhận gửi").click()
    expect(page.locator(".status-badge").first).to_contain_text("Đã gửi")

    sign_in(reviewer)
    page.goto(f"/reports/{report.pk}/")
    expect(page.locator('[data-measure="poor_households_end"]')).to_have_text("4.321")
    page.get_by_role("button", name="Chấp nhận").click()
    expect(page.get_by_text("Đã chấp nhận báo cáo của Huyện Mường Ảng.")).to_be_visible()
    expect(page.locator(".status-badge").first).to_contain_text("Đã chấp nhận")

    page.get_by_role("link", name="Báo cáo tổng hợp").first.click()
    page.get_by_label("Số văn bản").fill("125")
    page.get_by_role("button", name="Tổng hợp báo cáo").click()
    expect(page).to_have_url(re.compile(r"/summary/\d+/$"))
    progress = page.locator("#summary-progress")
    expect(progress).to_be_visible()  # queued: the bar is there before the job has run
    expect(page.get_by_text("Đã tổng hợp xong.")).to_be_visible(timeout=SLOW_MS)
    expect(progress).to_have_count(0)
    pdf = pdf_download(page, page.get_by_role("link", name="Tải PDF").click)
    assert pdf.startswith(b"%PDF")
    summary = Summary.objects.get()
    assert summary.report_versions  # built from the accepted report
    assert page.problems == []


@pytest.fixture
def compiled_summary(campaign, officer_a, officer_b, reviewer):
    """Two units reported; the reviewer compiled summary #1 (really rendered)."""
    from reports.summary import summary_create
    from reports.tasks import compile_summary

    report_filled(campaign=campaign, unit=Unit.objects.get(code="h-muong-ang"), officer=officer_a)
    report_filled(campaign=campaign, unit=Unit.objects.get(code="so-vhttdl"), officer=officer_b)
    summary = summary_create(campaign=campaign, by=reviewer, document_number="125")
    compile_summary.apply(args=[summary.pk], throw=True)
    summary.refresh_from_db()
    assert summary.status == "done"
    return summary


def test_leader_reads_the_overview_and_downloads_the_latest_summary(page, sign_in, leader, campaign, compiled_summary):
    sign_in(leader)
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Tổng quan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tổng quan")
    participants = campaign.participants().count()
    expect(page.locator('[data-card="submissions"]')).to_contain_text(f"2/{participants}")
    cards = page.locator("[data-card]")
    assert cards.count() > 1
    # Every status shows its words, not only a colour.
    for badge in page.locator("[data-status]").all():
        assert badge.inner_text().strip(), "a status shown by colour alone"
    link = page.get_by_role("link", name=re.compile(r"Tải báo cáo tổng hợp mới nhất \(lần 1, PDF\)"))
    expect(link).to_be_visible()
    assert pdf_download(page, link.click).startswith(b"%PDF")
    assert page.problems == []
