"""The Sở Nội vụ's side of commendations: every proposal of a campaign with what the results
say of it, the decision on each proposal, and the council's sessions and votes. Reviewers
act; leaders read; officers get 404 (they follow their own proposals from their report)."""

import datetime

from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns.models import Campaign, CampaignStatus
from campaigns.roles import can_read_province, is_reviewer
from reports.models import COUNTED_STATUSES, ReviewStatus

from . import review
from .candidates import campaign_candidates
from .models import VOTES_FOR, CouncilSession, CouncilVote, Vote
from .selectors import proposal_for_user, proposals_for_user

DECISIONS = {
    "agree": review.proposal_agree,
    "more": review.proposal_request_more,
    "disagree": review.proposal_disagree,
}


def _campaign_for(request, code):
    if not can_read_province(request.user):
        raise Http404
    return get_object_or_404(Campaign.objects.select_related("award_catalogue"), code=code)


def _reviewer_only(request):
    if not is_reviewer(request.user):
        raise Http404


@require_GET
def current(request):
    """The proposals of the active campaign."""
    if not can_read_province(request.user):
        raise Http404
    campaign = Campaign.objects.filter(status=CampaignStatus.ACTIVE).first() or Campaign.objects.first()
    if campaign is None:
        return redirect("campaigns:list")
    return redirect("commendations:proposal_list", code=campaign.code)


@require_GET
def proposal_list(request, code):
    """Every proposal of the campaign's sent reports, filtered by review state and form, with
    the candidates the results put forward and the proposals they do not back."""
    campaign = _campaign_for(request, code)
    proposals = (
        proposals_for_user(request.user)
        .filter(report__campaign=campaign, report__status__in=COUNTED_STATUSES)
        .annotate(files=Count("dossier_files"))
        .order_by("award_form__order", "report__unit__name", "order", "pk")
    )
    forms = list(campaign.award_catalogue.forms.all()) if campaign.award_catalogue_id else []
    status = request.GET.get("status", "")
    form_code = request.GET.get("form", "")
    if status in ReviewStatus.values:
        proposals = proposals.filter(review_status=status)
    else:
        status = ""
    if form_code and any(form.code == form_code for form in forms):
        proposals = proposals.filter(award_form__code=form_code)
    else:
        form_code = ""
    candidates = campaign_candidates(campaign)
    unbacked = {proposal.pk: why for proposal, why in candidates.unbacked}
    rows = [
        {
            "proposal": proposal,
            "reasons": candidates.reasons_for(proposal.report.unit_id)
            if proposal.award_form and proposal.award_form.from_results
            else [],
            "unbacked": unbacked.get(proposal.pk),
        }
        for proposal in proposals
    ]
    return render(
        request,
        "commendations/review_list.html",
        {
            "campaign": campaign,
            "rows": rows,
            "forms": forms,
            "statuses": ReviewStatus.choices,
            "status": status,
            "form_code": form_code,
            "candidates": candidates,
            "can_act": is_reviewer(request.user),
        },
    )


@require_POST
def proposal_review(request, pk):
    """Agree, ask for more or disagree, with the reason the unit sees. Reviewers only."""
    proposal = proposal_for_user(request.user, pk)
    _reviewer_only(request)
    decision = request.POST.get("decision", "")
    action = DECISIONS.get(decision)
    back = reverse("commendations:proposal_list", kwargs={"code": proposal.report.campaign.code})
    if action is None:
        messages.error(request, _("Thao tác không hợp lệ."))
        return redirect(back)
    kwargs = {"proposal": proposal, "by": request.user, "reason": request.POST.get("reason", "")}
    try:
        action(**kwargs)
    except review.ProposalError as exc:
        messages.error(request, _("“%(name)s”: %(problem)s") % {"name": proposal.name, "problem": exc})
    else:
        done = {
            "agree": _("Đã đồng ý đề nghị “%(name)s”."),
            "more": _("Đã yêu cầu đơn vị bổ sung đề nghị “%(name)s”."),
            "disagree": _("Đã ghi không đồng ý đề nghị “%(name)s”."),
        }[decision]
        messages.success(request, done % {"name": proposal.name})
    if request.POST.get("back") == "detail":
        return redirect("commendations:proposal_detail", pk=proposal.pk)
    return redirect(f"{back}#p-{proposal.pk}")


# --- the council ------------------------------------------------------------------------


@require_GET
def council_list(request, code):
    campaign = _campaign_for(request, code)
    sessions = CouncilSession.objects.filter(campaign=campaign).annotate(
        member_count=Count("members", distinct=True), voted=Count("votes__proposal", distinct=True)
    )
    return render(
        request,
        "commendations/council_list.html",
        {"campaign": campaign, "sessions": sessions, "can_act": is_reviewer(request.user)},
    )


def _member_rows(post):
    names, positions = post.getlist("member_name"), post.getlist("member_position")
    return list(zip(names, positions + [""] * (len(names) - len(positions)), strict=False))


@require_http_methods(["GET", "POST"])
def council_create(request, code):
    """A new council session with its members. Reviewers only."""
    campaign = _campaign_for(request, code)
    _reviewer_only(request)
    problems, values = {}, {"title": "", "held_on": "", "members": [("", "")] * 9}
    if request.method == "POST":
        members = _member_rows(request.POST)
        values = {
            "title": request.POST.get("title", ""),
            "held_on": request.POST.get("held_on", ""),
            "members": members + [("", "")] * max(0, 9 - len(members)),
        }
        try:
            held_on = datetime.date.fromisoformat(values["held_on"]) if values["held_on"] else None
        except ValueError:
            problems["held_on"] = _("Ngày họp không đúng dạng ngày.")
            held_on = None
        if not problems:
            try:
                session = review.council_session_create(
                    campaign=campaign, held_on=held_on, title=values["title"], members=members, by=request.user
                )
            except review.ProposalError as exc:
                problems = exc.problems
            else:
                messages.success(request, _("Đã tạo phiên họp “%(title)s”.") % {"title": session.title})
                return redirect("commendations:council_detail", pk=session.pk)
    return render(
        request,
        "commendations/council_create.html",
        {"campaign": campaign, "values": values, "problems": problems},
        status=400 if problems else 200,
    )


def _session_for(request, pk):
    if not can_read_province(request.user):
        raise Http404
    return get_object_or_404(CouncilSession.objects.select_related("campaign"), pk=pk)


@require_GET
def council_detail(request, pk):
    """The session's members and, for every proposal up for the vote, each member's vote,
    the share for and the result against the form's threshold."""
    session = _session_for(request, pk)
    members = list(session.members.all())
    votes = {}
    for vote in session.votes.all():
        votes.setdefault(vote.proposal_id, {})[vote.member_id] = vote.vote
    proposals = list(review.council_votes(session))
    voted_elsewhere = CouncilVote.objects.filter(proposal__in=proposals).exclude(session=session)
    elsewhere = set(voted_elsewhere.values_list("proposal_id", flat=True))
    rows = []
    for proposal in proposals:
        mine = votes.get(proposal.pk, {})
        votes_for = sum(1 for value in mine.values() if value in VOTES_FOR)
        rows.append(
            {
                "proposal": proposal,
                "votes": [(member, mine.get(member.pk, "")) for member in members],
                "voted": bool(mine),
                "votes_for": votes_for,
                "share": review.vote_share(votes_for, len(members)) if mine and members else None,
                "elsewhere": proposal.pk in elsewhere,
            }
        )
    return render(
        request,
        "commendations/council_detail.html",
        {
            "session": session,
            "campaign": session.campaign,
            "members": members,
            "rows": rows,
            "choices": Vote.choices,
            "can_act": is_reviewer(request.user),
        },
    )


@require_POST
def council_vote(request, pk, proposal_pk):
    """Record every member's vote on one proposal. Reviewers only; all or nothing."""
    session = _session_for(request, pk)
    _reviewer_only(request)
    proposal = proposal_for_user(request.user, proposal_pk)
    if proposal.report.campaign_id != session.campaign_id:
        raise Http404
    votes = {}
    for member in session.members.all():
        value = request.POST.get(f"vote-{member.pk}", "")
        if value:
            votes[member.pk] = value
    try:
        proposal = review.council_votes_record(session=session, proposal=proposal, votes=votes, by=request.user)
    except review.ProposalError as exc:
        messages.error(request, _("“%(name)s”: %(problem)s") % {"name": proposal.name, "problem": exc})
    else:
        messages.success(
            request,
            _("Đã ghi phiếu cho “%(name)s”: %(result)s.")
            % {"name": proposal.name, "result": proposal.get_council_result_display().lower()},
        )
    return redirect(reverse("commendations:council_detail", kwargs={"pk": session.pk}) + f"#p-{proposal.pk}")
