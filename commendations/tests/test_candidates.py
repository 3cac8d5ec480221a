"""Candidates from results, checked against the demo's figures as the ranking page shows them."""

import re

from django.urls import reverse

from commendations.candidates import campaign_candidates
from reports.aggregation import REACHED, Snapshot
from reports.models import COUNTED_STATUSES, Commendation, UnitReport

from .test_review import forms, propose  # noqa: F401 - the catalogue fixture


def reached_every_goal(campaign):
    """Codes of the units whose counted report reached every goal they have, read target by
    target from the campaign's figures."""
    snapshot = Snapshot(campaign)
    codes = set()
    for unit in snapshot.participants:
        if unit.pk not in snapshot.counted_unit_ids:
            continue
        results = [
            snapshot.unit_result(target, unit)
            for target in snapshot.targets_for_unit(unit)
            if snapshot.goal_for_unit(target, unit) is not None
        ]
        if results and all(result.status == REACHED for result in results):
            codes.add(unit.code)
    return codes


def first_on_the_ranking_page(client, campaign):
    """Codes of the units ranked first in a cluster or block, with a counted report, as the
    ranking page shows them."""
    html = client.get(reverse("reports:ranking", args=[campaign.code])).content.decode()
    rows = re.findall(r'<tr data-unit="([^"]+)" data-rank="1">(.*?)</tr>', html, flags=re.S)
    return {code for code, cells in rows if "chưa có báo cáo được tính" not in cells}


def test_candidates_match_the_results_on_the_demo_data(demo, reviewer, client_for):
    expected_all = reached_every_goal(demo)
    expected_top = first_on_the_ranking_page(client_for(reviewer), demo)
    assert expected_top, "the demo has units leading their cluster"

    candidates = campaign_candidates(demo)

    assert {candidate.unit.code for candidate in candidates.candidates} == expected_all | expected_top
    for candidate in candidates.candidates:
        leads = any(reason.startswith("Dẫn đầu") for reason in candidate.reasons)
        reaches = any(reason.startswith("Đạt cả") for reason in candidate.reasons)
        assert leads == (candidate.unit.code in expected_top)
        assert reaches == (candidate.unit.code in expected_all)


def test_candidates_without_a_proposal_and_proposals_without_results(demo, forms, reviewer, client_for):  # noqa: F811
    top = sorted(first_on_the_ranking_page(client_for(reviewer), demo))
    candidates = campaign_candidates(demo)
    codes = {candidate.unit.code for candidate in candidates.candidates}
    outsider = (
        UnitReport.objects.filter(campaign=demo, status__in=COUNTED_STATUSES)
        .exclude(unit__code__in=codes)
        .order_by("unit__name")
        .first()
    )
    backed = propose(UnitReport.objects.get(campaign=demo, unit__code=top[0]), forms["flag"])
    unbacked = propose(outsider, forms["flag"])
    propose(outsider, forms["merit"], name="Ông Lò Văn C", kind="individual")  # not a results form

    candidates = campaign_candidates(demo)

    assert [(proposal.pk, why) for proposal, why in candidates.unbacked] == [(unbacked.pk, candidates.unbacked[0][1])]
    assert "mục tiêu" in candidates.unbacked[0][1]
    leader = next(candidate for candidate in candidates.candidates if candidate.unit.code == top[0])
    assert leader.proposals == [backed]
    without = {candidate.unit.code for candidate in candidates.without_proposal}
    assert top[0] not in without
    assert without == codes - {top[0]}
    page = client_for(reviewer).get(reverse("commendations:proposal_list", args=[demo.code])).content.decode()
    assert f'data-candidate="{top[0]}"' in page
    assert page.count("data-no-proposal") == len(without)
    assert "data-unbacked-list" in page and outsider.unit.name in page
    assert Commendation.objects.count() == 3
