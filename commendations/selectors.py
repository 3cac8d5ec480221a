"""Reads of commendation data, each scoped to who asks (outsiders get 404)."""

from dataclasses import dataclass, field

from django.http import Http404
from django.shortcuts import get_object_or_404

from campaigns.roles import can_read_province, is_officer, unit_of
from reports.models import COUNTED_STATUSES, Commendation, CouncilResult, ReviewStatus


def proposals_for_user(user):
    """Every proposal `user` may read: an officer's own unit's, everyone's for the province."""
    queryset = Commendation.objects.select_related("report", "report__campaign", "report__unit", "award_form")
    if is_officer(user):
        return queryset.filter(report__unit=unit_of(user))
    if can_read_province(user):
        return queryset
    return queryset.none()


def proposal_for_user(user, pk, write=False):
    """The proposal `pk` if `user` may see it (with `write`, change its dossier: its own
    unit's officer only), else Http404."""
    proposal = get_object_or_404(proposals_for_user(user), pk=pk)
    if write and not is_officer(user):
        raise Http404
    return proposal


def approved(proposal):
    """On the list the leader signs: agreed by the Sở Nội vụ and, where the form asks for a
    council vote, passed by the council."""
    if proposal.review_status != ReviewStatus.AGREED or proposal.award_form is None:
        return False
    return proposal.award_form.council_threshold is None or proposal.council_result == CouncilResult.PASSED


@dataclass
class AwardGroup:
    """One award form of the decision with the proposals it gives, in list order."""

    form: object
    proposals: list = field(default_factory=list)


def decision_list(campaign):
    """The decision's list (Danh sách): the approved proposals of the campaign's counted
    reports, grouped by award form in catalogue order; within a form, collectives
    first, then households, then individuals, each in the order the units wrote them."""
    kind_order = {"collective": 0, "household": 1, "individual": 2}
    proposals = [
        proposal
        for proposal in Commendation.objects.filter(report__campaign=campaign, report__status__in=COUNTED_STATUSES)
        .select_related("report", "report__unit", "award_form")
        .order_by("report__unit__name", "order", "pk")
        if approved(proposal)
    ]
    groups = {}
    for proposal in proposals:
        groups.setdefault(proposal.award_form, AwardGroup(form=proposal.award_form)).proposals.append(proposal)
    ordered = sorted(groups.values(), key=lambda group: (group.form.order, group.form.pk))
    for group in ordered:
        group.proposals.sort(key=lambda proposal: kind_order.get(proposal.kind, 9))
    return ordered
