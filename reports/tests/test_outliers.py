"""Unusual values: the two rules, the officer's confirmation through the report form, and the
flag the reviewer sees on the report page and in the review queue."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from campaigns.models import CampaignUnit, UnitKind
from reports.models import MeasureValue, ReportStatus, UnitReport
from reports.outliers import JUMP, PEERS, outlier_warnings, outliers_for
from reports.services import report_get_or_create, report_save_values
from reports.tests.report_web import fill, form_post, typed_values
from reports.workflow import report_submit

TREES = "trees_scattered"  # reported by every unit: districts and departments alike


@pytest.fixture
def report(campaign, unit_a, officer_a):
    return report_get_or_create(campaign=campaign, unit=unit_a, by=officer_a)


def other_units(campaign, unit, kind=UnitKind.DISTRICT):
    return [
        member.unit
        for member in CampaignUnit.objects.filter(campaign=campaign, kind=kind, participant=True)
        .exclude(unit=unit)
        .select_related("unit")
        .order_by("unit__code")
    ]


def peer_values(campaign, unit, figures, *, kind=UnitKind.DISTRICT, status=ReportStatus.SUBMITTED, code=TREES):
    """Reports of other units of `kind`, one per figure, each giving `code` that figure."""
    for other, figure in zip(other_units(campaign, unit, kind), figures, strict=False):
        peer = report_get_or_create(campaign=campaign, unit=other)
        report_save_values(report=peer, by=None, values={code: Decimal(figure)}, allow_locked=True)
        UnitReport.objects.filter(pk=peer.pk).update(status=status)


def text_of(response):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def save_confirmed(client, report, values, codes):
    """Save the report form with `codes` confirmed; `report` is refreshed."""
    response = client.post(
        reverse("reports:report_edit", args=[report.pk]), form_post(report, values) | {"outlier_ok": list(codes)}
    )
    assert response.status_code == 302, text_of(response)[:2000]
    report.refresh_from_db()


# --- the rule ------------------------------------------------------------------------------
def test_more_than_ten_times_the_peers_median_is_unusual(campaign, unit_a, report):
    peer_values(campaign, unit_a, [100, 200, 300])
    outliers = outliers_for(report, {TREES: Decimal(2400), "cleanup_drives": Decimal(5)})
    assert set(outliers) == {TREES}
    outlier = outliers[TREES]
    assert (outlier.reason, outlier.factor, outlier.basis, outlier.kind) == (PEERS, 12, 200, UnitKind.DISTRICT)
    assert outlier.explanation == "gấp 12 lần trung vị của các huyện: 200"
    assert outliers_for(report, {TREES: Decimal(2000)}) == {}  # exactly 10 ×: not more than


def test_the_median_is_robust_to_one_huge_peer(campaign, unit_a, report):
    peer_values(campaign, unit_a, [100, 120, 140, 1_000_000])
    assert outliers_for(report, {TREES: Decimal(1400)})[TREES].basis == 130
    assert outliers_for(report, {TREES: Decimal(1300)}) == {}


@pytest.mark.parametrize(
    "figures,kind,status",
    [
        ([100, 200], UnitKind.DISTRICT, ReportStatus.SUBMITTED),  # two peers only
        ([100, 200, 0, 0], UnitKind.DISTRICT, ReportStatus.ACCEPTED),  # zeros are not peers' values
        ([100, 200, 300], UnitKind.DISTRICT, ReportStatus.DRAFT),  # drafts do not count
        ([100, 200, 300], UnitKind.DISTRICT, ReportStatus.RETURNED),  # nor returned reports
        ([100, 200, 300], UnitKind.DEPARTMENT, ReportStatus.SUBMITTED),  # nor units of another kind
    ],
)
def test_the_peers_rule_needs_three_counted_peers_of_the_same_kind(campaign, unit_a, report, figures, kind, status):
    peer_values(campaign, unit_a, figures, kind=kind, status=status)
    assert outliers_for(report, {TREES: Decimal(100_000)}) == {}


def test_the_report_is_not_its_own_peer(campaign, unit_a, report, officer_a):
    peer_values(campaign, unit_a, [100, 200])
    report_save_values(report=report, by=officer_a, values={TREES: Decimal(150)})
    UnitReport.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    report.refresh_from_db()
    # Two peers only: the value stands out from its own last value, not from its peers.
    assert outliers_for(report, {TREES: Decimal(100_000)})[TREES].reason == JUMP


def test_more_than_five_times_the_last_saved_value_is_unusual(report, officer_a):
    report_save_values(report=report, by=officer_a, values={"cleanup_drives": Decimal(4), TREES: Decimal(0)})
    outliers = outliers_for(report, {"cleanup_drives": Decimal(21), TREES: Decimal(1_000)})
    assert set(outliers) == {"cleanup_drives"}  # a last value of 0 gives no basis
    outlier = outliers["cleanup_drives"]
    assert (outlier.reason, outlier.factor, outlier.basis) == (JUMP, Decimal("5.25"), 4)
    assert outlier.explanation == "gấp 5,3 lần giá trị đã lưu trước đó: 4"
    assert outliers_for(report, {"cleanup_drives": Decimal(20)}) == {}
    assert outliers_for(report, {"cleanup_drives": None}) == {}


def test_a_fixed_number_of_queries(campaign, unit_a, report, django_assert_num_queries):
    peer_values(campaign, unit_a, [100, 200, 300])
    values = {TREES: Decimal(2400), "cleanup_drives": Decimal(3), "propaganda_events": Decimal(9)}
    with django_assert_num_queries(3):
        assert set(outliers_for(report, values)) == {TREES}
    with django_assert_num_queries(4):  # the measures' names come from the campaign's cached structure
        assert set(outlier_warnings(report, values, ()).pending) == {TREES}
    with django_assert_num_queries(1):  # the form knows the unit's kind and what the report holds
        assert set(outliers_for(report, values, kind=unit_a.kind, last={})) == {TREES}
    peer_values(campaign, unit_a, [100, 200, 300, 400, 500, 600, 700, 800, 900])
    peer_values(campaign, unit_a, [1, 2, 3, 4, 5, 6, 7, 8, 9], code="cleanup_drives")
    with django_assert_num_queries(3):
        outliers_for(report, values)


# --- the officer confirms -------------------------------------------------------------------
@pytest.fixture
def filled(campaign, unit_a, report, officer_a):
    peer_values(campaign, unit_a, [100, 200, 300])
    fill(report, officer_a)  # trees_scattered = 100, like its peers
    return report


def unusual(report, **extra):
    values = typed_values(report)
    values[TREES] = "2.400"
    values.update(extra)
    return values


def test_saving_an_unusual_value_asks_for_confirmation_first(filled, officer_a, client_for):
    alice = client_for(officer_a)
    url = reverse("reports:report_edit", args=[filled.pk])
    version = filled.version
    response = alice.post(url, form_post(filled, unusual(filled)))
    assert response.status_code == 200
    page = text_of(response)
    assert (
        "Giá trị bất thường: Cây xanh trồng phân tán = 2.400 (gấp 12 lần trung vị của các huyện: 200) "
        "— kiểm tra lại hoặc xác nhận" in page
    )
    assert "Tôi xác nhận số liệu này đúng" in page
    assert 'name="outlier_ok" value="trees_scattered"' in response.content.decode()
    assert 'value="2.400"' in response.content.decode()  # what was typed is kept
    filled.refresh_from_db()
    assert filled.version == version
    assert filled.values.get(measure__code=TREES).value == 100

    response = alice.post(url, form_post(filled, unusual(filled)) | {"outlier_ok": TREES})
    assert response.status_code == 302
    filled.refresh_from_db()
    stored = filled.values.get(measure__code=TREES)
    assert stored.value == 2400 and stored.outlier_confirmed and stored.outlier_value == 2400
    assert stored.outlier["reason"] == PEERS

    # Saving the same value again does not ask again, and keeps the flag.
    response = alice.post(url, form_post(filled, unusual(filled, cleanup_drives="101")))
    assert response.status_code == 302
    filled.refresh_from_db()
    stored.refresh_from_db()
    assert stored.outlier_confirmed and stored.outlier_value == 2400

    # A usual value again: saved at once, flag dropped.
    response = alice.post(url, form_post(filled, unusual(filled, trees_scattered="150")))
    assert response.status_code == 302
    stored.refresh_from_db()
    assert (stored.value, stored.outlier_confirmed, stored.outlier_value, stored.outlier) == (150, False, None, {})


def test_each_unusual_value_is_confirmed_on_its_own(filled, officer_a, client_for):
    alice = client_for(officer_a)
    url = reverse("reports:report_edit", args=[filled.pk])
    values = unusual(filled, cleanup_drives="1.000")  # 10 × the 100 saved before
    response = alice.post(url, form_post(filled, values) | {"outlier_ok": TREES})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="trees_scattered" id="outlier-ok-trees_scattered" checked' in html
    assert re.search(r'value="cleanup_drives" id="outlier-ok-cleanup_drives">', html)
    assert "gấp 10 lần giá trị đã lưu trước đó: 100" in text_of(response)
    assert filled.values.get(measure__code=TREES).value == 100  # nothing saved

    response = alice.post(url, form_post(filled, values) | {"outlier_ok": [TREES, "cleanup_drives"]})
    assert response.status_code == 302
    flagged = set(filled.values.filter(outlier_confirmed=True).values_list("measure__code", flat=True))
    assert flagged == {TREES, "cleanup_drives"}


def test_submitting_an_unusual_value_asks_too(filled, officer_a, client_for):
    alice = client_for(officer_a)
    url = reverse("reports:report_edit", args=[filled.pk])
    response = alice.post(url, form_post(filled, unusual(filled), action="submit"))
    assert response.status_code == 200 and "Giá trị bất thường" in text_of(response)
    response = alice.post(url, form_post(filled, unusual(filled), action="submit") | {"outlier_ok": TREES})
    assert response.url == reverse("reports:report_submit", args=[filled.pk])


def test_a_confirmation_for_a_usual_value_changes_nothing(filled, officer_a, client_for):
    response = client_for(officer_a).post(
        reverse("reports:report_edit", args=[filled.pk]),
        form_post(filled, typed_values(filled)) | {"outlier_ok": TREES},
    )
    assert response.status_code == 302
    assert not MeasureValue.objects.filter(outlier_confirmed=True).exists()


# --- the reviewer sees it -------------------------------------------------------------------
def test_the_reviewer_sees_the_confirmed_values(filled, officer_a, reviewer, client_for):
    save_confirmed(client_for(officer_a), filled, unusual(filled), [TREES])
    report_submit(report=filled, by=officer_a)
    rita = client_for(reviewer)
    before = list(MeasureValue.objects.order_by("pk").values_list("pk", "value", "outlier_confirmed"))
    page = text_of(rita.get(reverse("reports:report_detail", args=[filled.pk])))
    assert "⚠ 1 giá trị bất thường (đơn vị đã xác nhận là đúng)" in page
    assert "Cây xanh trồng phân tán: 2.400 — gấp 12 lần trung vị của các huyện: 200" in page
    assert "2.400 ⚠ bất thường" in page
    queue = text_of(rita.get(reverse("reports:review_queue")))
    assert "⚠ 1 giá trị bất thường" in queue
    assert list(MeasureValue.objects.order_by("pk").values_list("pk", "value", "outlier_confirmed")) == before


def test_the_flag_goes_when_the_value_changes_another_way(filled, officer_a, reviewer, client_for):
    save_confirmed(client_for(officer_a), filled, unusual(filled), [TREES])
    report_save_values(report=filled, by=officer_a, values={TREES: Decimal(2500)})  # e.g. the unit's Excel file
    report_submit(report=filled, by=officer_a)
    rita = client_for(reviewer)
    assert "giá trị bất thường" not in text_of(rita.get(reverse("reports:report_detail", args=[filled.pk])))
    assert "giá trị bất thường" not in text_of(rita.get(reverse("reports:review_queue")))


def test_the_queue_counts_each_report_once(campaign, unit_a, filled, officer_a, reviewer, client_for):
    save_confirmed(client_for(officer_a), filled, unusual(filled, cleanup_drives="1.000"), [TREES, "cleanup_drives"])
    report_submit(report=filled, by=officer_a)
    queue = client_for(reviewer).get(reverse("reports:review_queue"), {"status": "submitted", "kind": "district"})
    rows = [report for report in queue.context["reports"] if report.pk == filled.pk]
    assert [report.outlier_count for report in rows] == [2]
    assert "⚠ 2 giá trị bất thường" in text_of(queue)


def test_outsiders_get_404_and_nothing_changes(filled, officer_b, client_for):
    before = list(MeasureValue.objects.order_by("pk").values_list("pk", "value", "outlier_confirmed"))
    response = client_for(officer_b).post(
        reverse("reports:report_edit", args=[filled.pk]), form_post(filled, unusual(filled)) | {"outlier_ok": TREES}
    )
    assert response.status_code == 404
    assert list(MeasureValue.objects.order_by("pk").values_list("pk", "value", "outlier_confirmed")) == before
