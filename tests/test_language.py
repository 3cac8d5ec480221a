"""Vietnamese first: the interface is Vietnamese whatever the browser's Accept-Language says,
until the user picks English in the footer; in English, nothing but data is Vietnamese."""

import datetime
import io
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from commendations.models import CouncilMember, CouncilSession, CouncilVote, Vote
from reports.excel import unit_workbook, workbook_bytes
from reports.models import ReportStatus
from reports.services import ConcurrentEdit, ReportError, report_get_or_create, report_save_values
from reports.workflow import report_submit

# The decision tests' campaign with its award catalogue and proposals on and off the list.
pytest_plugins = ["commendations.tests.outputs_data"]

BROWSER_IN_ENGLISH = "en-US,en;q=0.9,vi;q=0.8"
VIETNAMESE_LETTER = re.compile(r"[À-ỹĐđ]")
# The language picker names each language in its own tongue.
AUTONYMS = {"tiếng", "việt"}
# Interface strings of the report form and the dashboard (msgid → what English shows).
INTERFACE = [
    "Đăng xuất",
    "Trang chủ",
    "Ngôn ngữ",
    "Đổi",
    "Nhập báo cáo",
    "Lưu nháp",
    "Mức chỉ tiêu áp dụng cho đơn vị",
    "Không có số liệu / ghi chú",
    "Minh chứng",
    "Bảng điều khiển",
    "Tình hình gửi báo cáo",
    "Gửi đúng hạn",
    "Tải Excel",
]


class VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes and labelling attributes, no scripts."""

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style")
        labels = ("aria-label", "title", "placeholder", "alt")
        self.parts.extend(value for name, value in attrs if name in labels and value)

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(response):
    parser = VisibleText()
    parser.feed(response.content.decode())
    return " ".join(parser.parts)


def data_words():
    """Every word of every text the portal stores (campaign files, units, reports, names, the
    award catalogue, council sessions and the decision's numbers and signer)."""
    words = set()
    for label in ("campaigns", "reports", "commendations", "auth"):
        for model in apps.get_app_config(label).get_models():
            texts = [f for f in model._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField))]
            fields = [f.name for f in texts]
            for row in model.objects.values_list(*fields) if fields else ():
                for value in row:
                    words.update(re.findall(r"\w+", str(value or "").lower()))
    return words


def vietnamese_outside_data(response):
    """Words with Vietnamese letters on the page that no stored text contains."""
    known = data_words() | AUTONYMS
    words = set(re.findall(r"\w+", visible_text(response)))
    return sorted(word for word in words if VIETNAMESE_LETTER.search(word) and word.lower() not in known)


@pytest.fixture(autouse=True)
def _vietnamese_after_each_test():
    """A request leaves its language active in the thread (as Django's LocaleMiddleware
    does); tests that follow in this worker expect the default."""
    yield
    translation.activate("vi")


@pytest.fixture
def report(campaign, unit_a, officer_a):
    report = report_get_or_create(campaign=campaign, unit=unit_a, by=officer_a)
    report_save_values(
        report=report, by=officer_a, values={"records_total": Decimal(100)}, notes={"records_total": "6 tháng"}
    )
    return report


def in_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def test_a_browser_asking_for_english_still_gets_vietnamese(client_for, officer_a, report):
    client = client_for(officer_a)
    for url in (reverse("reports:report_edit", args=[report.pk]), reverse("reports:my_unit")):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=BROWSER_IN_ENGLISH)
        page = response.content.decode()
        assert response.status_code == 200
        assert '<html lang="vi">' in page and "Đăng xuất" in page and "Log out" not in page
        assert response["Content-Language"] == "vi"
    login = Client().get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="vi">' in login.content.decode()


def test_the_footer_switches_to_english_and_back(client_for, officer_a, report):
    client = in_english(client_for(officer_a))
    assert client.cookies["django_language"].value == "en"
    response = client.get(reverse("reports:my_unit"), HTTP_ACCEPT_LANGUAGE="vi")
    assert '<html lang="en">' in response.content.decode() and response["Content-Language"] == "en"
    client.post(reverse("set_language"), {"language": "vi", "next": "/"}, HTTP_ACCEPT_LANGUAGE=BROWSER_IN_ENGLISH)
    response = client.get(reverse("reports:my_unit"), HTTP_ACCEPT_LANGUAGE=BROWSER_IN_ENGLISH)
    assert '<html lang="vi">' in response.content.decode()


def test_a_language_cookie_the_portal_does_not_offer_falls_back_to_vietnamese(client_for, officer_a):
    client = client_for(officer_a)
    client.cookies["django_language"] = "fr"
    assert '<html lang="vi">' in client.get(reverse("reports:my_unit")).content.decode()


@pytest.mark.parametrize("page", ["report_form", "dashboard"])
def test_in_english_only_data_is_vietnamese(client_for, officer_a, reviewer, campaign, report, page):
    if page == "report_form":
        client, url = in_english(client_for(officer_a)), reverse("reports:report_edit", args=[report.pk])
    else:
        client, url = in_english(client_for(reviewer)), reverse("reports:dashboard", args=[campaign.code])
    response = client.get(url)
    assert response.status_code == 200
    text = visible_text(response)
    with translation.override("en"):
        expected = {msgid: translation.gettext(msgid) for msgid in INTERFACE}
    on_page = [msgid for msgid in INTERFACE if expected[msgid] in text]
    assert on_page, "none of the known interface strings is on the page"
    for msgid in on_page:
        assert expected[msgid] != msgid, f"no English for “{msgid}”"
    assert not [msgid for msgid in INTERFACE if re.search(rf"(?<!\w){re.escape(msgid)}(?!\w)", text)]
    assert vietnamese_outside_data(response) == []


@pytest.fixture
def council_session(campaign, listed, reviewer):
    """A council session of three members, with its votes on the flag the council passed."""
    session = CouncilSession.objects.create(
        campaign=campaign, held_on=datetime.date(2024, 12, 12), title="Phiên họp xét khen thưởng", created_by=reviewer
    )
    members = [
        CouncilMember.objects.create(session=session, name=name, position=position, order=order)
        for order, (name, position) in enumerate(
            [("Lò Văn Tiến", "Chủ tịch Hội đồng"), ("Quàng Thị Hoa", "Phó Chủ tịch"), ("Cà Văn Sơn", "Ủy viên")]
        )
    ]
    for member in members:
        CouncilVote.objects.create(session=session, member=member, proposal=listed["flag"], vote=Vote.FOR)
    return session


# Interface strings of the commendation pages a reviewer works on.
COMMENDATION_INTERFACE = {
    "proposals": ["Ứng viên theo kết quả phong trào", "Đơn vị đề nghị", "Kết quả xét", "Yêu cầu bổ sung"],
    "council": ["Ghi phiên họp mới", "Các phiên họp", "Đề nghị đã bỏ phiếu"],
    "council_session": ["Phiếu của từng thành viên", "Ghi phiếu", "Vắng, không có ý kiến"],
    "decision": ["Tờ trình và Quyết định", "Số Tờ trình", "In dự thảo Quyết định", "Các bản in"],
}
COMMENDATION_INTERFACE["decision_unsigned"] = COMMENDATION_INTERFACE["decision"]


@pytest.mark.parametrize(
    "page",
    [
        "proposals",
        "council",
        "council_session",
        "decision",
        "decision_unsigned",
    ],
)
def test_in_english_the_commendation_pages_show_only_data_in_vietnamese(
    client_for, reviewer, campaign, listed, council_session, page, request
):
    if page == "decision":
        request.getfixturevalue("signed_decision")
    client = in_english(client_for(reviewer))
    url = {
        "proposals": reverse("commendations:proposal_list", args=[campaign.code]),
        "council": reverse("commendations:council_list", args=[campaign.code]),
        "council_session": reverse("commendations:council_detail", args=[council_session.pk]),
        "decision": reverse("commendations:decision", args=[campaign.code]),
        "decision_unsigned": reverse("commendations:decision", args=[campaign.code]),
    }[page]
    response = client.get(url)
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    text = visible_text(response)
    for msgid in COMMENDATION_INTERFACE[page]:
        with translation.override("en"):
            english = translation.gettext(msgid)
        assert english != msgid and english in text, f"no English for “{msgid}”"
        assert not re.search(rf"(?<!\w){re.escape(msgid)}(?!\w)", text), msgid
    assert vietnamese_outside_data(response) == []


def test_a_report_error_raised_in_english_reads_in_english(campaign, report, officer_a):
    report.status = ReportStatus.SUBMITTED
    with translation.override("en"):
        with pytest.raises(ReportError) as refused:
            report_submit(report=report, by=officer_a)
        assert str(refused.value) == "Only a draft or returned report can be submitted."
        with pytest.raises(ConcurrentEdit) as conflict:
            report.status = ReportStatus.DRAFT
            report_save_values(report=report, by=officer_a, values={"records_total": Decimal(5)}, expected_version=1)
        assert "Your data has not been saved" in str(conflict.value)
        with pytest.raises(ReportError) as negative:
            report_save_values(report=report, by=officer_a, values={"propaganda_events": Decimal(-2)})
        assert negative.value.problems["propaganda_events"] == "Buổi tuyên truyền: a count cannot be negative (-2)."
    with pytest.raises(ReportError) as refused:
        report_submit(report=report, by=officer_a, expected_version=report.version)
    assert "cần nhập số liệu trước khi gửi" in str(refused.value)  # Vietnamese again outside the override


def test_pages_show_service_messages_in_english(client_for, officer_a, report):
    client = in_english(client_for(officer_a))
    page = client.get(reverse("reports:report_submit", args=[report.pk])).content.decode()
    assert "enter a figure before submitting" in page and "cần nhập số liệu" not in page

    workbook = load_workbook(io.BytesIO(workbook_bytes(unit_workbook(report))))
    sheet = workbook["Số liệu"]
    row = next(r[0].row for r in sheet.iter_rows(min_row=2) if r[0].value == "poor_households_end")
    sheet.cell(row=row, column=4).value = "12.50"
    response = client.post(
        reverse("reports:report_xlsx_upload", args=[report.pk]),
        {"file": SimpleUploadedFile("so-lieu.xlsx", workbook_bytes(workbook))},
    )
    page = response.content.decode().replace("&#x27;", "'")
    assert f"Cell D{row} (Số hộ nghèo cuối kỳ): '12.50' is ambiguous — write 12,50 or 1.250" in page


def test_a_reminder_sent_from_the_english_interface_is_in_vietnamese(client_for, reviewer, campaign, unit_a, report):
    client = in_english(client_for(reviewer))
    client.post(reverse("reports:remind_unit", args=[campaign.code, unit_a.code]))
    (message,) = mail.outbox
    assert "Báo cáo của đơn vị hiện: đang soạn." in message.body
    assert User.objects.get(pk=client.session["_auth_user_id"]) == reviewer
