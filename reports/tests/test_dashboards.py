"""Dashboards: who may read them, what they show, and that their query count does not grow
with the number of units."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from campaigns.models import Role, Unit, UnitGroup
from campaigns.services import campaign_set_participants
from campaigns.structure import campaign_structure, structure_bump
from conftest import make_user
from reports.aggregation import measures_for_unit
from reports.dashboards import RANKING_TIE_RULE, cluster_ranking, reviewer_dashboard
from reports.models import MeasureValue, ReportStatus, Summary, UnitReport

from .test_aggregation import report_with


def urls(campaign):
    code = campaign.code
    return {
        "dashboard": reverse("reports:dashboard", args=[code]),
        "dashboard_filtered": reverse("reports:dashboard", args=[code]) + "?kind=district",
        "dashboard_xlsx": reverse("reports:dashboard_xlsx", args=[code]),
        "target_detail": reverse("reports:target_detail", args=[code, "poverty_reduction"]),
        "ranking": reverse("reports:ranking", args=[code]),
        "overview": reverse("reports:overview", args=[code]),
        "dashboard_current": reverse("reports:dashboard_current"),
        "overview_current": reverse("reports:overview_current"),
    }


@pytest.fixture
def some_reports(campaign, officer_a):
    report_with(campaign, "h-muong-ang", ReportStatus.ACCEPTED, records_online=90, records_total=100)
    late = report_with(campaign, "h-dien-bien", ReportStatus.SUBMITTED, records_online=10, records_total=100)
    UnitReport.objects.filter(pk=late.pk).update(is_late=True)
    report_with(campaign, "h-muong-cha", ReportStatus.RETURNED, records_online=0, records_total=100)
    report_with(campaign, "so-tu-phap", ReportStatus.DRAFT)


# --- who may read -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name", ["dashboard", "dashboard_filtered", "dashboard_xlsx", "target_detail", "ranking", "overview"]
)
def test_role_matrix(actors, client_for, campaign, some_reports, name):
    url = urls(campaign)[name]
    for actor in ("officer_a", "officer_b"):
        assert client_for(actors[actor]).get(url).status_code == 404, actor
    for actor in ("reviewer", "leader"):
        assert client_for(actors[actor]).get(url).status_code == 200, actor
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/?next=")
    # the pages only read: a POST is refused and changes nothing
    before = list(UnitReport.objects.values_list("pk", "status", "version"))
    assert client_for(actors["reviewer"]).post(url).status_code == 405
    assert list(UnitReport.objects.values_list("pk", "status", "version")) == before


@pytest.mark.parametrize("name, target", [("dashboard_current", "dashboard"), ("overview_current", "overview")])
def test_current_campaign_shortcuts(actors, client_for, campaign, name, target):
    url = urls(campaign)[name]
    assert client_for(actors["officer_a"]).get(url).status_code == 404
    response = client_for(actors["leader"]).get(url)
    assert response.status_code == 302 and response["Location"] == urls(campaign)[target]


def test_home_sends_leaders_to_overview_and_reviewers_to_dashboard(actors, client_for, campaign):
    assert client_for(actors["leader"]).get("/")["Location"] == urls(campaign)["overview"]
    assert client_for(actors["reviewer"]).get("/")["Location"] == urls(campaign)["dashboard"]


def test_leaders_read_but_do_not_act(actors, client_for, campaign, some_reports):
    reviewer_html = client_for(actors["reviewer"]).get(urls(campaign)["dashboard"]).content.decode()
    leader_html = client_for(actors["leader"]).get(urls(campaign)["dashboard"]).content.decode()
    assert "data-act" in reviewer_html
    assert "data-act" not in leader_html
    assert "Huyện Mường Chà" in leader_html  # the same figures


def test_unknown_campaign_and_target_are_404(actors, client_for, campaign):
    reviewer = client_for(actors["reviewer"])
    assert reviewer.get(reverse("reports:dashboard", args=["no-such"])).status_code == 404
    assert reviewer.get(reverse("reports:target_detail", args=[campaign.code, "no_such"])).status_code == 404


# --- what the reviewer dashboard shows ------------------------------------------------------
def test_dashboard_counts_statuses_lists_missing_units_with_contacts_and_shows_targets(
    actors, client_for, campaign, some_reports
):
    response = client_for(actors["reviewer"]).get(urls(campaign)["dashboard"])
    html = response.content.decode()
    data = response.context
    submissions = data["submissions"]
    participants = campaign.participants().count()
    assert (submissions.accepted, submissions.submitted, submissions.returned, submissions.draft) == (1, 1, 1, 1)
    assert submissions.not_started == participants - 4
    assert (submissions.on_time, submissions.late) == (1, 1)
    assert "15/11/2024" in html
    missing = {row.unit.code: row for row in data["missing"]}
    assert "h-muong-ang" not in missing and "h-dien-bien" not in missing
    assert missing["h-muong-cha"].status_label == "Bị trả lại"
    assert missing["so-tu-phap"].status_label == "Đang soạn"
    # officer_b's unit has not started: its officer's contact is listed
    assert [contact.email for contact in missing["so-vhttdl"].contacts] == ["bob@example.vn"]
    assert "bob@example.vn" in html
    # the province's district rate: (90 + 10) / (100 + 100) — the returned report does not count
    assert '<tr data-target="records_online_district">' in html
    row = html.split('<tr data-target="records_online_district">')[1].split("</tr>")[0]
    assert "50,0" in row and "Cần đẩy nhanh" in row and "<progress" in row  # 50 / 80 = 62,5 %
    assert "style=" not in html


def test_dashboard_filters_by_kind_and_group(actors, client_for, campaign, some_reports):
    reviewer = client_for(actors["reviewer"])
    by_kind = reviewer.get(urls(campaign)["dashboard"] + "?kind=department").context
    assert {result.target.code for result in by_kind["results"]} >= {"records_online_provincial"}
    assert "records_online_district" not in {result.target.code for result in by_kind["results"]}
    assert all(row.unit.kind == "department" for row in by_kind["missing"])
    by_group = reviewer.get(urls(campaign)["dashboard"] + "?group=huyen-ngheo").context
    result = next(r for r in by_group["results"] if r.target.code == "records_online_district")
    assert result.value == Decimal(90)  # h-muong-ang only; h-dien-bien is not a poor district
    assert by_group["submissions"].total == 7


def test_an_unknown_filter_is_dropped_with_a_message(actors, client_for, campaign):
    response = client_for(actors["reviewer"]).get(urls(campaign)["dashboard"] + "?kind=<b>planet</b>")
    html = response.content.decode()
    assert response.status_code == 200
    assert "không có trong phong trào" in html and "<b>planet</b>" not in html
    assert not response.context["filters"].active


def test_query_count_does_not_grow_with_the_number_of_units(actors, client_for, campaign):
    reviewer = client_for(actors["reviewer"])
    districts = list(Unit.objects.filter(kind="district").order_by("code"))
    departments = list(Unit.objects.filter(kind="department").order_by("code"))

    def fill(units):
        for unit in units:
            report_with(
                campaign, unit.code, ReportStatus.ACCEPTED, records_online=5, records_total=10, trees_scattered=7
            )

    def count(url):
        reviewer.get(url)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            assert reviewer.get(url).status_code == 200
        return sum(1 for query in queries if not query["sql"].startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT")))

    pages = [urls(campaign)["dashboard"], urls(campaign)["dashboard"] + "?group=khoi-tong-hop"]
    fill(districts[:2] + departments[:1])  # 3 units
    small = [count(url) for url in pages]
    fill(districts[2:] + departments[1:2])  # 12 units
    assert UnitReport.objects.count() == 12
    large = [count(url) for url in pages]
    assert small == large
    # 9 for the page itself, 1 for the menu of campaigns; the session (read and save), the
    # user and the role make 4 more
    assert large[0] <= 14


def _synthetic_province(campaign, first, last):
    """Units `first`..`last - 1` of a synthetic province join the campaign's participants, in
    clusters of five, each with an accepted report giving every measure it reports, except:
    every seventh marks one input "no data", every eleventh is a draft and every thirteenth
    has no report but an officer to remind."""
    kinds = ("district", "department", "commune", "school", "organisation")
    units = Unit.objects.bulk_create(
        Unit(code=f"syn-{n:03d}", name=f"Đơn vị {n:03d}", kind=kinds[n % len(kinds)]) for n in range(first, last)
    )
    everyone = list(Unit.objects.filter(code__startswith="syn-").order_by("code"))
    campaign_set_participants(campaign=campaign, units=everyone)
    for start in range(first, last, 5):
        group = UnitGroup.objects.create(campaign=campaign, code=f"syn-cum-{start // 5:02d}", name=f"Cụm {start // 5}")
        group.units.set(units[start - first : start - first + 5])
    structure_bump(campaign=campaign)  # the groups are part of the campaign's structure
    measures = list(campaign.measures.prefetch_related("reporter_units"))
    for n, unit in zip(range(first, last), units, strict=True):
        if n % 13 == 0:
            make_user(f"officer-{unit.code}", Role.OFFICER, unit=unit)
            continue
        status = ReportStatus.DRAFT if n % 11 == 0 else ReportStatus.ACCEPTED
        report = UnitReport.objects.create(campaign=campaign, unit=unit, status=status)
        own = measures_for_unit(measures, unit)
        MeasureValue.objects.bulk_create(
            MeasureValue(report=report, measure=measure, value=None if n % 7 == 0 and i == 0 else Decimal(40 + n))
            for i, measure in enumerate(own)
        )


def test_the_page_makes_as_many_queries_for_40_units_as_for_5(actors, client_for, campaign):
    reviewer = client_for(actors["reviewer"])
    pages = [
        urls(campaign)["dashboard"],
        urls(campaign)["dashboard"] + "?group=syn-cum-00",
        urls(campaign)["dashboard"] + "?kind=district",
    ]

    def count(url):
        reviewer.get(url)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = reviewer.get(url)
        assert response.status_code == 200
        return response, sum(
            1 for query in queries if not query["sql"].startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"))
        )

    _synthetic_province(campaign, 0, 5)
    small = [count(url) for url in pages]
    _synthetic_province(campaign, 5, 40)
    large = [count(url) for url in pages]
    assert [n for _response, n in small] == [n for _response, n in large]
    response = large[0][0]
    assert response.context["submissions"].total == 40
    # the units without a counted report (none or a draft) are listed, with their officer
    missing = {row.unit.code: row for row in response.context["missing"]}
    assert set(missing) == {f"syn-{n:03d}" for n in range(40) if n % 13 == 0 or n % 11 == 0}
    assert [contact.email for contact in missing["syn-013"].contacts] == ["officer-syn-013@example.vn"]
    assert missing["syn-011"].unit.name == "Đơn vị 011" and missing["syn-011"].unit.kind == "department"


def test_selectors_alone_stay_within_a_small_fixed_budget(campaign, some_reports, django_assert_max_num_queries):
    campaign_structure(campaign)  # read once per process, until the campaign changes
    with django_assert_max_num_queries(9):
        data = reviewer_dashboard(campaign=campaign)
        [result.status for result in data["results"]]


# --- drill-down --------------------------------------------------------------------------
def test_target_drilldown_draws_chart_with_goal_marks_and_links_reports(actors, client_for, campaign, some_reports):
    report_with(campaign, "tp-dien-bien-phu", poor_households_start=300, poor_households_end=250, households_total=1000)
    response = client_for(actors["reviewer"]).get(urls(campaign)["target_detail"])
    html = response.content.decode()
    assert "<svg" in html and "<title" in html and "<desc" in html
    rows = {row.unit.code: row for row in response.context["rows"]}
    # poverty reduction applies to the ten districts; goals differ (poor districts 5,5)
    assert len(rows) == 10
    assert rows["tp-dien-bien-phu"].result.display_value == "5,0"
    assert rows["tp-dien-bien-phu"].result.goal == 4
    assert rows["h-muong-ang"].result.goal == Decimal("5.5")
    report = UnitReport.objects.get(unit__code="tp-dien-bien-phu")
    assert reverse("reports:report_detail", args=[report.pk]) in html


def test_drilldown_by_group_and_kind(actors, client_for, campaign, some_reports):
    reviewer = client_for(actors["reviewer"])
    url = reverse("reports:target_detail", args=[campaign.code, "records_online_district"])
    groups = {row.label: row.result for row in reviewer.get(url + "?by=group").context["rows"]}
    assert groups["Các huyện nghèo"].value == Decimal(90)
    kinds = reviewer.get(url + "?by=kind").context["rows"]
    assert [row.result.value for row in kinds] == [Decimal(50)]
    # a single goal for every row: drawn once as a dashed line
    assert "stroke-dasharray" in reviewer.get(url + "?by=kind").content.decode()


# --- ranking -----------------------------------------------------------------------------
def test_ranking_orders_units_and_states_the_tie_rule(actors, client_for, campaign):
    # khoi-luc-luong-vu-trang: bchqs, cong-an, bdbp. Goals: managers 100 %, petitions 100 %.
    report_with(
        campaign, "bchqs", managers_total=10, managers_participating=10, petitions_received=10, petitions_resolved=10
    )
    report_with(
        campaign, "cong-an", managers_total=10, managers_participating=9, petitions_received=10, petitions_resolved=10
    )
    report_with(
        campaign, "bdbp", managers_total=10, managers_participating=10, petitions_received=10, petitions_resolved=8
    )
    groups = dict(cluster_ranking(campaign=campaign)["groups"])
    block = next(rows for group, rows in groups.items() if group.code == "khoi-luc-luong-vu-trang")
    # bchqs reached both; cong-an and bdbp one each, cong-an higher on average (95 % vs 90 %)
    assert [(row.unit.code, row.rank) for row in block] == [("bchqs", 1), ("cong-an", 2), ("bdbp", 3)]
    html = client_for(actors["leader"]).get(urls(campaign)["ranking"]).content.decode()
    assert str(RANKING_TIE_RULE)[:40] in html


def test_ranking_full_ties_share_a_rank_and_list_by_name(campaign):
    for code in ("bdbp", "cong-an"):
        report_with(
            campaign, code, managers_total=10, managers_participating=10, petitions_received=5, petitions_resolved=5
        )
    groups = dict(cluster_ranking(campaign=campaign)["groups"])
    block = next(rows for group, rows in groups.items() if group.code == "khoi-luc-luong-vu-trang")
    # Bộ Chỉ huy Bộ đội Biên phòng, Công an: tied first; Bộ Chỉ huy Quân sự has no counted report
    assert [(row.unit.code, row.rank) for row in block] == [("bdbp", 1), ("cong-an", 1), ("bchqs", 3)]
    assert not block[2].reported


# --- leader overview ----------------------------------------------------------------------
def test_overview_cards_link_to_drilldowns(actors, client_for, campaign, some_reports):
    response = client_for(actors["leader"]).get(urls(campaign)["overview"])
    html = response.content.decode()
    cards = {card.target.code: card for card in response.context["cards"] if card.target}
    assert {
        "poverty_reduction",
        "records_online_provincial",
        "records_online_district",
        "records_online_commune",
    } <= set(cards)
    assert "trees_total" in cards
    assert [label for label, _result in cards["trees_total"].rows] == [
        "Cây xanh trồng phân tán",
        "Cây xanh trồng tập trung",
    ]
    assert [label for label, _result in cards["poverty_reduction"].rows] == ["Các huyện nghèo"]
    projects = next(card for card in response.context["cards"] if card.target is None)
    assert len(projects.rows) == 8
    assert reverse("reports:target_detail", args=[campaign.code, "trees_total"]) in html
    assert 'data-card="submissions"' in html
    assert "data-summary" not in html


def test_overview_offers_the_latest_done_summary(actors, client_for, campaign):
    now = timezone.now()
    Summary.objects.create(campaign=campaign, number=1, status="done", finished_at=now - datetime.timedelta(days=1))
    latest = Summary.objects.create(campaign=campaign, number=2, status="done", finished_at=now)
    Summary.objects.create(campaign=campaign, number=3, status="failed")
    html = client_for(actors["leader"]).get(urls(campaign)["overview"]).content.decode()
    assert reverse("reports:summary_download", args=[latest.pk]) in html


# --- export ------------------------------------------------------------------------------
def test_excel_export_follows_the_filters(actors, client_for, campaign, some_reports):
    response = client_for(actors["reviewer"]).get(urls(campaign)["dashboard_xlsx"] + "?kind=district")
    assert response["Content-Disposition"].startswith("attachment;")
    workbook = load_workbook(io.BytesIO(response.content))
    targets = workbook.worksheets[0]
    rows = {row[1]: row for row in targets.iter_rows(min_row=2, values_only=True)}
    assert rows["Hồ sơ công việc cấp huyện xử lý trên môi trường mạng"][3] == 50
    assert "Hồ sơ công việc cấp tỉnh xử lý trên môi trường mạng" not in rows
    missing = [row[0] for row in workbook.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert "Huyện Mường Chà" in missing and all(name.startswith(("Huyện", "Thành phố", "Thị xã")) for name in missing)


def test_values_of_uncounted_reports_never_reach_the_export(actors, client_for, campaign, some_reports):
    MeasureValue.objects.filter(report__status=ReportStatus.RETURNED).update(value=Decimal(99))
    workbook = load_workbook(io.BytesIO(client_for(actors["reviewer"]).get(urls(campaign)["dashboard_xlsx"]).content))
    rows = {row[1]: row for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert rows["Hồ sơ công việc cấp huyện xử lý trên môi trường mạng"][3] == 50
