"""The Sở Nội vụ's decision on each proposal, the quotas and the council's votes."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Unit
from commendations import review
from commendations.models import (
    CouncilVote,
    Decision,
    ProposalAction,
    ProposalEvent,
    Vote,
)
from commendations.selectors import approved, decision_list
from commendations.tests.factories import CERTIFICATE, FLAG, link, provincial_catalogue
from reports.models import Commendation, CouncilResult, ReportStatus, ReviewStatus
from reports.services import report_get_or_create


@pytest.fixture
def forms(campaign):
    """The flag (one per cluster or block, council vote at 70 %) and the Chairman's Bằng khen."""
    catalogue = provincial_catalogue()
    link(campaign, catalogue)
    return {"flag": catalogue.forms.get(code=FLAG), "merit": catalogue.forms.get(code=CERTIFICATE)}


def sent_report(campaign, code, status=ReportStatus.SUBMITTED):
    report = report_get_or_create(campaign=campaign, unit=Unit.objects.get(code=code))
    report.status = status
    report.save(update_fields=["status"])
    return report


def propose(report, form, name=None, kind="collective", **extra):
    return Commendation.objects.create(
        report=report,
        kind=kind,
        name=name or report.unit.name,
        achievement="Dẫn đầu phong trào",
        award=form.name if form else "Bằng khen (ghi tay)",
        award_form=form,
        **extra,
    )


def events(proposal):
    return list(ProposalEvent.objects.filter(proposal=proposal).values_list("action", flat=True))


def test_agree_ask_for_more_and_disagree_are_recorded_with_who_and_why(campaign, forms, reviewer):
    report = sent_report(campaign, "h-muong-ang")
    proposal = propose(report, forms["merit"], name="Ông Lò Văn A", kind="individual", position="Trưởng bản")

    review.proposal_request_more(proposal=proposal, by=reviewer, reason="Thiếu báo cáo thành tích")
    proposal.refresh_from_db()
    assert (proposal.review_status, proposal.review_reason) == (ReviewStatus.MORE_REQUESTED, "Thiếu báo cáo thành tích")

    review.proposal_disagree(proposal=proposal, by=reviewer, reason="Thành tích chưa tiêu biểu")
    review.proposal_agree(proposal=proposal, by=reviewer)
    proposal.refresh_from_db()
    assert proposal.review_status == ReviewStatus.AGREED
    history = ProposalEvent.objects.filter(proposal=proposal).order_by("pk")
    assert [(event.action, event.by, event.reason) for event in history] == [
        (ProposalAction.MORE_REQUESTED, reviewer, "Thiếu báo cáo thành tích"),
        (ProposalAction.DISAGREED, reviewer, "Thành tích chưa tiêu biểu"),
        (ProposalAction.AGREED, reviewer, ""),
    ]
    assert history.last().detail == {"before": "disagreed", "after": "agreed"}
    # A form with no council vote goes straight onto the list.
    assert approved(proposal)
    assert [group.form for group in decision_list(campaign)] == [forms["merit"]]


@pytest.mark.parametrize("decision", ["proposal_request_more", "proposal_disagree"])
@pytest.mark.parametrize("reason", ["", "   ", "Lý do\x07"])
def test_asking_for_more_or_disagreeing_needs_a_clean_reason(campaign, forms, reviewer, decision, reason):
    proposal = propose(sent_report(campaign, "h-muong-ang"), forms["merit"])
    with pytest.raises(review.ProposalError) as refused:
        getattr(review, decision)(proposal=proposal, by=reviewer, reason=reason)
    assert "reason" in refused.value.problems
    proposal.refresh_from_db()
    assert proposal.review_status == ReviewStatus.PENDING
    assert events(proposal) == []


def test_a_proposal_of_a_draft_report_is_not_reviewed(campaign, forms, reviewer):
    proposal = propose(sent_report(campaign, "h-muong-ang", status=ReportStatus.DRAFT), forms["merit"])
    with pytest.raises(review.ProposalError, match="chưa được gửi"):
        review.proposal_agree(proposal=proposal, by=reviewer)
    assert events(proposal) == []


def test_a_free_text_proposal_or_a_form_not_for_its_kind_cannot_be_agreed(campaign, forms, reviewer):
    report = sent_report(campaign, "h-muong-ang")
    free_text = propose(report, None)
    with pytest.raises(review.ProposalError, match="chưa chọn hình thức khen thưởng trong danh mục"):
        review.proposal_agree(proposal=free_text, by=reviewer)
    person_flag = propose(report, forms["flag"], name="Bà Lò Thị B", kind="individual")
    with pytest.raises(review.ProposalError, match="không dành cho cá nhân"):
        review.proposal_agree(proposal=person_flag, by=reviewer)
    assert Commendation.objects.filter(review_status=ReviewStatus.AGREED).count() == 0
    # Asking for more is how the reviewer sends such a proposal back.
    review.proposal_request_more(proposal=free_text, by=reviewer, reason="Chọn hình thức trong danh mục")
    assert events(free_text) == [ProposalAction.MORE_REQUESTED]


def test_one_flag_per_cluster_is_refused_with_the_cluster_and_the_holder_named(campaign, forms, reviewer):
    first = propose(sent_report(campaign, "h-muong-ang"), forms["flag"])
    second = propose(sent_report(campaign, "tp-dien-bien-phu"), forms["flag"])  # same cluster
    other_cluster = propose(sent_report(campaign, "h-muong-cha"), forms["flag"])

    review.proposal_agree(proposal=first, by=reviewer)
    with pytest.raises(review.ProposalError) as refused:
        review.proposal_agree(proposal=second, by=reviewer)
    message = str(refused.value)
    assert "Cụm thi đua các huyện số 1" in message
    assert first.name in message
    assert "tối đa 1" in message
    second.refresh_from_db()
    assert second.review_status == ReviewStatus.PENDING
    assert events(second) == []

    review.proposal_agree(proposal=other_cluster, by=reviewer)  # its own cluster's one flag
    # Once the first is set aside, the second fits.
    review.proposal_disagree(proposal=first, by=reviewer, reason="Đơn vị khác trong cụm dẫn đầu")
    review.proposal_agree(proposal=second, by=reviewer)
    assert set(Commendation.objects.filter(review_status="agreed").values_list("pk", flat=True)) == {
        second.pk,
        other_cluster.pk,
    }


def test_a_flag_the_council_voted_down_frees_the_cluster_quota(campaign, forms, reviewer):
    first = propose(sent_report(campaign, "h-muong-ang"), forms["flag"])
    second = propose(sent_report(campaign, "tp-dien-bien-phu"), forms["flag"])
    review.proposal_agree(proposal=first, by=reviewer)
    session = council(campaign, reviewer)
    record(session, first, reviewer, [Vote.FOR, Vote.AGAINST, Vote.AGAINST, Vote.ABSENT, Vote.FOR])
    first.refresh_from_db()
    assert first.council_result == CouncilResult.FAILED
    review.proposal_agree(proposal=second, by=reviewer)


def council(campaign, by, size=5):
    members = [(f"Thành viên {index}", "Ủy viên" if index else "Chủ tịch Hội đồng") for index in range(size)]
    return review.council_session_create(
        campaign=campaign, held_on=timezone.localdate(), title="Phiên họp xét khen thưởng", members=members, by=by
    )


def record(session, proposal, by, values):
    members = list(session.members.all())
    return review.council_votes_record(
        session=session, proposal=proposal, votes=dict(zip([m.pk for m in members], values, strict=True)), by=by
    )


@pytest.mark.parametrize(
    ("values", "result"),
    [
        ([Vote.FOR, Vote.FOR, Vote.FOR, Vote.FOR, Vote.AGAINST], CouncilResult.PASSED),  # 80 %
        ([Vote.FOR, Vote.FOR, Vote.FOR, Vote.FOR, Vote.ABSENT], CouncilResult.PASSED),  # 80 %
        ([Vote.FOR, Vote.FOR, Vote.FOR, Vote.AGAINST, Vote.AGAINST], CouncilResult.FAILED),  # 60 %
        ([Vote.FOR, Vote.FOR, Vote.FOR, Vote.ABSENT, Vote.ABSENT], CouncilResult.FAILED),  # absent count as members
        ([Vote.FOR, Vote.FOR, Vote.FOR, Vote.FOR_IN_WRITING, Vote.ABSENT], CouncilResult.PASSED),  # written: 80 %
        ([Vote.FOR, Vote.FOR, Vote.FOR, Vote.AGAINST_IN_WRITING, Vote.ABSENT], CouncilResult.FAILED),  # 60 %
    ],
)
def test_the_threshold_is_the_share_of_all_members_voting_for(campaign, forms, reviewer, values, result):
    proposal = propose(sent_report(campaign, "h-muong-ang"), forms["flag"])
    review.proposal_agree(proposal=proposal, by=reviewer)
    assert not approved(proposal)  # agreed, but the flag waits for the council
    session = council(campaign, reviewer)
    record(session, proposal, reviewer, values)
    proposal.refresh_from_db()
    assert proposal.council_result == result
    assert approved(proposal) == (result == CouncilResult.PASSED)
    voted = ProposalEvent.objects.get(proposal=proposal, action=ProposalAction.VOTED)
    assert voted.detail["members"] == 5
    assert voted.detail["votes_for"] == values.count(Vote.FOR) + values.count(Vote.FOR_IN_WRITING)
    assert voted.detail["in_writing"] == values.count(Vote.FOR_IN_WRITING) + values.count(Vote.AGAINST_IN_WRITING)
    assert voted.detail["threshold"] == "70.00"
    assert [group.form for group in decision_list(campaign)] == ([forms["flag"]] if result == "passed" else [])


def test_votes_are_all_or_nothing_and_lock_the_review(campaign, forms, reviewer):
    proposal = propose(sent_report(campaign, "h-muong-ang"), forms["flag"])
    session = council(campaign, reviewer)
    with pytest.raises(review.ProposalError, match="không thuộc diện Hội đồng bỏ phiếu"):
        record(session, proposal, reviewer, [Vote.FOR] * 5)  # not agreed yet
    review.proposal_agree(proposal=proposal, by=reviewer)
    members = list(session.members.all())
    with pytest.raises(review.ProposalError, match=f"Chưa ghi phiếu của {members[-1].name}"):
        review.council_votes_record(
            session=session, proposal=proposal, votes={m.pk: Vote.FOR for m in members[:-1]}, by=reviewer
        )
    with pytest.raises(review.ProposalError, match="Chưa ghi phiếu"):
        review.council_votes_record(
            session=session,
            proposal=proposal,
            votes={**{m.pk: Vote.FOR for m in members}, members[0].pk: "yes"},
            by=reviewer,
        )
    assert CouncilVote.objects.count() == 0
    record(session, proposal, reviewer, [Vote.FOR] * 5)
    with pytest.raises(review.ProposalError, match="Hội đồng đã bỏ phiếu"):
        review.proposal_disagree(proposal=proposal, by=reviewer, reason="Đổi ý")
    other = council(campaign, reviewer)
    with pytest.raises(review.ProposalError, match="phiên họp khác"):
        record(other, proposal, reviewer, [Vote.AGAINST] * 5)
    # Voting again in the same session replaces the session's votes.
    record(session, proposal, reviewer, [Vote.AGAINST] * 5)
    proposal.refresh_from_db()
    assert proposal.council_result == CouncilResult.FAILED
    assert CouncilVote.objects.filter(proposal=proposal).count() == 5


@pytest.mark.parametrize(
    ("members", "held_on", "field", "message"),
    [
        ([("A", "Chủ tịch"), ("B", "Ủy viên")], 0, "members", "ít nhất 3"),
        ([("A", "Chủ tịch"), ("B", ""), ("C", "Ủy viên")], 0, "members", "Dòng 2"),
        ([("A", "Chủ tịch"), ("A", "Ủy viên"), ("C", "Ủy viên")], 0, "members", "trùng"),
        ([("A", "Chủ tịch"), ("B", "Ủy viên"), ("C", "Ủy viên")], 1, "held_on", "sau hôm nay"),
    ],
)
def test_a_session_with_bad_members_or_date_is_refused(campaign, reviewer, members, held_on, field, message):
    with pytest.raises(review.ProposalError) as refused:
        review.council_session_create(
            campaign=campaign,
            held_on=timezone.localdate() + datetime.timedelta(days=held_on),
            title="Phiên họp",
            members=members,
            by=reviewer,
        )
    assert message in refused.value.problems[field]
    assert not campaign.council_sessions.exists()


def test_nothing_changes_once_the_decision_is_issued(campaign, forms, reviewer):
    proposal = propose(sent_report(campaign, "h-muong-ang"), forms["merit"])
    review.proposal_agree(proposal=proposal, by=reviewer)
    Decision.objects.create(campaign=campaign, number="15/QĐ-UBND", signed_on=timezone.localdate())
    with pytest.raises(review.ProposalError, match="15/QĐ-UBND"):
        review.proposal_disagree(proposal=proposal, by=reviewer, reason="Muộn")
    proposal.refresh_from_db()
    assert proposal.review_status == ReviewStatus.AGREED


# --- the pages ----------------------------------------------------------------------------


def test_officers_get_404_on_every_review_page_and_action(campaign, forms, officer_a, reviewer, client_for):
    proposal = propose(sent_report(campaign, "h-muong-ang"), forms["flag"])
    session = council(campaign, reviewer)
    client = client_for(officer_a)  # the proposal is their own unit's
    for url in (
        reverse("commendations:current"),
        reverse("commendations:proposal_list", args=[campaign.code]),
        reverse("commendations:council_list", args=[campaign.code]),
        reverse("commendations:council_create", args=[campaign.code]),
        reverse("commendations:council_detail", args=[session.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("commendations:proposal_review", args=[proposal.pk]),
        reverse("commendations:council_vote", args=[session.pk, proposal.pk]),
        reverse("commendations:council_create", args=[campaign.code]),
    ):
        assert client.post(url, {"decision": "agree"}).status_code == 404, url
    proposal.refresh_from_db()
    assert proposal.review_status == ReviewStatus.PENDING


def test_leaders_read_but_cannot_act(campaign, forms, leader, reviewer, client_for):
    proposal = propose(sent_report(campaign, "h-muong-ang"), forms["flag"])
    session = council(campaign, reviewer)
    client = client_for(leader)
    page = client.get(reverse("commendations:proposal_list", args=[campaign.code]))
    assert page.status_code == 200
    assert proposal.name in page.content.decode()
    assert 'name="decision"' not in page.content.decode()
    assert client.get(reverse("commendations:council_detail", args=[session.pk])).status_code == 200
    assert (
        client.post(reverse("commendations:proposal_review", args=[proposal.pk]), {"decision": "agree"}).status_code
        == 404
    )
    assert client.get(reverse("commendations:council_create", args=[campaign.code])).status_code == 404
    proposal.refresh_from_db()
    assert proposal.review_status == ReviewStatus.PENDING


def test_the_reviewer_decides_from_the_list_and_sees_the_quota_message(campaign, forms, reviewer, client_for):
    first = propose(sent_report(campaign, "h-muong-ang"), forms["flag"])
    second = propose(sent_report(campaign, "tp-dien-bien-phu"), forms["flag"])
    client = client_for(reviewer)
    url = reverse("commendations:proposal_list", args=[campaign.code])
    assert client.get(url).status_code == 200
    assert (
        client.post(reverse("commendations:proposal_review", args=[first.pk]), {"decision": "agree"}).status_code == 302
    )
    refused = client.post(
        reverse("commendations:proposal_review", args=[second.pk]), {"decision": "agree"}, follow=True
    )
    assert "Cụm thi đua các huyện số 1" in refused.content.decode()
    asked = client.post(
        reverse("commendations:proposal_review", args=[second.pk]), {"decision": "more", "reason": ""}, follow=True
    )
    assert "Cần ghi rõ lý do" in asked.content.decode()
    bogus = client.post(
        reverse("commendations:proposal_review", args=[second.pk]), {"decision": "approve"}, follow=True
    )
    assert "Thao tác không hợp lệ" in bogus.content.decode()
    second.refresh_from_db()
    assert second.review_status == ReviewStatus.PENDING
    assert events(second) == []
    # Filters: by state and by form.
    agreed = client.get(url, {"status": "agreed"}).content.decode()
    assert f'data-proposal="{first.pk}"' in agreed and f'data-proposal="{second.pk}"' not in agreed


def test_the_council_pages_record_sessions_and_votes(campaign, forms, reviewer, client_for):
    proposal = propose(sent_report(campaign, "h-muong-ang"), forms["flag"])
    review.proposal_agree(proposal=proposal, by=reviewer)
    client = client_for(reviewer)
    create = reverse("commendations:council_create", args=[campaign.code])
    bad = client.post(
        create, {"title": "Phiên 1", "held_on": "32/13/2026", "member_name": ["A"], "member_position": ["B"]}
    )
    assert bad.status_code == 400
    assert "Ngày họp không đúng dạng ngày" in bad.content.decode()
    assert not campaign.council_sessions.exists()
    made = client.post(
        create,
        {
            "title": "Phiên họp Hội đồng TĐKT tỉnh",
            "held_on": timezone.localdate().isoformat(),
            "member_name": ["Ông A", "Bà B", "Ông C", ""],
            "member_position": ["Chủ tịch Hội đồng", "Phó Chủ tịch", "Ủy viên", ""],
        },
    )
    session = campaign.council_sessions.get()
    assert made.status_code == 302
    assert [m.name for m in session.members.all()] == ["Ông A", "Bà B", "Ông C"]
    detail = client.get(reverse("commendations:council_detail", args=[session.pk])).content.decode()
    assert f'data-vote-proposal="{proposal.pk}"' in detail
    members = list(session.members.all())
    vote_url = reverse("commendations:council_vote", args=[session.pk, proposal.pk])
    partial = client.post(vote_url, {f"vote-{members[0].pk}": "for"}, follow=True)
    assert "Chưa ghi phiếu của Bà B" in partial.content.decode()
    assert not CouncilVote.objects.exists()
    client.post(vote_url, {f"vote-{m.pk}": "for" for m in members})
    proposal.refresh_from_db()
    assert proposal.council_result == CouncilResult.PASSED
    assert "3/3" in client.get(reverse("commendations:council_detail", args=[session.pk])).content.decode()


def test_the_reviewer_decides_on_the_proposal_page_and_the_unit_reads_why(
    campaign, forms, reviewer, officer_a, client_for
):
    proposal = propose(sent_report(campaign, "h-muong-ang"), forms["merit"], name="Bà Lò Thị Hoa", kind="individual")
    page_url = reverse("commendations:proposal_detail", args=[proposal.pk])
    client = client_for(reviewer)
    assert 'name="decision"' in client.get(page_url).content.decode()
    answer = client.post(
        reverse("commendations:proposal_review", args=[proposal.pk]),
        {"decision": "more", "reason": "Bổ sung báo cáo thành tích có xác nhận", "back": "detail"},
    )
    assert answer.status_code == 302 and answer.url == page_url
    officer_page = client_for(officer_a).get(page_url).content.decode()
    assert "Bổ sung báo cáo thành tích có xác nhận" in officer_page
    assert 'name="decision"' not in officer_page
