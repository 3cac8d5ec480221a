"""What an officer types survives every action on the form page: an evidence upload (or
removal) in the middle of typing leaves the figures as typed, leaving the page with unsaved
changes asks first, and the error summary takes the officer to each field."""

import re

import pytest
from playwright.sync_api import expect

from campaigns.models import Unit
from reports.services import report_get_or_create

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def report(campaign, officer_a):
    return report_get_or_create(campaign=campaign, unit=Unit.objects.get(code="h-muong-ang"), by=officer_a)


def test_an_evidence_upload_keeps_the_typed_figures(page, sign_in, officer_a, report):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    sign_in(officer_a)
    page.goto(f"/reports/{report.pk}/edit/")
    figure = page.get_by_label("Tổng số hộ dân cư", exact=True)
    figure.click()
    page.keyboard.type("12.345")
    page.get_by_label("Kết quả thực hiện, đánh giá").first.fill("Đang viết dở…")

    page.get_by_label("Tệp minh chứng").set_input_files(
        {"name": "bien-ban-ra-quan.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_label("Mô tả").fill("Biên bản ra quân")
    evidence = page.locator("#evidence")
    evidence.get_by_role("button", name="Tải lên").click()
    expect(evidence.get_by_role("link", name="bien-ban-ra-quan.pdf")).to_be_visible()
    expect(evidence).to_contain_text("Đã tải lên “bien-ban-ra-quan.pdf”")
    assert report.evidence.count() == 1

    # The page did not move: the figures are still as typed, and still unsaved.
    expect(figure).to_have_value("12.345")
    expect(page.get_by_label("Kết quả thực hiện, đánh giá").first).to_have_value("Đang viết dở…")
    assert not report.values.exists()
    assert dialogs == []

    # Removing the file works the same way.
    evidence.get_by_role("button", name=re.compile("Xóa")).click()
    expect(evidence).to_contain_text("Chưa có minh chứng.")
    expect(figure).to_have_value("12.345")

    # Then the typed figures save as usual.
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.get_by_text(re.compile(r"Đã lưu nháp \(phiên bản 2\)"))).to_be_visible()
    assert report.values.get(measure__code="households_total").value == 12345
    assert dialogs == []  # saving is not leaving with unsaved changes
    assert page.problems == []


def test_leaving_with_unsaved_changes_asks_first(page, sign_in, officer_a, report):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    sign_in(officer_a)
    edit = f"/reports/{report.pk}/edit/"
    page.goto(edit)
    # Nothing typed yet: leaving asks nothing.
    page.get_by_role("link", name="Xem báo cáo và lịch sử").click()
    expect(page).to_have_url(re.compile(rf"/reports/{report.pk}/$"))
    assert dialogs == []

    page.goto(edit)
    page.get_by_label("Buổi tuyên truyền", exact=True).click()
    page.keyboard.type("7")
    page.get_by_role("link", name="Xem báo cáo và lịch sử").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    expect(page).to_have_url(re.compile(r"/edit/$"))  # stayed, as the officer chose
    expect(page.get_by_label("Buổi tuyên truyền", exact=True)).to_have_value("7")


def test_the_error_summary_leads_to_each_field(page, sign_in, officer_a, report):
    sign_in(officer_a)
    page.goto(f"/reports/{report.pk}/edit/")
    page.get_by_label("Tổng số hộ dân cư", exact=True).fill("4.5")
    page.get_by_label("Buổi tuyên truyền", exact=True).fill("mười")
    page.get_by_label("Số cán bộ quản lý", exact=True).fill("40")
    page.get_by_role("button", name="Lưu nháp").click()

    summary = page.locator("#form-errors")
    expect(summary).to_contain_text("Có 2 lỗi cần sửa")
    expect(summary).to_contain_text("Các ô hợp lệ đã được lưu nháp")
    assert page.evaluate("document.activeElement.id") == "form-errors"
    # The valid figure is saved; the two mistakes are still there to fix, as typed.
    assert report.values.get(measure__code="managers_total").value == 40
    expect(page.get_by_label("Tổng số hộ dân cư", exact=True)).to_have_value("4.5")
    summary.get_by_role("link", name=re.compile("Buổi tuyên truyền")).click()
    assert page.evaluate("document.activeElement.id") == "id_v_propaganda_events"

    # The page holds unsaved work: leaving asks first.
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.keyboard.type("")
    page.get_by_role("link", name="Xem báo cáo và lịch sử").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.problems == []
