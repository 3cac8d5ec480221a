"""Two-factor sign-in in a real Chromium: a reviewer sets up an authenticator app (the test
plays the phone, computing the code from the secret the page shows), keeps the recovery
codes, signs out, signs in again with a code and once with a recovery code; an officer is
not asked. The account pages pass axe too."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.tests.two_factor import totp_code

from .test_accessibility import blocking_violations, unlabelled_fields

pytestmark = pytest.mark.browser


@pytest.fixture
def two_factor_on(settings):
    settings.TWO_FACTOR_ENFORCED = True


def phone_code(secret):
    """What an authenticator app given `secret` (base32, as the page shows it) displays now."""
    return f"{totp(b32decode(secret.replace(' ', ''))):06d}"


def sign_out(page):
    page.get_by_role("button", name="Đăng xuất").first.click()
    expect(page).to_have_url(re.compile(r"/login/"))


def test_reviewer_sets_up_two_factor_and_signs_in_with_a_code_and_a_recovery_code(
    page, sign_in, two_factor_on, reviewer, officer_a, campaign
):
    sign_in(reviewer)
    expect(page).to_have_url(re.compile(r"/account/two-factor/setup/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thiết lập xác thực hai bước")
    expect(page.get_by_text("bắt buộc đăng nhập bằng xác thực hai bước").first).to_be_visible()
    expect(page.locator("svg.totp-qr")).to_be_visible()
    assert blocking_violations(page) == [] and unlabelled_fields(page) == []
    secret = page.locator("#totp-secret").inner_text()

    code = page.get_by_label("Mã gồm 6 chữ số do ứng dụng hiển thị")
    code.fill("000000" if phone_code(secret) != "000000" else "111111")
    page.get_by_role("button", name="Xác nhận và bật").click()
    expect(page.locator("#id_code_error")).to_contain_text("Mã không khớp")
    page.get_by_label("Mã gồm 6 chữ số do ứng dụng hiển thị").fill(phone_code(secret))
    page.get_by_role("button", name="Xác nhận và bật").click()

    expect(page.get_by_text("Đã bật xác thực hai bước.")).to_be_visible()
    expect(page.get_by_text("Các mã chỉ hiện một lần này")).to_be_visible()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{8}", c) for c in codes)
    page.get_by_role("link", name="Đã lưu, tiếp tục").click()
    expect(page).to_have_url(re.compile(rf"/dashboard/{campaign.code}/"))
    sign_out(page)

    # Again, with the code the phone shows.
    sign_in(reviewer)
    expect(page).to_have_url(re.compile(r"/account/two-factor/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác thực hai bước")
    assert blocking_violations(page) == [] and unlabelled_fields(page) == []
    device = TOTPDevice.objects.get(user=reviewer)
    page.get_by_label("Mã xác thực").fill(totp_code(device))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page).to_have_url(re.compile(rf"/dashboard/{campaign.code}/"))
    page.goto("/review/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "/account/" not in page.url

    # The account page tells the state and offers the next steps.
    page.get_by_role("link", name=re.compile("rita")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tài khoản")
    expect(page.get_by_text("Đang bật")).to_be_visible()
    expect(page.get_by_text("Còn 10 mã khôi phục chưa dùng.")).to_be_visible()
    assert blocking_violations(page) == []
    sign_out(page)

    # And with a recovery code, once.
    sign_in(reviewer)
    page.get_by_label("Mã xác thực").fill(codes[0])
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_text(re.compile("Bạn vừa dùng một mã khôi phục, còn 9 mã"))).to_be_visible()
    sign_out(page)
    sign_in(reviewer)
    page.get_by_label("Mã xác thực").fill(codes[0])
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.locator("#id_code_error")).to_be_visible()
    assert "/account/two-factor/" in page.url
    sign_out(page)

    # An officer is not asked for a code.
    sign_in(officer_a)
    expect(page).to_have_url(re.compile(r"/my-unit/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Huyện Mường Ảng")
    assert page.problems == []


def test_password_change_page_in_the_browser(page, sign_in, officer_a):
    sign_in(officer_a)
    page.goto("/account/password/")
    assert blocking_violations(page) == [] and unlabelled_fields(page) == []
    page.get_by_label("Mật khẩu cũ").fill("Thidua@2024-demo")
    page.get_by_label("Mật khẩu mới", exact=True).fill("ngan-qua")
    page.get_by_label("Xác nhận mật khẩu mới").fill("ngan-qua")
    page.get_by_role("button", name="Đổi mật khẩu").click()
    expect(page.get_by_text("Mật khẩu quá ngắn: cần ít nhất 12 ký tự.").first).to_be_visible()
    assert page.problems == []
