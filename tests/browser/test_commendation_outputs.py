"""The decision's page in a real Chromium: a reviewer enters the numbers (a bad one first),
prints the Quyết định and follows the job until the PDF downloads; a leader reads the list."""

import re

import pytest
from playwright.sync_api import expect

from reports.tests.pdf_reading import pdf_text

from .conftest import ARTIFACTS, pdf_download

pytestmark = pytest.mark.browser
pytest_plugins = ["commendations.tests.outputs_data"]

SLOW_MS = 90_000


def test_reviewer_numbers_and_prints_the_decision_leader_reads(
    page, sign_in, reviewer, leader, listed, background_jobs
):
    sign_in(reviewer)
    page.goto("/commendations/campaigns/1908-UBND-KSTT/decision/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quyết định khen thưởng")
    expect(page.get_by_role("cell", name="Bà Lò Thị Mai")).to_be_visible()

    page.get_by_label("Số Tờ trình").fill("45/TTr-SNV")
    page.get_by_label("Ngày Tờ trình").fill("2024-12-16")
    page.get_by_label("Số Quyết định").fill("123")  # no symbol: refused
    page.get_by_label("Ngày ký Quyết định").fill("2024-12-20")
    page.get_by_label("Họ tên người ký").fill("Lò Văn Tiến")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Số văn bản phải có dạng số/ký hiệu, ví dụ 123/QĐ-UBND.")).to_be_visible()
    page.get_by_label("Số Quyết định").fill("123/QĐ-UBND")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Số 123/QĐ-UBND ngày 20/12/2024")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "commendation-decision.png"), full_page=True)

    page.get_by_role("button", name="In dự thảo Quyết định").click()
    expect(page).to_have_url(re.compile(r"/commendations/prints/\d+/$"))
    download = page.get_by_role("link", name="Tải bản in (PDF)")
    expect(download).to_be_visible(timeout=SLOW_MS)
    text = pdf_text(pdf_download(page, download.click))
    assert "Số: 123/QĐ-UBND" in text and "DỰ THẢO" not in text and "Bà Lò Thị Mai" in text

    sign_in(leader)
    page.goto("/commendations/campaigns/1908-UBND-KSTT/decision/")
    expect(page.get_by_role("cell", name="Hộ ông Quàng Văn Tươi")).to_be_visible()
    expect(page.get_by_role("button", name="Lưu")).to_have_count(0)
    page.get_by_role("link", name="Dự thảo Quyết định khen thưởng").first.click()
    expect(page.get_by_role("link", name="Tải bản Word (.docx)")).to_be_visible()
