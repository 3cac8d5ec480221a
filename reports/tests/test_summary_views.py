"""The summary pages: who may compile, see and download; the job through the web."""

import re

import pytest
from django.urls import reverse

from reports.models import JobStatus, Summary
from reports.summary import summary_create, summary_draft_save
from reports.tests.pdf_reading import pdf_text
from reports.tests.printing_data import fill_report

CODE = "1908-UBND-KSTT"
MATRIX = ["anonymous", "officer_a", "officer_b", "reviewer", "leader"]


def get(client, url):
    response = client.get(url)
    response.close()
    return response


@pytest.fixture
def done_summary(campaign, unit_a, officer_a, reviewer, django_capture_on_commit_callbacks, client_for):
    fill_report(campaign, unit_a, officer_a)
    summary_draft_save(campaign=campaign, by=reviewer, texts={"recommendations": "Kiến nghị thứ nhất."})
    with django_capture_on_commit_callbacks(execute=True):
        client_for(reviewer).post(
            reverse("reports:summary_compile", args=[CODE]), {"document_number": "12", "document_date": "2024-12-15"}
        )
    summary = Summary.objects.get()
    assert summary.status == JobStatus.DONE, summary.error
    return summary


def test_a_reviewer_compiles_watches_progress_and_downloads(done_summary, reviewer, leader, client_for):
    client = client_for(reviewer)
    assert done_summary.requested_by == reviewer
    assert done_summary.document_number == "12"
    status = client.get(reverse("reports:summary_status", args=[done_summary.pk])).content.decode()
    assert "hx-trigger" not in status  # finished: polling stops
    assert "format=pdf" in status and "format=docx" in status
    for user in (reviewer, leader):
        response = client_for(user).get(reverse("reports:summary_download", args=[done_summary.pk]) + "?format=pdf")
        assert response["Content-Disposition"].startswith("attachment")
        content = b"".join(response.streaming_content)
        response.close()
        assert "Số: 12/BC-UBND" in pdf_text(content)
        assert "Kiến nghị thứ nhất." in pdf_text(content)
    docx = client.get(reverse("reports:summary_download", args=[done_summary.pk]) + "?format=docx")
    assert docx["Content-Disposition"].endswith('.docx"')
    docx.close()
    history = client.get(reverse("reports:summary_list", args=[CODE])).content.decode()
    assert "#1" in history and "Hoàn thành" in history


def test_a_queued_summary_shows_a_polling_progress_bar(campaign, reviewer, client_for):
    summary = summary_create(campaign=campaign, by=reviewer)
    body = client_for(reviewer).get(reverse("reports:summary_detail", args=[summary.pk])).content.decode()
    assert f'hx-get="{reverse("reports:summary_status", args=[summary.pk])}"' in body
    assert 'hx-trigger="every 1s"' in body
    assert "<progress" in body


def test_compile_waits_for_the_commit(campaign, reviewer, client_for):
    response = client_for(reviewer).post(reverse("reports:summary_compile", args=[CODE]), {})
    summary = Summary.objects.get()
    assert response.url == reverse("reports:summary_detail", args=[summary.pk])
    assert summary.status == JobStatus.QUEUED  # enqueued only on commit


def test_bad_input_is_refused_with_a_message(campaign, reviewer, client_for):
    response = client_for(reviewer).post(
        reverse("reports:summary_compile", args=[CODE]), {"document_number": "12a", "document_date": "31/02/2024"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Số văn bản chỉ gồm chữ số" in body
    assert "Ngày không hợp lệ" in body
    assert not Summary.objects.exists()


def test_a_failed_summary_shows_the_reason_and_can_be_retried(
    campaign, reviewer, client_for, django_capture_on_commit_callbacks
):
    summary = summary_create(campaign=campaign, by=reviewer)
    Summary.objects.filter(pk=summary.pk).update(status=JobStatus.FAILED, error="Quá thời gian xử lý cho phép.")
    client = client_for(reviewer)
    body = client.get(reverse("reports:summary_detail", args=[summary.pk])).content.decode()
    assert "Quá thời gian xử lý cho phép." in body
    assert reverse("reports:summary_retry", args=[summary.pk]) in body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:summary_retry", args=[summary.pk]))
    summary.refresh_from_db()
    assert summary.status == JobStatus.DONE, summary.error


@pytest.mark.parametrize("actor", MATRIX)
def test_compile_and_retry_role_matrix(actor, campaign, actors, client_for):
    client = client_for(actors.get(actor))
    response = client.post(reverse("reports:summary_compile", args=[CODE]), {"document_number": "7"})
    if actor == "anonymous":
        assert reverse("login") in response.url
    elif actor == "reviewer":
        assert response.status_code == 302
        assert Summary.objects.count() == 1
        return
    else:
        assert response.status_code == 404
    assert not Summary.objects.exists()


@pytest.mark.parametrize("actor", MATRIX)
def test_reading_role_matrix(actor, done_summary, actors, client_for):
    client = client_for(actors.get(actor))
    urls = [
        reverse("reports:summary_list", args=[CODE]),
        reverse("reports:summary_detail", args=[done_summary.pk]),
        reverse("reports:summary_status", args=[done_summary.pk]),
        reverse("reports:summary_download", args=[done_summary.pk]) + "?format=pdf",
        reverse("reports:summary_download", args=[done_summary.pk]) + "?format=docx",
    ]
    for url in urls:
        response = get(client, url)
        if actor == "anonymous":
            assert response.status_code == 302 and reverse("login") in response.url, url
        elif actor in ("reviewer", "leader"):
            assert response.status_code == 200, url
        else:
            assert response.status_code == 404, url
    retry = client.post(reverse("reports:summary_retry", args=[done_summary.pk]))
    assert retry.status_code == (302 if actor in ("anonymous", "reviewer") else 404)
    assert Summary.objects.get().status == JobStatus.DONE  # a done summary is not retried


def test_only_reviewers_see_the_compile_form(done_summary, reviewer, leader, client_for):
    compile_url = reverse("reports:summary_compile", args=[CODE])
    assert compile_url in client_for(reviewer).get(reverse("reports:summary_list", args=[CODE])).content.decode()
    assert compile_url not in client_for(leader).get(reverse("reports:summary_list", args=[CODE])).content.decode()


def test_download_refuses_unknown_formats_and_unfinished_summaries(campaign, reviewer, client_for):
    summary = summary_create(campaign=campaign, by=reviewer)
    client = client_for(reviewer)
    assert get(client, reverse("reports:summary_download", args=[summary.pk]) + "?format=pdf").status_code == 404
    assert get(client, reverse("reports:summary_download", args=[summary.pk]) + "?format=exe").status_code == 404


def test_get_never_compiles(campaign, reviewer, client_for):
    assert client_for(reviewer).get(reverse("reports:summary_compile", args=[CODE])).status_code == 405
    assert not Summary.objects.exists()


def test_compiling_only_accepted_reports_is_a_choice_of_the_form(campaign, reviewer, client_for):
    client = client_for(reviewer)
    client.post(reverse("reports:summary_compile", args=[CODE]), {"document_number": "12", "accepted_only": "on"})
    client.post(reverse("reports:summary_compile", args=[CODE]), {"document_number": "13"})
    assert list(Summary.objects.order_by("number").values_list("accepted_only", "recommendations")) == [
        (True, ""),
        (False, ""),
    ]
    # The next compile starts from the last choice.
    form = client.get(reverse("reports:summary_list", args=[CODE])).context["form"]
    assert form["accepted_only"].value() is False


def test_the_form_says_how_many_reports_were_sent_and_accepted(campaign, unit_a, officer_a, reviewer, client_for):
    fill_report(campaign, unit_a, officer_a)
    body = client_for(reviewer).get(reverse("reports:summary_list", args=[CODE])).content.decode()
    assert "Chỉ tổng hợp báo cáo đã được thẩm định" in body
    assert "Hiện có 1 báo cáo đã gửi, trong đó 0 đã được thẩm định." in body
    assert "Kiến nghị, đề xuất</label>" not in body  # part V.2 is drafted, not typed here


def part_state(body, label):
    """The badge beside the part `label` in the list's panel "Nội dung báo cáo"."""
    item = body.split(f"<span>{label}</span>", 1)[1].split("</li>", 1)[0]
    return item.split(">", 2)[1].split("<", 1)[0]


def test_the_list_shows_the_state_of_every_part(campaign, reviewer, client_for):
    client = client_for(reviewer)
    url = reverse("reports:summary_list", args=[CODE])
    body = client.get(url).content.decode()
    organisation = "I. Công tác tổ chức, triển khai"
    assert part_state(body, organisation) == "Còn trống"  # no report: nothing to suggest
    assert part_state(body, "III. Công tác khen thưởng") == "Gợi ý tự động"
    empty = int(re.search(r"Còn (\d+) phần trống: I\. Công tác tổ chức, triển khai;", body).group(1))
    assert "IV.3. Nguyên nhân" in body.split("phần trống:", 1)[1].split("</", 1)[0]  # nothing to quote yet
    assert reverse("reports:summary_draft", args=[CODE]) in body

    summary_draft_save(campaign=campaign, by=reviewer, texts={"organisation": "Đã ban hành kế hoạch."})
    body = client.get(url).content.decode()
    assert part_state(body, organisation) == "Đã soạn"
    assert f"Còn {empty - 1} phần trống" in body


def test_leaders_see_no_draft_panel(campaign, leader, client_for):
    body = client_for(leader).get(reverse("reports:summary_list", args=[CODE])).content.decode()
    assert "Nội dung báo cáo" not in body
    assert reverse("reports:summary_draft", args=[CODE]) not in body


def test_a_summary_compiled_from_the_command_line_is_listed_and_shown(campaign, reviewer, client_for):
    """A compile with nobody behind it (compile_summary) names the command, never a 500."""
    summary = summary_create(campaign=campaign, by=None)
    client = client_for(reviewer)
    for url in (
        reverse("reports:summary_list", args=[campaign.code]),
        reverse("reports:summary_detail", args=[summary.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "Dòng lệnh (compile_summary)" in response.content.decode()
