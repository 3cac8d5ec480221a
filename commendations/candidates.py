"""Candidates from results: the units the portal's own figures put forward for the forms
that are given by results (`AwardForm.from_results`, the emulation flag), and how the
proposals made stand against them.

A unit is a candidate when its counted report reached every goal it has, or when it ranks
first in its emulation cluster or block on the ranking page (reports.dashboards.rank_units,
the same rule and ties). A unit with no goal is no candidate by the first rule.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from campaigns.numbers import format_vn_number
from reports.aggregation import Snapshot
from reports.dashboards import cluster_ranking, name_key, rank_units
from reports.models import COUNTED_STATUSES, Commendation, CommendationKind, ReviewStatus


@dataclass
class Candidate:
    unit: object
    reasons: list = field(default_factory=list)
    proposals: list = field(default_factory=list)  # the unit's collective proposals of results forms


@dataclass
class Candidates:
    campaign: object
    forms: list  # the catalogue's forms given by results
    candidates: list  # Candidate, by name
    without_proposal: list  # Candidate with no proposal of a results form
    unbacked: list  # (proposal, why) of a results form by a unit that is no candidate

    def reasons_for(self, unit_id):
        for candidate in self.candidates:
            if candidate.unit.pk == unit_id:
                return candidate.reasons
        return []


def campaign_candidates(campaign, snapshot=None):
    """Who the results put forward in `campaign`, and the proposals they back or don't."""
    snapshot = snapshot or Snapshot(campaign)
    by_unit = {}

    def add(unit, reason):
        by_unit.setdefault(unit.pk, Candidate(unit=unit)).reasons.append(reason)

    for row in rank_units(snapshot, snapshot.participants):
        if row.reported and row.goals and row.reached == row.goals:
            add(row.unit, _("Đạt cả %(count)s mục tiêu được giao") % {"count": format_vn_number(row.goals)})
    for group, ranked in cluster_ranking(campaign=campaign, snapshot=snapshot)["groups"]:
        for row in ranked:
            if row.rank == 1 and row.reported and row.goals:
                add(row.unit, _("Dẫn đầu %(group)s") % {"group": group.name})

    forms = list(campaign.award_catalogue.forms.filter(from_results=True)) if campaign.award_catalogue_id else []
    proposals = list(
        Commendation.objects.filter(
            report__campaign=campaign,
            report__status__in=COUNTED_STATUSES,
            award_form__in=forms,
            kind=CommendationKind.COLLECTIVE,
        )
        .exclude(review_status=ReviewStatus.DISAGREED)
        .select_related("report__unit", "award_form")
        .order_by("report__unit__name", "order", "pk")
    )
    unbacked = []
    for proposal in proposals:
        candidate = by_unit.get(proposal.report.unit_id)
        if candidate is None:
            unbacked.append((proposal, _not_backed(snapshot, proposal.report.unit)))
        else:
            candidate.proposals.append(proposal)
    candidates = sorted(by_unit.values(), key=lambda candidate: name_key(candidate.unit.name))
    return Candidates(
        campaign=campaign,
        forms=forms,
        candidates=candidates,
        without_proposal=[candidate for candidate in candidates if not candidate.proposals] if forms else [],
        unbacked=unbacked,
    )


def _not_backed(snapshot, unit):
    row = next((row for row in rank_units(snapshot, [unit]) if row.unit.pk == unit.pk), None)
    if row is None or not row.reported:
        return _("Báo cáo của đơn vị chưa được tính vào kết quả.")
    if not row.goals:
        return _("Đơn vị không có mục tiêu nào để đối chiếu.")
    return _("Đạt %(reached)s/%(goals)s mục tiêu và không dẫn đầu cụm, khối thi đua nào.") % {
        "reached": format_vn_number(row.reached),
        "goals": format_vn_number(row.goals),
    }
