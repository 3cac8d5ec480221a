"""Who sees which entry points, and that nobody anonymous gets past the login page."""

import pytest

from tests.urls_catalogue import PUBLIC, portal_urls


def nav_entries(response):
    html = response.content.decode()
    return {role for role in ("officer", "reviewer", "leader", "admin") if f'data-nav="{role}"' in html}


@pytest.mark.parametrize(
    "actor, expected",
    [("officer_a", {"officer"}), ("reviewer", {"reviewer"}), ("leader", {"leader"})],
)
def test_each_role_sees_its_own_navigation(actors, client_for, campaign, actor, expected):
    response = client_for(actors[actor]).get(f"/campaigns/{campaign.code}/")
    assert response.status_code == 200
    assert nav_entries(response) == expected


def test_administrator_sees_admin_entry(client_for, campaign, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.vn", "x-Very-long-pass-1")
    response = client_for(admin).get(f"/campaigns/{campaign.code}/")
    assert "admin" in nav_entries(response)


def test_login_page_is_vietnamese(client):
    response = client.get("/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html and "Tên đăng nhập" in html and "Mật khẩu" in html


def test_wrong_password_gives_a_vietnamese_message(client, officer_a):
    response = client.post("/login/", {"username": "alice", "password": "sai-mat-khau"})
    assert response.status_code == 200
    assert "mật khẩu chính xác" in response.content.decode()


def test_anonymous_users_are_sent_to_login_from_every_page(client, campaign):
    checked = 0
    for name, path in portal_urls({"code": campaign.code, "campaign_code": campaign.code}):
        if name in PUBLIC:
            continue
        response = client.get(path)
        assert response.status_code == 302, (name, path, response.status_code)
        assert response["Location"].startswith("/login/?next="), (name, response["Location"])
        checked += 1
    assert checked >= 4


def test_campaign_page_shows_identity_targets_goals_and_units(client_for, officer_a, campaign):
    html = client_for(officer_a).get(f"/campaigns/{campaign.code}/").content.decode()
    for text in [
        "1908/UBND-KSTT",
        "24/04/2024",
        "15/11/2024",
        "15/12/2024",
        "Lê Thành Đô",
        "Giảm tỷ lệ hộ nghèo",
        "(Số hộ nghèo đầu kỳ − Số hộ nghèo cuối kỳ) ÷ Tổng số hộ dân cư × 100",
        "≥ 5,5",
        "Các huyện nghèo",
        "≥ 3.868.370",
        "không đặt mức",
        "Huyện Tuần Giáo",
        "Khối Trường Chuyên nghiệp",
    ]:
        assert text in html, text


def test_unknown_campaign_is_404(client_for, officer_a, campaign):
    assert client_for(officer_a).get("/campaigns/no-such/").status_code == 404
