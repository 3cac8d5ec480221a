"""The decision's pages: who sees what, the numbers' checks, the prints as jobs, the Excel list."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from commendations.models import CommendationPrint, Decision, ProposalAction, ProposalEvent
from reports.tests.pdf_reading import pdf_reader, pdf_text

from .test_outputs_documents import docx_text

pytest_plugins = ["commendations.tests.outputs_data"]

CODE = "1908-UBND-KSTT"
VALID = {
    "submission_number": "45/TTr-SNV",
    "submission_date": "16/12/2024",
    "number": "5/QĐ-UBND",
    "signed_on": "20/12/2024",
    "signer_title": "phó chủ tịch",
    "signer_name": "Lò Văn Tiến",
}


def url(name, *args):
    return reverse(f"commendations:{name}", args=args)


@pytest.fixture
def done_print(campaign, listed, reviewer):
    return CommendationPrint.objects.create(campaign=campaign, kind="quyet-dinh", requested_by=reviewer)


def every_route(job):
    gets = [
        url("decision", CODE),
        url("decision_xlsx", CODE),
        url("print_detail", job.pk),
        url("print_status", job.pk),
        url("print_pdf", job.pk),
        url("print_docx", job.pk),
    ]
    posts = [url("decision", CODE)] + [
        url("document_print", CODE, kind) for kind in ("to-trinh", "quyet-dinh", "bang-khen")
    ]
    return gets, posts


def test_officers_get_404_on_every_route(client_for, officer_a, officer_b, done_print, signed_decision):
    gets, posts = every_route(done_print)
    for officer in (officer_a, officer_b):
        client = client_for(officer)
        for address in gets:
            assert client.get(address).status_code == 404, address
        for address in posts:
            assert client.post(address, {**VALID, "paper": "plain"}).status_code == 404, address
    assert CommendationPrint.objects.count() == 1
    assert Decision.objects.get().number == "123/QĐ-UBND"


def test_anonymous_visitors_are_sent_to_sign_in(client, done_print):
    gets, posts = every_route(done_print)
    for address in gets + posts:
        response = client.post(address) if address in posts else client.get(address)
        assert response.status_code == 302 and "login" in response["Location"], address


def test_leaders_read_the_list_but_cannot_post(client_for, leader, listed):
    client = client_for(leader)
    page = client.get(url("decision", CODE))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Bà Lò Thị Mai" in html and "Ủy ban nhân dân huyện Mường Ảng" in html
    assert "Ông Cà Văn Bổ sung" not in html
    assert 'name="number"' not in html and "In Tờ trình" not in html
    assert client.post(url("decision", CODE), VALID).status_code == 404
    for kind in ("to-trinh", "quyet-dinh", "bang-khen"):
        assert client.post(url("document_print", CODE, kind), {"paper": "plain"}).status_code == 404
    assert not Decision.objects.exists() and not CommendationPrint.objects.exists()


def test_get_never_creates_the_decision(client_for, reviewer, listed):
    page = client_for(reviewer).get(url("decision", CODE))
    assert page.status_code == 200 and 'name="number"' in page.content.decode()
    assert not Decision.objects.exists()


def test_a_reviewer_saves_the_numbers_and_the_list_gets_its_history(client_for, reviewer, listed):
    response = client_for(reviewer).post(url("decision", CODE), VALID)
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.number == "05/QĐ-UBND"  # a leading 0 under 10 (ND 30)
    assert decision.signed_on == datetime.date(2024, 12, 20)
    assert decision.signer_title == "PHÓ CHỦ TỊCH" and decision.updated_by == reviewer
    decided = ProposalEvent.objects.filter(action=ProposalAction.DECIDED)
    assert {event.proposal.name for event in decided} == {
        "Ủy ban nhân dân huyện Mường Ảng",
        "Phòng Nội vụ huyện Mường Ảng",
        "Hộ ông Quàng Văn Tươi",
        "Ông Lường Văn Sơn",
        "Bà Lò Thị Mai",
    }
    assert decided.first().detail == {"number": "05/QĐ-UBND", "signed_on": "2024-12-20"}
    # Saving again with the same number adds no second step.
    client_for(reviewer).post(url("decision", CODE), VALID)
    assert decided.count() == 5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"number": "123"}, "Số văn bản phải có dạng số/ký hiệu, ví dụ 123/QĐ-UBND."),
        ({"number": "123/TTr-SNV"}, "ví dụ 123/QĐ-UBND"),
        ({"submission_number": "45/QĐ-UBND"}, "ví dụ 45/TTr-SNV"),
        ({"signed_on": "20/12/2999"}, "Ngày không được sau hôm nay."),
        ({"signed_on": "31/02/2024"}, "Ngày không hợp lệ"),
        ({"signed_on": "10/12/2024"}, "Ngày ký Quyết định không được trước ngày Tờ trình."),
        ({"signed_on": ""}, "Nhập cả số và ngày ký Quyết định."),
        ({"submission_number": "", "submission_date": ""}, "nhập số và ngày Tờ trình trước"),
        ({"signer_name": ""}, "Nhập họ tên người ký Quyết định."),
        ({"signer_name": "Ông Lò Văn 2"}, "chỉ gồm chữ cái"),
        ({"signer_name": "Lò\x0bVăn"}, "ký tự điều khiển"),
        ({"signer_title": "GIÁM ĐỐC"}, "CHỦ TỊCH hoặc PHÓ CHỦ TỊCH"),
        ({"number": "", "signed_on": ""}, "Chỉ nhập người ký khi đã có số Quyết định."),
    ],
)
def test_bad_numbers_are_refused_with_a_message_and_nothing_saved(client_for, reviewer, listed, change, message):
    response = client_for(reviewer).post(url("decision", CODE), {**VALID, **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Decision.objects.exists()
    assert not ProposalEvent.objects.exists()


def test_the_excel_list_reads_back(client_for, leader, listed):
    listed["person"].name = "=HYPERLINK(1)"
    listed["person"].save()
    response = client_for(leader).get(url("decision_xlsx", CODE))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(load_workbook(io.BytesIO(response.content))["Danh sách"].iter_rows(values_only=True))
    assert rows[0] == (
        "STT",
        "Tên tập thể, cá nhân",
        "Chức vụ, đơn vị",
        "Đơn vị đề nghị",
        "Đối tượng",
        "Hình thức khen thưởng",
        "Thành tích",
    )
    assert [row[1] for row in rows[1:]] == [
        "Ủy ban nhân dân huyện Mường Ảng",
        "Phòng Nội vụ huyện Mường Ảng",
        "Hộ ông Quàng Văn Tươi",
        "Ông Lường Văn Sơn",
        "'=HYPERLINK(1)",  # shown as typed, never run
    ]
    assert [row[0] for row in rows[1:]] == [1, 1, 2, 3, 4]  # numbered within each award form
    assert rows[1][5] == "Cờ thi đua của Ủy ban nhân dân tỉnh" and rows[1][4] == "Tập thể"
    assert rows[5][2] == "Trưởng phòng Nghiệp vụ Văn hóa, Sở Văn hóa, Thể thao và Du lịch"
    assert rows[5][3] == "Sở Văn hóa, Thể thao và Du lịch"


def read(response):
    return b"".join(response.streaming_content)


def test_a_decision_print_runs_as_a_job_and_downloads(
    client_for, reviewer, leader, listed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(reviewer).post(url("document_print", CODE, "quyet-dinh"))
    job = CommendationPrint.objects.get()
    assert response.status_code == 302 and response["Location"] == url("print_detail", job.pk)
    assert job.status == "done" and job.kind == "quyet-dinh"
    assert [entry["name"] for entry in job.names] == [
        "Ủy ban nhân dân huyện Mường Ảng",
        "Phòng Nội vụ huyện Mường Ảng",
        "Hộ ông Quàng Văn Tươi",
        "Ông Lường Văn Sơn",
        "Bà Lò Thị Mai",
    ]
    client = client_for(leader)
    status = client.get(url("print_status", job.pk)).content.decode()
    assert url("print_pdf", job.pk) in status and url("print_docx", job.pk) in status
    pdf = client.get(url("print_pdf", job.pk))
    assert (
        pdf["Content-Disposition"].startswith("attachment")
        and f"quyet-dinh-{CODE}-{job.pk}.pdf" in pdf["Content-Disposition"]
    )
    text = pdf_text(read(pdf))
    assert "QUYẾT ĐỊNH" in text and "DỰ THẢO" in text and "Bà Lò Thị Mai" in text
    docx = client.get(url("print_docx", job.pk))
    assert "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh" in docx_text(read(docx))


def test_a_submission_print_asked_twice_while_queued_is_one_job(client_for, reviewer, listed):
    client = client_for(reviewer)
    client.post(url("document_print", CODE, "to-trinh"))  # the task waits for the commit: never run here
    client.post(url("document_print", CODE, "to-trinh"))
    job = CommendationPrint.objects.get()
    assert job.status == "queued"
    page = client.get(url("print_detail", job.pk)).content.decode()
    assert f'hx-get="{url("print_status", job.pk)}"' in page
    assert client.get(url("print_pdf", job.pk)).status_code == 404  # not printed yet


def test_certificates_are_refused_before_the_number(client_for, reviewer, listed):
    response = client_for(reviewer).post(url("document_print", CODE, "bang-khen"), {"paper": "plain"}, follow=True)
    assert "cần nhập số và ngày ký Quyết định" in response.content.decode()
    assert not CommendationPrint.objects.exists()


@pytest.mark.parametrize("paper", ["plain", "blank"])
def test_certificates_print_once_signed(
    client_for, reviewer, signed_decision, paper, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(reviewer).post(url("document_print", CODE, "bang-khen"), {"paper": paper})
    job = CommendationPrint.objects.get()
    assert job.status == "done" and job.options == {"paper": paper}
    assert [entry["name"] for entry in job.names] == [
        "Phòng Nội vụ huyện Mường Ảng",
        "Hộ ông Quàng Văn Tươi",
        "Ông Lường Văn Sơn",
        "Bà Lò Thị Mai",
    ]
    client = client_for(reviewer)
    pages = pdf_reader(read(client.get(url("print_pdf", job.pk)))).pages
    assert len(pages) == 4 and float(pages[0].mediabox.width) > float(pages[0].mediabox.height)
    assert client.get(url("print_docx", job.pk)).status_code == 404  # certificates have no Word file


def test_an_unknown_paper_or_document_is_refused(client_for, reviewer, signed_decision):
    client = client_for(reviewer)
    response = client.post(url("document_print", CODE, "bang-khen"), {"paper": "gold"}, follow=True)
    assert "Chọn kiểu in bằng" in response.content.decode()
    assert client.post(url("document_print", CODE, "giay-moi")).status_code == 404
    assert not CommendationPrint.objects.exists()


def test_prints_count_towards_the_persons_rate(client_for, reviewer, listed, settings):
    settings.PRINT_RATE_LIMIT = (1, 3600)
    client = client_for(reviewer)
    client.post(url("document_print", CODE, "to-trinh"))
    response = client.post(url("document_print", CODE, "quyet-dinh"))
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "bản in mới" in response.content.decode()
    assert CommendationPrint.objects.count() == 1


def test_unit_prints_and_commendation_prints_share_the_persons_rate(client_for, reviewer, listed, settings):
    settings.PRINT_RATE_LIMIT = (1, 3600)
    client = client_for(reviewer)
    report = listed["flag"].report
    assert client.post(url("document_print", CODE, "to-trinh")).status_code == 302
    assert client.post(reverse("reports:report_print", args=[report.pk])).status_code == 429
    assert not report.prints.exists()


def test_a_print_that_fails_says_so(client_for, reviewer, leader, listed, monkeypatch):
    from commendations import decisions
    from commendations.tasks import render_commendation_print

    def broken(*args, **kwargs):
        raise RuntimeError("layout failed")

    monkeypatch.setattr(decisions, "document_files", broken)
    job = CommendationPrint.objects.create(campaign=listed["flag"].report.campaign, kind="to-trinh")
    render_commendation_print(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "Mã tham chiếu" in job.error
    status = client_for(leader).get(url("print_status", job.pk)).content.decode()
    assert "Không in được văn bản." in status and "layout failed" not in status


def test_a_print_left_running_by_a_dead_worker_is_requeued(listed, settings):
    from reports.jobs import jobs_sweep_stale
    from reports.tasks import JOB_TASKS

    assert CommendationPrint in JOB_TASKS  # the scheduled sweep looks at commendation prints too
    job = CommendationPrint.objects.create(
        campaign=listed["flag"].report.campaign, kind="to-trinh", status="running", attempts=1
    )
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS + 60)
    CommendationPrint.objects.filter(pk=job.pk).update(heartbeat_at=long_ago, started_at=long_ago)
    enqueued = []
    assert jobs_sweep_stale(models=[CommendationPrint], enqueue=lambda model, pk: enqueued.append(pk)) == (1, 0)
    assert enqueued == [job.pk]
    job.refresh_from_db()
    assert job.status == "queued"


def test_certificates_need_a_name_of_a_form_that_prints_one(client_for, reviewer, listed, signed_decision):
    from commendations.models import AwardForm

    AwardForm.objects.update(certificate=False)
    response = client_for(reviewer).post(url("document_print", CODE, "bang-khen"), {"paper": "plain"}, follow=True)
    assert "chưa có tên nào thuộc hình thức được in bằng" in response.content.decode()
    assert not CommendationPrint.objects.exists()


def test_the_page_warns_when_the_catalogue_cites_a_decree_no_longer_in_force(
    campaign, listed, reviewer, client_for, signed_decision
):
    url = reverse("commendations:decision", args=[campaign.code])
    signed_before = client_for(reviewer).get(url).content.decode()
    assert "data-lapsed" not in signed_before  # signed 20/12/2024, under Nghị định 98/2023/NĐ-CP
    signed_decision.signed_on = datetime.date(2025, 7, 1)
    signed_decision.save(update_fields=["signed_on"])
    page = client_for(reviewer).get(url).content.decode()
    assert "data-lapsed" in page
    assert "Nghị định 98/2023/NĐ-CP — hết hiệu lực sau ngày 30/06/2025" in page
