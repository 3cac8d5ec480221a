"""Two campaigns side by side: the 2024 directive and the 2026 plan of the reorganised
province. Each takes its participants, names and groups from its own file; loading one never
changes what the other's pages and documents say."""

import copy
import io
import re

import pytest
import yaml
from django.urls import reverse
from docx import Document

from campaigns.checks import participant_codes
from campaigns.loader import campaign_load
from campaigns.models import Campaign, Unit
from campaigns.schema import read_campaign_file
from conftest import CAMPAIGN_FILE
from reports.aggregation import Snapshot
from reports.excel import export_workbook
from reports.models import UnitAnnex
from reports.reminders import units_not_submitted
from reports.tests.pdf_reading import pdf_text, read_field
from reports.tests.printing_data import LATE, fill_report
from reports.tests.test_summary import compile_now

PLAN_FILE = CAMPAIGN_FILE.parent / "2026-KH-UBND.yaml"


@pytest.fixture
def plan(campaign):
    return campaign_load(path=PLAN_FILE).campaign


def _codes(units):
    return {unit.code for unit in units}


def test_each_campaign_takes_part_with_the_units_its_own_file_lists(campaign, plan):
    spec_2024, spec_2026 = read_campaign_file(CAMPAIGN_FILE), read_campaign_file(PLAN_FILE)
    assert _codes(campaign.participants()) == set(participant_codes(spec_2024))
    assert _codes(plan.participants()) == set(participant_codes(spec_2026))
    communes = [unit for unit in plan.participants() if unit.kind == "commune"]
    assert len(communes) == 45
    # Units only the 2024 file lists never appear in 2026, even those that still exist.
    only_2024 = set(participant_codes(spec_2024)) - {unit["code"] for unit in spec_2026["units"]}
    assert {"h-tuan-giao", "so-khdt", "so-gtvt", "hoi-ccb"} <= only_2024
    assert not only_2024 & _codes(plan.participants())
    assert not {"x-muong-nhe", "p-dien-bien-phu"} & _codes(campaign.participants())


def test_check_and_runtime_agree_on_participants(campaign, plan, capsys):
    from django.core.management import call_command

    call_command("load_campaign", str(PLAN_FILE), "--check")
    assert plan.participants().count() == len(participant_codes(read_campaign_file(PLAN_FILE)))


def test_dashboards_reminders_and_exports_count_only_the_campaigns_own_units(campaign, plan):
    snapshot = Snapshot(plan)
    assert len(snapshot.participants) == plan.participants().count()
    assert not {"h-tuan-giao", "so-khdt"} & _codes(snapshot.participants)
    assert {group.code for group in snapshot.groups} >= {"cum-xa-1", "khoi-tong-hop"}
    assert "huyen-ngheo" not in {group.code for group in snapshot.groups}
    assert "cum-xa-1" not in {group.code for group in Snapshot(campaign).groups}
    assert _codes(units_not_submitted(plan)) == _codes(plan.participants())
    sheet = export_workbook(plan).worksheets[1]
    codes = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert codes == _codes(plan.participants())


def test_the_officers_home_offers_only_campaigns_the_unit_takes_part_in(campaign, plan, client_for, officer_a):
    # officer_a's unit is Huyện Mường Ảng: a 2024 district that no longer exists in 2026.
    page = client_for(officer_a).get(reverse("reports:my_unit")).content.decode()
    assert campaign.directive_number in page
    assert plan.directive_number not in page


def test_the_2026_summary_cites_a_plan_and_counts_its_own_units(plan, reviewer):
    summary = compile_now(plan, reviewer)
    text = pdf_text(read_field(summary.pdf))
    assert "Thực hiện Kế hoạch số 45/KH-UBND ngày 20/01/2026 của UBND tỉnh Điện Biên" in text
    assert f"Có 0/{plan.participants().count()} đơn vị gửi báo cáo" in text
    assert "Huyện Tuần Giáo" not in text and "Sở Kế hoạch và Đầu tư" not in text


def _later_file(tmp_path):
    """The 2026 plan, made to rename and regroup units the 2024 campaign uses."""
    data = yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    units = {unit["code"]: unit for unit in data["units"]}
    units["so-vhttdl"]["name"] = "Sở Văn hóa, Thể thao và Du lịch (sau sắp xếp)"
    units["so-vhttdl"]["head_title"] = "GIÁM ĐỐC SỞ"
    # A 2024 district the later file re-describes as a commune: it no longer exists in 2026,
    # so it does not report there, but its name and kind change in the latest record.
    data["units"].append(
        {"code": "h-muong-ang", "name": "Xã Mường Ảng (cũ)", "kind": "commune", "valid_until": "2025-06-30"}
    )
    for group in data["groups"]:
        if group["code"] == "khoi-van-hoa-xa-hoi":
            group["units"] = [code for code in group["units"] if code != "so-vhttdl"]
    data["groups"].append({"code": "khoi-kinh-te-2", "name": "Khối mới", "kind": "block", "units": ["so-vhttdl"]})
    path = tmp_path / "2026-later.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _tables(response):
    """The tables of a page (the figures; not the CSRF token nor the campaign menu)."""
    return re.findall(r"<table.*?</table>", response.content.decode(), flags=re.S)


def _docx_text(summary):
    document = Document(io.BytesIO(read_field(summary.docx)))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return [paragraph.text for paragraph in document.paragraphs] + cells


def test_loading_a_later_file_never_changes_the_2024_summary(
    campaign, unit_a, unit_b, officer_a, officer_b, reviewer, tmp_path, client_for
):
    fill_report(campaign, unit_a, officer_a, narrative="Tổ chức 12 buổi tuyên truyền.")
    fill_report(campaign, unit_b, officer_b, submit_at=LATE)
    before = compile_now(campaign, reviewer)
    before_pdf, before_docx = pdf_text(read_field(before.pdf)), _docx_text(before)
    ranking_url = reverse("reports:ranking", args=[campaign.code])
    client = client_for(reviewer)
    before_ranking = _tables(client.get(ranking_url))

    result = campaign_load(path=_later_file(tmp_path))
    assert any("so-vhttdl" in change for change in result.changes)
    assert Unit.objects.get(code="so-vhttdl").name == "Sở Văn hóa, Thể thao và Du lịch (sau sắp xếp)"
    assert Unit.objects.get(code="h-muong-ang").kind == "commune"

    UnitAnnex.objects.all().delete()  # nothing cached: every page is laid out again
    after = compile_now(Campaign.objects.get(pk=campaign.pk), reviewer)
    assert pdf_text(read_field(after.pdf)) == before_pdf
    assert _docx_text(after) == before_docx
    assert "Sở Văn hóa, Thể thao và Du lịch (sau sắp xếp)" not in before_pdf
    assert _tables(client.get(ranking_url)) == before_ranking
    assert "Khối văn hóa" in before_ranking or "khoi-van-hoa-xa-hoi" in before_ranking or before_ranking

    # The 2024 campaign still reads its units and groups as its own file says.
    as_2024 = {unit.code: unit for unit in campaign.participants()}
    assert as_2024["so-vhttdl"].name == "Sở Văn hóa, Thể thao và Du lịch"
    assert as_2024["h-muong-ang"].kind == "district"
    members = set(campaign.groups.get(code="khoi-van-hoa-xa-hoi").units.values_list("code", flat=True))
    assert "so-vhttdl" in members
    assert not campaign.groups.filter(code="khoi-kinh-te-2").exists()
    # A report of 2024 shows its unit as it was in 2024, wherever it is loaded from.
    report = campaign.reports.get(unit=unit_b)
    assert report.unit.name == "Sở Văn hóa, Thể thao và Du lịch"


def test_reloading_the_earlier_file_does_not_undo_the_later_names(campaign, plan):
    """A unit's current name follows the latest campaign that lists it, whatever the order of loading."""
    assert Unit.objects.get(code="so-noi-vu").name == {u.code: u for u in plan.participants()}["so-noi-vu"].name
    campaign_load(path=CAMPAIGN_FILE)
    assert Unit.objects.get(code="so-noi-vu").name == {u.code: u for u in plan.participants()}["so-noi-vu"].name
    # The districts ended on 30/6/2025, whichever file said so last.
    assert str(Unit.objects.get(code="h-tuan-giao").valid_until) == "2025-06-30"


def test_groups_of_the_same_code_belong_to_each_campaign(campaign, plan):
    assert campaign.groups.filter(code="khoi-tong-hop").exists()
    assert plan.groups.filter(code="khoi-tong-hop").exists()
    old = set(campaign.groups.get(code="khoi-tong-hop").units.values_list("code", flat=True))
    new = set(plan.groups.get(code="khoi-tong-hop").units.values_list("code", flat=True))
    assert "so-khdt" in old and "so-khdt" not in new


def test_communes_name_the_districts_they_continue(plan):
    continued = plan.units.get(unit__code="p-dien-bien-phu")
    assert "tp-dien-bien-phu" in set(continued.predecessors.values_list("code", flat=True))


def test_the_2026_target_page_shows_the_predecessor_districts_2024_figures(
    campaign, plan, unit_a, officer_a, reviewer, client_for
):
    # Huyện Mường Ảng reported in 2024; xã Mường Ảng of 2026 continues it.
    fill_report(campaign, unit_a, officer_a)
    page = client_for(reviewer).get(reverse("reports:target_detail", args=[plan.code, "poverty_reduction"]))
    html = page.content.decode()
    row = re.search(r'<tr data-unit="x-muong-ang">.*?</tr>', html, flags=re.S).group(0)
    expected = Snapshot(campaign).unit_result(
        Snapshot(campaign).target_by_code["poverty_reduction"],
        {u.code: u for u in Snapshot(campaign).participants}["h-muong-ang"],
    )
    assert f'Huyện Mường Ảng (2024): <span class="text-nowrap">{expected.display_value}</span>' in row
    # A target the earlier campaign did not have shows no earlier column.
    page = client_for(reviewer).get(reverse("reports:target_detail", args=[plan.code, "records_late_rate"]))
    assert "data-earlier" not in page.content.decode()


def test_import_refuses_a_unit_that_only_the_other_campaign_lists(plan, tmp_path, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "values.csv"
    path.write_text("unit,measure,value,note\nh-tuan-giao,records_total,5,\nx-tuan-giao,records_total,7,\n")
    with pytest.raises(CommandError) as refused:
        call_command("import_results", plan.code, str(path))
    assert "1 lỗi" in str(refused.value)
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["row 2: đơn vị 'h-tuan-giao' (Huyện Tuần Giáo) không tham gia phong trào 2026-KH-UBND"]
    assert not plan.reports.exists()


def test_group_sums_take_only_the_campaigns_own_groups(campaign, plan, unit_b, officer_b):
    fill_report(campaign, unit_b, officer_b)
    sums = Snapshot(campaign).sums_by_group
    own = set(campaign.groups.values_list("pk", flat=True))
    assert sums and set(sums) <= own
    # so-vhttdl is in khoi-van-hoa-xa-hoi in both years; only the 2024 group counts its 2024 report.
    block_2026 = plan.groups.get(code="khoi-van-hoa-xa-hoi")
    assert block_2026.pk not in sums
