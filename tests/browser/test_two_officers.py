"""Two officers of the same unit with the report open at the same time, each in their own
browser: a save writes only what its officer changed, so neither undoes the other's work;
when both change the same figure differently, the second sees both values side by side and
chooses."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from campaigns.models import Role, Unit
from conftest import PASSWORD, make_user
from reports.models import EventAction, Narrative
from reports.services import report_get_or_create, report_save_values

from .conftest import TIMEOUT_MS

pytestmark = pytest.mark.browser


@pytest.fixture
def report(campaign, officer_a):
    report = report_get_or_create(campaign=campaign, unit=Unit.objects.get(code="h-muong-ang"), by=officer_a)
    report_save_values(
        report=report,
        by=officer_a,
        values={
            "records_total": Decimal(2000),
            "records_online": Decimal(1706),
            "managers_total": Decimal(40),
            "propaganda_events": Decimal(12),
        },
    )
    report.refresh_from_db()
    return report


@pytest.fixture
def second_officer(officer_a):
    """Another officer of unit A (the unit's deputy focal point)."""
    return make_user("binh", Role.OFFICER, officer_a.profile.unit, first_name="Bình")


@pytest.fixture
def other_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    tab.problems = []
    tab.on("pageerror", lambda error: tab.problems.append(f"script error: {error}"))
    yield tab
    context.close()


def signed_in(tab, user):
    tab.goto("/login/")
    tab.get_by_label("Tên đăng nhập").fill(user.username)
    tab.get_by_label("Mật khẩu").fill(PASSWORD)
    tab.get_by_role("button", name="Đăng nhập").click()
    tab.wait_for_load_state()
    assert "/login/" not in tab.url
    return tab


def stored(report, code):
    return report.values.get(measure__code=code).value


def test_two_officers_save_the_same_report(page, other_page, sign_in, officer_a, second_officer, report):
    edit = f"/reports/{report.pk}/edit/"
    alice = sign_in(officer_a)
    binh = signed_in(other_page, second_officer)
    alice.goto(edit)
    binh.goto(edit)

    # Alice: a figure, a new commendation proposal and a narrative.
    alice.get_by_label("Số hồ sơ xử lý trên môi trường mạng", exact=True).fill("1.800")
    new_row = alice.locator(".commendation-row").last
    new_row.get_by_label("Đối tượng").select_option("collective")
    new_row.get_by_label("Tên tập thể / cá nhân").fill("Trường THCS Mường Ảng")
    new_row.get_by_label("Thành tích").fill("Dạy tốt, học tốt năm học 2023-2024")
    new_row.get_by_label("Hình thức khen thưởng đề nghị").select_option("bang-khen-chu-tich-ubnd-tinh")
    alice.get_by_label("Kết quả thực hiện, đánh giá").first.fill("Chuyển đổi số toàn huyện.")
    alice.get_by_role("button", name="Lưu nháp").click()
    expect(alice.get_by_text(re.compile(r"Đã lưu nháp \(phiên bản 3\)"))).to_be_visible()

    # Bình, whose form still shows 1.706 and no proposal, changes one unrelated figure.
    expect(binh.get_by_label("Số hồ sơ xử lý trên môi trường mạng", exact=True)).to_have_value("1.706")
    binh.get_by_label("Số cán bộ quản lý", exact=True).fill("45")
    binh.get_by_role("button", name="Lưu nháp").click()
    expect(binh.get_by_text("các thay đổi của họ được giữ nguyên và gộp với thay đổi của bạn")).to_be_visible()
    expect(binh.locator("#conflict")).to_have_count(0)
    # Bình's form now shows Alice's work too.
    expect(binh.get_by_label("Số hồ sơ xử lý trên môi trường mạng", exact=True)).to_have_value("1.800")
    expect(binh.locator(".commendation-row").first.get_by_label("Tên tập thể / cá nhân")).to_have_value(
        "Trường THCS Mường Ảng"
    )

    assert stored(report, "records_online") == 1800
    assert stored(report, "managers_total") == 45
    assert list(report.commendations.values_list("name", flat=True)) == ["Trường THCS Mường Ảng"]
    assert Narrative.objects.get(report=report, section__code="I").text == "Chuyển đổi số toàn huyện."
    merged = report.events.filter(action=EventAction.SAVED, by=second_officer).get()
    assert any("merged_with_version" in change for change in merged.changes)

    # Both now change the same figures differently: Alice saves first.
    alice.get_by_label("Tổng số hồ sơ công việc", exact=True).fill("2.100")
    alice.get_by_label("Buổi tuyên truyền", exact=True).fill("15")
    alice.get_by_role("button", name="Lưu nháp").click()
    expect(alice.get_by_text(re.compile(r"Đã lưu nháp \(phiên bản 5\)"))).to_be_visible()

    binh.get_by_label("Tổng số hồ sơ công việc", exact=True).fill("2.200")
    binh.get_by_label("Buổi tuyên truyền", exact=True).fill("14")
    binh.get_by_label("Số cán bộ quản lý tham gia chuyển đổi số", exact=True).fill("30")
    binh.get_by_role("button", name="Lưu nháp").click()
    summary = binh.locator("#conflict")
    expect(summary).to_contain_text("Chưa lưu: 2 ô bị sửa cùng lúc")
    expect(summary).to_contain_text("Alice")
    assert binh.evaluate("document.activeElement.id") == "conflict"  # focus starts at the summary
    total = binh.locator("#conflict-figure-records_total")
    expect(total.locator('[data-side="theirs"]')).to_have_text("2.100")
    expect(total.locator('[data-side="mine"]')).to_have_text("2.200")
    events = binh.locator("#conflict-figure-propaganda_events")
    expect(events.locator('[data-side="theirs"]')).to_have_text("15")
    expect(events.locator('[data-side="mine"]')).to_have_text("14")
    # Nothing is saved yet, and nothing typed is lost.
    expect(binh.get_by_label("Số cán bộ quản lý tham gia chuyển đổi số", exact=True)).to_have_value("30")
    assert stored(report, "records_total") == 2100 and stored(report, "propaganda_events") == 15
    assert not report.values.filter(measure__code="managers_participating").exists()

    # Saving without choosing asks again.
    binh.get_by_role("button", name="Lưu nháp").click()
    expect(binh.locator("#form-errors")).to_contain_text("Chọn giữ của họ hoặc dùng của tôi.")
    assert stored(report, "records_total") == 2100

    binh.locator("#conflict-figure-records_total").get_by_label("Dùng của tôi").check()
    binh.locator("#conflict-figure-propaganda_events").get_by_label("Giữ của họ").check()
    binh.get_by_role("button", name="Lưu nháp").click()
    expect(binh.get_by_text(re.compile(r"Đã lưu nháp \(phiên bản 6\)"))).to_be_visible()
    expect(binh.locator("#conflict")).to_have_count(0)
    expect(binh.get_by_label("Tổng số hồ sơ công việc", exact=True)).to_have_value("2.200")
    expect(binh.get_by_label("Buổi tuyên truyền", exact=True)).to_have_value("15")

    assert stored(report, "records_total") == 2200  # Bình's, as chosen
    assert stored(report, "propaganda_events") == 15  # Alice's, as chosen
    assert stored(report, "managers_participating") == 30
    assert stored(report, "records_online") == 1800 and stored(report, "managers_total") == 45
    assert alice.problems == [] and binh.problems == []
