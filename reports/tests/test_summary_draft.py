"""The reviewer drafts the summary's prose part by part: who may, what is saved, what is kept."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from reports.models import SummaryDraft
from reports.summary import drafts_current
from reports.tests.printing_data import fill_report

CODE = "1908-UBND-KSTT"
URL = reverse("reports:summary_draft", args=[CODE])
ORGANISATION = "I. Công tác tổ chức, triển khai"
COMMENDATION = "III. Công tác khen thưởng"


@pytest.fixture
def reported(campaign, unit_a, officer_a):
    """Unit A's report, sent with a narrative the suggestions quote."""
    return fill_report(campaign, unit_a, officer_a, narrative="Huyện đã ban hành kế hoạch triển khai phong trào.")


def form_data(response):
    """What the browser sends back from the page as it was rendered: every part's text and
    the suggestion it showed."""
    data = {}
    for item in response.context["items"]:
        form = item["form"]
        for name in ("text", "shown"):
            data[form[name].html_name] = form[name].value() or ""
    return data


def field_of(response, label):
    """The form of the part labelled `label`."""
    return next(item["form"] for item in response.context["items"] if item["form"]["text"].label == label)


def texts(campaign):
    return {part: draft.text for part, draft in drafts_current(campaign).items()}


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("actor", ["officer_a", "officer_b", "leader"])
def test_it_is_404_for_anyone_but_a_reviewer(actor, reported, actors, client_for):
    client = client_for(actors[actor])
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"part-1-text": "Đã triển khai.", "part-1-shown": ""}).status_code == 404
    assert not SummaryDraft.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(reported, client_for):
    for response in (client_for(None).get(URL), client_for(None).post(URL, {"part-1-text": "x"})):
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not SummaryDraft.objects.exists()


def test_it_shows_every_part_filled_with_its_suggestion(reported, reviewer, client_for):
    response = client_for(reviewer).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    labels = [item["form"]["text"].label for item in response.context["items"]]
    assert labels[0] == ORGANISATION and labels[-1] == "V.2. Kiến nghị, đề xuất"
    assert any(label.startswith("II.1. ") for label in labels)
    assert (
        "Huyện Mường Ảng: “Huyện đã ban hành kế hoạch triển khai phong trào.”"
        in field_of(response, ORGANISATION)["text"].value()
    )
    assert "Gợi ý tự động từ số liệu" in body
    assert "Việc quán triệt, ban hành kế hoạch, phát động." in body  # the part's hint
    assert not SummaryDraft.objects.exists()  # GET saves nothing


def test_it_saves_the_edited_parts_and_keeps_every_change(campaign, reported, reviewer, client_for):
    client = client_for(reviewer)
    data = form_data(client.get(URL))
    data["part-1-text"] = "Ủy ban nhân dân tỉnh ban hành Kế hoạch số 12/KH-UBND.\r\nCác huyện phát động phong trào."
    response = client.post(URL, data)
    assert response.status_code == 302 and response.url == URL
    assert messages_of(response) == ["Đã lưu 1 phần."]
    # Only the edited part is saved; the untouched suggestions keep following the figures.
    assert texts(campaign) == {
        "organisation": "Ủy ban nhân dân tỉnh ban hành Kế hoạch số 12/KH-UBND.\nCác huyện phát động phong trào."
    }
    assert SummaryDraft.objects.get().saved_by == reviewer

    # The same text again adds nothing.
    again = client.post(URL, form_data(client.get(URL)))
    assert messages_of(again) == ["Không có phần nào thay đổi."]
    assert SummaryDraft.objects.count() == 1

    # A changed text is a new row: the part's history.
    data = form_data(client.get(URL))
    data["part-1-text"] = "Ủy ban nhân dân tỉnh ban hành Kế hoạch số 15/KH-UBND."
    client.post(URL, data)
    assert SummaryDraft.objects.filter(part="organisation").count() == 2
    assert texts(campaign)["organisation"] == "Ủy ban nhân dân tỉnh ban hành Kế hoạch số 15/KH-UBND."
    page = client.get(URL).content.decode()
    assert "Lịch sử (2 lần lưu)" in page
    assert "Kế hoạch số 12/KH-UBND" in page  # the earlier save's first words


def test_a_control_character_is_refused_naming_the_part_and_nothing_is_saved(reported, reviewer, client_for):
    client = client_for(reviewer)
    data = form_data(client.get(URL))
    data["part-1-text"] = "Đã triển khai kế hoạch."
    commendation = field_of(client.get(URL), COMMENDATION)
    data[commendation["text"].html_name] = "Đề nghị khen\x07 thưởng."
    response = client.post(URL, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert f"“{COMMENDATION}” chứa ký tự điều khiển không hợp lệ (U+0007)" in body
    assert "Chưa lưu phần nào" in body
    assert "Đã triển khai kế hoạch." in body  # the reviewer's text is kept
    assert not SummaryDraft.objects.exists()


def test_a_text_over_the_limit_is_refused(reported, reviewer, client_for, settings):
    settings.REPORT_NARRATIVE_MAX_CHARS = 40
    client = client_for(reviewer)
    data = form_data(client.get(URL))
    data["part-1-text"] = "Đã triển khai " * 10
    response = client.post(URL, data)
    assert response.status_code == 400
    assert f"“{ORGANISATION}” dài 139 ký tự, vượt giới hạn 40 ký tự." in response.content.decode()
    assert not SummaryDraft.objects.exists()


def test_the_suggestion_can_be_taken_back(campaign, reported, reviewer, client_for):
    client = client_for(reviewer)
    data = form_data(client.get(URL))
    suggestion = data["part-1-text"]
    data["part-1-text"] = "Văn bản tự soạn."
    client.post(URL, data)
    page = client.get(URL)
    assert "Dùng lại gợi ý tự động" in page.content.decode()
    data = form_data(page)
    data["part-1-restore"] = "on"
    client.post(URL, data)
    assert texts(campaign)["organisation"] == suggestion
    assert SummaryDraft.objects.filter(part="organisation").count() == 2


def test_wrong_methods_are_refused(reported, reviewer, client_for):
    assert client_for(reviewer).put(URL).status_code == 405
