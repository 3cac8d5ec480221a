"""The Sở Nội vụ's review of each proposal and the council's votes, with the quotas the
catalogue sets. Every step writes a ProposalEvent; a refused step writes nothing."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import UnitGroup, UnitGroupKind
from campaigns.numbers import format_vn_number
from reports.models import COUNTED_STATUSES, Commendation, CouncilResult, ReviewStatus
from reports.services import ReportError
from reports.text import text_problem
from reports.workflow import REVIEW_COMMENT_MAX_CHARS

from .models import (
    VOTES_AGAINST,
    VOTES_FOR,
    CouncilMember,
    CouncilSession,
    CouncilVote,
    Decision,
    ProposalAction,
    ProposalEvent,
    Vote,
)

# Votes given in writing by members away from the meeting.
IN_WRITING = (Vote.FOR_IN_WRITING, Vote.AGAINST_IN_WRITING)

# A proposal in one of these states counts against its form's quota.
TOWARDS_LIST = (ReviewStatus.AGREED,)


class ProposalError(ReportError):
    """The step is refused; `problems` maps a field (or "__all__") to a Vietnamese message."""


def _locked(proposal):
    """The proposal read afresh inside the caller's transaction, its row locked."""
    return Commendation.objects.select_for_update().select_related("award_form", "report").get(pk=proposal.pk)


def _check_open(proposal):
    report = proposal.report
    if report.status not in COUNTED_STATUSES:
        raise ProposalError(_("Báo cáo của đơn vị chưa được gửi nên chưa xét được đề nghị này."))
    decision = Decision.objects.filter(campaign_id=report.campaign_id).first()
    if decision is not None and decision.issued:
        raise ProposalError(
            _("Quyết định khen thưởng số %(number)s đã ban hành; danh sách không thay đổi được nữa.")
            % {"number": decision.number}
        )


def _reason(reason, *, required):
    reason = (reason or "").strip()
    if required and not reason:
        raise ProposalError({"reason": _("Cần ghi rõ lý do để đơn vị biết.")})
    message = text_problem(_("Lý do"), reason, max_chars=REVIEW_COMMENT_MAX_CHARS)
    if message:
        raise ProposalError({"reason": message})
    return reason


def _event(proposal, action, by, reason="", **detail):
    ProposalEvent.objects.create(proposal=proposal, action=action, by=by, reason=reason, detail=detail)


def _check_council_not_voted(proposal):
    if proposal.council_votes.exists():
        raise ProposalError(_("Hội đồng đã bỏ phiếu cho đề nghị này; kết quả xét không đổi được sau phiếu bầu."))


def quota_scopes(proposal):
    """Where the form's quota is counted for this proposal: (label, proposals queryset) pairs."""
    form = proposal.award_form
    quota = form.quota or {}
    if not quota:
        return []
    same_form = Commendation.objects.filter(
        award_form=form, report__campaign_id=proposal.report.campaign_id, review_status__in=TOWARDS_LIST
    ).exclude(council_result=CouncilResult.FAILED)
    if quota.get("per") == "campaign":
        return [(_("toàn tỉnh"), same_form)]
    groups = UnitGroup.objects.filter(
        campaign_id=proposal.report.campaign_id,
        kind__in=quota.get("group_kinds") or [UnitGroupKind.CLUSTER, UnitGroupKind.BLOCK],
        units=proposal.report.unit_id,
    )
    return [(group.name, same_form.filter(report__unit__in=group.units.all())) for group in groups]


def quota_problem(proposal):
    """The message when agreeing to `proposal` would give its form more than the catalogue
    allows in the proposing unit's cluster or block (or the whole campaign); else None."""
    maximum = (proposal.award_form.quota or {}).get("max")
    if maximum is None:
        return None
    for scope, queryset in quota_scopes(proposal):
        taken = list(queryset.exclude(pk=proposal.pk).select_related("report__unit"))
        if len(taken) >= maximum:
            holders = ", ".join(sorted(item.name for item in taken))
            return _(
                "Không đồng ý được: %(scope)s đã có %(count)s đề nghị “%(form)s” được đồng ý (%(holders)s), "
                "trong khi mỗi %(per)s chỉ được tối đa %(max)s. Hãy chuyển đề nghị kia sang “Không "
                "đồng ý” trước nếu muốn chọn đề nghị này."
            ) % {
                "scope": scope,
                "count": format_vn_number(len(taken)),
                "form": proposal.award_form.name,
                "holders": holders,
                "per": _("cụm, khối thi đua") if proposal.award_form.quota.get("per") != "campaign" else _("tỉnh"),
                "max": format_vn_number(maximum),
            }
    return None


def proposal_agree(*, proposal, by, reason=""):
    """The Sở Nội vụ agrees to the proposal: it goes on to the council (if its form asks for
    a vote) or onto the list. Refused without a catalogue form, for a form not given to this
    kind of recipient, or over the form's quota."""
    with transaction.atomic():
        proposal = _locked(proposal)
        _check_open(proposal)
        reason = _reason(reason, required=False)
        form = proposal.award_form
        if form is None:
            raise ProposalError(
                _("Đề nghị “%(name)s” chưa chọn hình thức khen thưởng trong danh mục; hãy yêu cầu đơn vị bổ sung.")
                % {"name": proposal.name}
            )
        if not form.is_for(proposal.kind):
            kind = proposal.get_kind_display().lower()
            raise ProposalError(_("“%(form)s” không dành cho %(kind)s.") % {"form": form.name, "kind": kind})
        if proposal.review_status == ReviewStatus.AGREED:
            raise ProposalError(_("Đề nghị này đã được đồng ý."))
        _check_council_not_voted(proposal)
        problem = quota_problem(proposal)
        if problem:
            raise ProposalError(problem)
        _set(proposal, ReviewStatus.AGREED, reason, by, ProposalAction.AGREED)
    return proposal


def proposal_request_more(*, proposal, by, reason):
    """Send the proposal back to its unit for more (files, figures, wording), with a reason
    the unit sees; the unit resubmits it (commendations.proposals)."""
    return _decide_with_reason(proposal, by, reason, ReviewStatus.MORE_REQUESTED, ProposalAction.MORE_REQUESTED)


def proposal_disagree(*, proposal, by, reason):
    """The Sở Nội vụ does not agree to the proposal, with a reason the unit sees."""
    return _decide_with_reason(proposal, by, reason, ReviewStatus.DISAGREED, ProposalAction.DISAGREED)


def _decide_with_reason(proposal, by, reason, status, action):
    with transaction.atomic():
        proposal = _locked(proposal)
        _check_open(proposal)
        reason = _reason(reason, required=True)
        _check_council_not_voted(proposal)
        _set(proposal, status, reason, by, action)
    return proposal


def _set(proposal, status, reason, by, action):
    before = proposal.review_status
    proposal.review_status = status
    proposal.review_reason = reason
    proposal.save(update_fields=["review_status", "review_reason"])
    _event(proposal, action, by, reason, before=before, after=status)


# --- the council ------------------------------------------------------------------------


def council_session_create(*, campaign, held_on, title, members, by):
    """A council meeting with its members, in order: `members` is a list of (name, position).
    Every member is counted when a threshold is applied, present or not."""
    title = (title or "").strip()
    problems = {}
    if not title:
        problems["title"] = _("Cần ghi tên phiên họp.")
    elif message := text_problem(_("Tên phiên họp"), title, max_chars=255):
        problems["title"] = message
    if held_on is None:
        problems["held_on"] = _("Cần ghi ngày họp.")
    elif held_on > timezone.localdate():
        problems["held_on"] = _("Ngày họp không được sau hôm nay.")
    cleaned = []
    for index, (name, position) in enumerate(members, start=1):
        name, position = (name or "").strip(), (position or "").strip()
        if not name and not position:
            continue
        if not name or not position:
            problems["members"] = _("Dòng %(row)s: cần ghi cả họ tên và chức vụ trong Hội đồng.") % {"row": index}
            break
        for label, value in ((_("Họ và tên"), name), (_("Chức vụ"), position)):
            if message := text_problem(label, value, max_chars=120 if label == _("Họ và tên") else 255):
                problems["members"] = _("Dòng %(row)s: %(message)s") % {"row": index, "message": message}
        cleaned.append((name, position))
    if not problems.get("members") and len(cleaned) < 3:
        problems["members"] = _("Hội đồng cần ít nhất 3 thành viên.")
    if not problems.get("members") and len({name for name, _position in cleaned}) < len(cleaned):
        problems["members"] = _("Có tên thành viên bị ghi trùng.")
    if problems:
        raise ProposalError(problems)
    with transaction.atomic():
        session = CouncilSession.objects.create(campaign=campaign, held_on=held_on, title=title, created_by=by)
        CouncilMember.objects.bulk_create(
            CouncilMember(session=session, name=name, position=position, order=order)
            for order, (name, position) in enumerate(cleaned)
        )
    return session


def council_votes(session):
    """The proposals this session votes on: agreed by the Sở Nội vụ, of a form that needs
    the council's vote, in the campaign's counted reports."""
    return (
        Commendation.objects.filter(
            report__campaign_id=session.campaign_id,
            report__status__in=COUNTED_STATUSES,
            review_status=ReviewStatus.AGREED,
            award_form__council_threshold__isnull=False,
        )
        .select_related("award_form", "report__unit")
        .order_by("award_form__order", "report__unit__name", "order", "pk")
    )


def vote_share(votes_for, members):
    return (Decimal(votes_for) * 100 / members).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def council_votes_record(*, session, proposal, votes, by):
    """Record every member's vote on one proposal (`votes`: member pk → Vote) and apply the
    form's threshold: the share of all members voting for it. All or nothing: a missing
    member, an unknown value or a proposal not up for the vote refuses the whole."""
    members = list(session.members.all())
    problems = []
    for member in members:
        value = votes.get(member.pk)
        if value not in Vote.values:
            problems.append(_("Chưa ghi phiếu của %(name)s.") % {"name": member.name})
    unknown = set(votes) - {member.pk for member in members}
    if unknown:
        problems.append(_("Có phiếu của người không phải thành viên phiên họp."))
    if problems:
        raise ProposalError({"votes": " ".join(problems)})
    with transaction.atomic():
        proposal = _locked(proposal)
        _check_open(proposal)
        if not council_votes(session).filter(pk=proposal.pk).exists():
            raise ProposalError(
                _(
                    "Đề nghị “%(name)s” không thuộc diện Hội đồng bỏ phiếu (chưa được Sở Nội vụ đồng ý, hoặc "
                    "hình thức này không cần bỏ phiếu)."
                )
                % {"name": proposal.name}
            )
        if proposal.council_votes.exclude(session=session).exists():
            raise ProposalError(_("Đề nghị này đã được một phiên họp khác bỏ phiếu."))
        CouncilVote.objects.filter(session=session, proposal=proposal).delete()
        CouncilVote.objects.bulk_create(
            CouncilVote(session=session, member=member, proposal=proposal, vote=votes[member.pk]) for member in members
        )
        votes_for = sum(1 for member in members if votes[member.pk] in VOTES_FOR)
        share = vote_share(votes_for, len(members))
        threshold = proposal.award_form.council_threshold
        result = CouncilResult.PASSED if share >= threshold else CouncilResult.FAILED
        proposal.council_result = result
        proposal.save(update_fields=["council_result"])
        _event(
            proposal,
            ProposalAction.VOTED,
            by,
            session=session.title,
            members=len(members),
            votes_for=votes_for,
            votes_against=sum(1 for member in members if votes[member.pk] in VOTES_AGAINST),
            in_writing=sum(
                1 for member in members if votes[member.pk] in (Vote.FOR_IN_WRITING, Vote.AGAINST_IN_WRITING)
            ),
            absent=sum(1 for member in members if votes[member.pk] == Vote.ABSENT),
            share=str(share),
            threshold=str(threshold),
            result=result,
        )
    return proposal
