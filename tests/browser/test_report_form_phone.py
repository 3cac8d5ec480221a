"""The officer's pages on a phone (390 × 844): nothing scrolls sideways, tables read as cards,
and every figure field shows twelve digits (grouped the Vietnamese way) beside its unit.
Screenshots of each page, on a phone and on a laptop, go to /tmp/form-shots/."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from campaigns.models import Unit
from reports.services import report_get_or_create, report_save_values

from .conftest import figures_for

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
SHOTS = Path("/tmp/form-shots")
TWELVE_DIGITS = "123456789012"


@pytest.fixture
def report(campaign, officer_a):
    """Unit A's draft with figures, a narrative, proposals and a reviewer-style history."""
    report = report_get_or_create(campaign=campaign, unit=Unit.objects.get(code="h-muong-ang"), by=officer_a)
    values = {code: value for code, (_name, _text, value) in figures_for(report).items()}
    report_save_values(
        report=report,
        by=officer_a,
        values=values,
        notes={"records_total": "Số liệu đến hết quý III, theo báo cáo của Văn phòng HĐND-UBND huyện"},
        narratives={"I": "Toàn huyện ra quân giảm nghèo, xóa nhà tạm cho các hộ khó khăn."},
        commendations=[
            {
                "kind": "collective",
                "name": "Phòng Lao động - Thương binh và Xã hội huyện Mường Ảng",
                "achievement": "Hoàn thành xuất sắc nhiệm vụ giảm nghèo bền vững năm 2024",
                "award": "Bằng khen của Chủ tịch UBND tỉnh",
            }
        ],
    )
    report.refresh_from_db()
    return report


def officer_pages(report):
    return {
        "my-unit": "/my-unit/",
        "report": f"/reports/{report.pk}/",
        "report-form": f"/reports/{report.pk}/edit/",
    }


def sideways_overflow(page):
    return page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_officer_pages_never_scroll_sideways_on_a_phone(page, sign_in, officer_a, report):
    sign_in(officer_a)
    for size_name, size in (("laptop", LAPTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        for name, path in officer_pages(report).items():
            page.goto(path)
            scroll_width, inner_width = sideways_overflow(page)
            assert scroll_width <= inner_width, f"{name} at {size_name}: {scroll_width}px wide in {inner_width}px"
            shoot(page, f"{name}-{size_name}")

    # Tables read as cards: each cell says which column it is.
    page.goto("/my-unit/")
    cell = page.locator("table.table-stack td[data-label]").first
    label = cell.evaluate("el => getComputedStyle(el, '::before').content")
    assert "Phong trào" in label

    # The form with mistakes and their summary still fits.
    page.goto(f"/reports/{report.pk}/edit/")
    page.get_by_label("Tổng số hộ dân cư", exact=True).fill("4.5")
    page.get_by_label("Buổi tuyên truyền", exact=True).fill("mười")
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.locator("#form-errors")).to_contain_text("Có 2 lỗi cần sửa")
    scroll_width, inner_width = sideways_overflow(page)
    assert scroll_width <= inner_width, f"form with errors: {scroll_width}px wide in {inner_width}px"
    shoot(page, "report-form-errors-phone")
    assert page.problems == []


def test_every_figure_shows_twelve_digits_beside_its_unit(page, sign_in, officer_a, report):
    sign_in(officer_a)
    page.set_viewport_size(PHONE)
    page.goto(f"/reports/{report.pk}/edit/")
    inputs = page.locator("input.num")
    assert inputs.count() == len(figures_for(report))
    too_narrow = []
    for index in range(inputs.count()):
        field = inputs.nth(index)
        assert field.get_attribute("inputmode") == "decimal"
        field.fill(TWELVE_DIGITS)
        field.blur()  # leaving the field groups the digits
        expect(field).to_have_value("123.456.789.012")
        widths = field.evaluate("el => [el.scrollWidth, el.clientWidth, el.getBoundingClientRect().right]")
        if widths[0] > widths[1] or widths[2] > PHONE["width"]:
            too_narrow.append(f"{field.get_attribute('name')}: {widths}")
        # Its unit of measure sits beside it, in the same input group.
        group = field.locator("xpath=..")
        assert "input-group" in group.get_attribute("class")
    assert not too_narrow, "\n".join(too_narrow)
    scroll_width, inner_width = sideways_overflow(page)
    assert scroll_width <= inner_width
    expect(page.locator("#id_v_records_total + .input-group-text")).to_have_text("hồ sơ")
    shoot(page, "report-form-twelve-digits-phone")
    assert page.problems == []


def test_a_conflict_fits_a_phone(page, sign_in, officer_a, report):
    from reports.merge import Base, report_save_edits, report_state

    sign_in(officer_a)
    page.set_viewport_size(PHONE)
    page.goto(f"/reports/{report.pk}/edit/")
    # A colleague saves the same figure and the same narrative meanwhile.
    report.refresh_from_db()
    report_save_edits(
        report=report,
        by=officer_a,
        base=Base(version=report.version, state=report_state(report)),
        mine={"figure:records_total": "13000", "narrative:I": "Bản của đồng nghiệp: đã rà soát lại toàn bộ số liệu."},
    )
    page.get_by_label("Tổng số hồ sơ công việc", exact=True).fill("12.999")
    page.get_by_label("Kết quả thực hiện, đánh giá").first.fill("Bản của tôi, viết dài hơn một chút để xem xuống dòng.")
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.locator("#conflict")).to_contain_text("Chưa lưu: 2 ô bị sửa cùng lúc")
    for size_name, size in (("phone", PHONE), ("laptop", LAPTOP)):
        page.set_viewport_size(size)
        scroll_width, inner_width = sideways_overflow(page)
        assert scroll_width <= inner_width, f"conflict at {size_name}: {scroll_width}px wide in {inner_width}px"
        page.locator("#conflict-figure-records_total").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"report-form-conflict-{size_name}.png"))
    assert page.problems == []


def test_reviewer_pages_never_scroll_sideways_on_a_phone(page, sign_in, reviewer, report, campaign):
    """The reviewer reads the dashboard on a phone too: wide tables scroll inside their own
    frame, the page itself never sideways."""
    sign_in(reviewer)
    target = campaign.targets.order_by("order").first()
    pages = {
        "review-queue": "/review/",
        "dashboard": f"/dashboard/{campaign.code}/",
        "target": f"/dashboard/{campaign.code}/targets/{target.code}/",
        "ranking": f"/dashboard/{campaign.code}/ranking/",
        "summaries": f"/summaries/{campaign.code}/",
    }
    page.set_viewport_size(PHONE)
    for name, path in pages.items():
        page.goto(path)
        scroll_width, inner_width = sideways_overflow(page)
        assert scroll_width <= inner_width, f"{name} on a phone: {scroll_width}px wide in {inner_width}px"
        shoot(page, f"reviewer-{name}-phone")
    assert page.problems == []
