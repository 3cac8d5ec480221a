"""After the Sở Nội vụ asks for more on a proposal: the unit sees the reason, adds files and
edits the proposal's texts even though the report is sent, and presses “Gửi lại”."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from commendations.models import DossierKind, ProposalAction, ProposalEvent
from commendations.proposals import ProposalError, proposal_file_add, proposal_resubmit
from commendations.tests.proposal_data import pdf_upload, proposal_in, with_catalogue
from reports.models import ReportStatus, ReviewStatus, UnitReport

REASON = "Bổ sung báo cáo thành tích có xác nhận của UBND xã."


@pytest.fixture
def proposal(campaign, unit_a, officer_a, reviewer):
    with_catalogue(campaign)
    proposal = proposal_in(campaign, unit_a, officer_a)
    UnitReport.objects.filter(pk=proposal.report_id).update(status=ReportStatus.SUBMITTED)
    proposal.report.refresh_from_db()
    return proposal


def ask_more(proposal, reviewer, *, at=None):
    """What the reviewer's “Yêu cầu bổ sung” leaves (commendations' review side)."""
    proposal.review_status, proposal.review_reason = ReviewStatus.MORE_REQUESTED, REASON
    proposal.save()
    ProposalEvent.objects.create(
        proposal=proposal, action=ProposalAction.MORE_REQUESTED, by=reviewer, reason=REASON, at=at or timezone.now()
    )


def resubmit(client, proposal, **fields):
    data = {"achievement": proposal.achievement, "position": proposal.position, "work_unit": proposal.work_unit}
    return client.post(reverse("commendations:proposal_resubmit", args=[proposal.pk]), {**data, **fields})


def test_the_unit_sees_the_reason_on_the_proposal_and_the_report(proposal, reviewer, officer_a, client_for):
    ask_more(proposal, reviewer)
    client = client_for(officer_a)
    page = client.get(reverse("commendations:proposal_detail", args=[proposal.pk])).content.decode()
    assert REASON in page and "Gửi lại" in page and 'id="dossier-form"' in page
    report_page = client.get(reverse("reports:report_detail", args=[proposal.report_id])).content.decode()
    assert "Sở Nội vụ yêu cầu bổ sung đề nghị “Lò Văn Minh”" in report_page and REASON in report_page
    # The reviewer reads the page but has neither the upload nor the resubmission.
    reviewer_page = client_for(reviewer).get(reverse("commendations:proposal_detail", args=[proposal.pk]))
    assert REASON in reviewer_page.content.decode() and "Gửi lại</button>" not in reviewer_page.content.decode()


def test_resubmitting_without_any_change_or_file_is_refused(proposal, reviewer, officer_a, client_for):
    ask_more(proposal, reviewer)
    response = resubmit(client_for(officer_a), proposal)
    assert response.status_code == 200
    assert "Chưa có gì bổ sung" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.review_status == ReviewStatus.MORE_REQUESTED
    assert not proposal.events.filter(action=ProposalAction.RESUBMITTED).exists()


def test_an_edited_achievement_is_resubmitted_on_a_sent_report(proposal, reviewer, officer_a, client_for):
    ask_more(proposal, reviewer)
    version = proposal.report.version
    response = resubmit(client_for(officer_a), proposal, achievement="Vận động 60 hộ trồng 5.000 cây.")
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.review_status == ReviewStatus.RESUBMITTED
    assert proposal.achievement == "Vận động 60 hộ trồng 5.000 cây."
    event = proposal.events.get(action=ProposalAction.RESUBMITTED)
    assert event.by == officer_a
    assert event.detail["changes"] == [
        {
            "field": "achievement",
            "label": "thành tích",
            "old": "Vận động 40 hộ trồng cây.",
            "new": "Vận động 60 hộ trồng 5.000 cây.",
        }
    ]
    page = client_for(reviewer).get(reverse("commendations:proposal_detail", args=[proposal.pk])).content.decode()
    assert "Thành tích: Vận động 40 hộ trồng cây. → Vận động 60 hộ trồng 5.000 cây." in page
    report = UnitReport.objects.get(pk=proposal.report_id)
    assert report.status == ReportStatus.SUBMITTED and report.version == version + 1  # open forms merge with it


def test_a_file_added_since_the_request_is_enough(proposal, reviewer, officer_a):
    before = timezone.now() - datetime.timedelta(minutes=5)
    proposal.review_status = ReviewStatus.MORE_REQUESTED
    proposal.save()
    # A file from before the request does not count as an addition.
    proposal_file_add(proposal=proposal, by=officer_a, upload=pdf_upload("cu.pdf"), kind=DossierKind.SUBMISSION)
    ask_more(proposal, reviewer, at=timezone.now() + datetime.timedelta(seconds=1))
    assert before  # the request is the newest event
    with pytest.raises(ProposalError):
        proposal_resubmit(proposal=proposal, by=officer_a)
    # Uploads are open while more is asked, although the report is sent.
    proposal_file_add(proposal=proposal, by=officer_a, upload=pdf_upload("moi.pdf"), kind=DossierKind.ACHIEVEMENT)
    ProposalEvent.objects.filter(detail__file="moi.pdf").update(at=timezone.now() + datetime.timedelta(seconds=2))
    proposal_resubmit(proposal=proposal, by=officer_a)
    proposal.refresh_from_db()
    assert proposal.review_status == ReviewStatus.RESUBMITTED
    assert proposal.events.get(action=ProposalAction.RESUBMITTED).detail["files"] == ["moi.pdf"]


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"achievement": "Thành tích\x07"}, "ký tự điều khiển"),
        ({"position": ""}, "Ghi chức vụ của cá nhân được đề nghị."),
        ({"achievement": ""}, "Ghi thành tích."),
    ],
)
def test_bad_texts_are_refused(fields, message, proposal, reviewer, officer_a, client_for):
    ask_more(proposal, reviewer)
    response = resubmit(client_for(officer_a), proposal, **fields)
    assert response.status_code == 200 and message in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.review_status == ReviewStatus.MORE_REQUESTED
    assert (proposal.position, proposal.achievement) == ("Trưởng bản", "Vận động 40 hộ trồng cây.")


def test_only_a_proposal_asked_more_for_is_resubmitted(proposal, officer_a, client_for):
    response = resubmit(client_for(officer_a), proposal, achievement="Khác hẳn.")
    assert response.status_code == 200 and "không ở trạng thái “Cần bổ sung”" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.review_status == ReviewStatus.PENDING and proposal.achievement == "Vận động 40 hộ trồng cây."
