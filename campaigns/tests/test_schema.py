"""The campaign file's declared schema: unknown keys refused, every problem named in
Vietnamese with its path, the JSON Schema and the README's key reference."""

import copy
import datetime
import json
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from campaigns.models import Campaign
from campaigns.schema import CampaignFileError, parse_campaign_spec, read_campaign_file, schema_reference
from campaigns.tests.test_loader import BASE, DELETE, edited, write
from conftest import CAMPAIGN_FILE

FILES = Path(__file__).resolve().parents[1] / "campaign_files"
# The 2026 plan lives on the main branch; a worktree without it reads main's copy.
FILE_2026 = next(
    (
        path
        for path in (FILES / "2026-KH-UBND.yaml", Path("/work/main/campaigns/campaign_files/2026-KH-UBND.yaml"))
        if path.exists()
    ),
    None,
)
PYDANTIC_ENGLISH = ("Input should", "should be", "Field required", "Extra inputs", "pydantic")


def problems_of(data):
    with pytest.raises(CampaignFileError) as exc:
        parse_campaign_spec(copy.deepcopy(data), "t.yaml")
    problems = exc.value.problems
    assert not [p for p in problems if any(english in p for english in PYDANTIC_ENGLISH)]
    return problems


def test_a_misspelt_direction_is_refused_and_nothing_is_loaded(db, tmp_path):
    data = edited(targets__1__dirction="at_most")
    path = write(tmp_path, data)
    before = Campaign.objects.count()
    with pytest.raises(CommandError) as exc:
        call_command("load_campaign", str(path))
    assert "test-2025.yaml: targets[1].dirction: không có khóa này — có phải 'direction'?" in str(exc.value)
    assert Campaign.objects.count() == before


def test_unknown_keys_at_every_depth_are_all_listed():
    data = edited(
        campaign__signed_by="x",
        units__0__colour="red",
        measures__2__reported_by={"kinds": ["commune"], "unit": ["s-c"]},
        targets__0__goals={"province": 80, "group": {"g1": 90}},
    )
    problems = problems_of(data)
    assert "t.yaml: campaign.signed_by: không có khóa này — có phải 'signer'?" in problems
    assert any(
        p.startswith("t.yaml: units[0].colour: không có khóa này; các khóa hợp lệ: code, name, kind") for p in problems
    )
    assert "t.yaml: measures[2].reported_by.unit: không có khóa này — có phải 'units'?" in problems
    assert "t.yaml: targets[0].goals.group: không có khóa này — có phải 'groups'?" in problems
    assert len(problems) == 4


def test_wrong_types_say_what_was_expected_and_what_was_given():
    data = edited(
        campaign__directive_date="2024-13-01",
        campaign__recipients="Sở Nội vụ",
        targets__0__rate="yes",
        targets__0__goals={"province": "nhiều", "units": {"x-b": True}, "due": 2025.5},
        groups__0__units=["x-a", 3],
    )
    problems = problems_of(data)
    assert "t.yaml: campaign.directive_date: cần một ngày dạng YYYY-MM-DD, nhưng có chuỗi '2024-13-01'" in problems
    assert "t.yaml: campaign.recipients: cần một danh sách, nhưng có chuỗi 'Sở Nội vụ'" in problems
    assert "t.yaml: targets[0].rate: cần true hoặc false, nhưng có chuỗi 'yes'" in problems
    assert "t.yaml: targets[0].goals.province: cần một số, nhưng có chuỗi 'nhiều'" in problems
    assert "t.yaml: targets[0].goals.units.x-b: cần một số, nhưng có giá trị đúng/sai True" in problems
    assert "t.yaml: targets[0].goals.due: cần một số nguyên, nhưng có một số 2025.5" in problems
    assert "t.yaml: groups[0].units[1]: cần một chuỗi ký tự, nhưng có một số 3" in problems


def test_missing_keys_are_all_listed():
    problems = problems_of(edited(campaign__signer={"name": "A"}, sections=DELETE, measures__0__reported_by=DELETE))
    assert problems == [
        "t.yaml: campaign.signer.title: thiếu trường bắt buộc",
        "t.yaml: sections: thiếu trường bắt buộc",
        "t.yaml: measures[0].reported_by: thiếu trường bắt buộc",
    ]


def test_bad_choices_list_the_allowed_values():
    data = edited(
        units__0__kind="village",
        targets__0__direction="down",
        targets__1__over=["commune", "hamlet"],
        measures__0__reported_by="everyone",
        campaign__directive_kind="Kế hoạc",
    )
    problems = problems_of(data)
    assert (
        "t.yaml: units[0].kind: cần một trong department, district, commune, armed_forces, school, organisation, "
        "nhưng có chuỗi 'village'"
    ) in problems
    assert "t.yaml: targets[0].direction: cần một trong at_least, at_most, nhưng có chuỗi 'down'" in problems
    assert any(p.startswith("t.yaml: targets[1].over[1]: cần một trong department,") for p in problems)
    assert any(p.startswith("t.yaml: measures[0].reported_by: cần 'all' hoặc một bảng") for p in problems)
    assert any(
        p.startswith("t.yaml: campaign.directive_kind: cần một trong Công văn, Kế hoạch,") and "'Kế hoạc'" in p
        for p in problems
    )


def test_a_reporter_mapping_must_name_someone():
    problems = problems_of(edited(measures__2__reported_by={"kinds": []}))
    assert problems == ["t.yaml: measures[2].reported_by: cần ít nhất một loại đơn vị (kinds) hoặc một đơn vị (units)"]


@pytest.mark.parametrize("written, kind", [("Kế hoạch", "ke_hoach"), ("KẾ HOẠCH", "ke_hoach"), ("chi_thi", "chi_thi")])
def test_directive_kind_by_name_or_code(written, kind):
    assert parse_campaign_spec(edited(campaign__directive_kind=written))["campaign"]["directive_kind"] == kind


def test_directive_kind_left_out_is_inferred_from_the_symbol():
    data = edited(campaign__directive_number="45/KH-UBND")
    assert parse_campaign_spec(data)["campaign"]["directive_kind"] == "ke_hoach"
    assert parse_campaign_spec(copy.deepcopy(BASE))["campaign"]["directive_kind"] == "cong_van"


def test_an_impossible_date_in_yaml_is_a_problem_not_a_crash(tmp_path):
    path = write(tmp_path, "campaign:\n  directive_date: 2024-13-01\n")
    with pytest.raises(CampaignFileError) as exc:
        read_campaign_file(path)
    assert (
        "test-2025.yaml: campaign.directive_date: cần một ngày dạng YYYY-MM-DD, nhưng có chuỗi '2024-13-01'"
        in exc.value.problems
    )


def test_a_goal_written_without_a_number_is_refused():
    problems = problems_of(edited(targets__0__goals={"province": None}))
    assert problems == ["t.yaml: targets[0].goals.province: cần một số, nhưng có giá trị rỗng"]


def test_schema_option_prints_the_json_schema():
    out = StringIO()
    call_command("load_campaign", "--schema", stdout=out)
    schema = json.loads(out.getvalue())
    assert {"campaign", "units", "targets"} <= set(schema["properties"])
    target = schema["$defs"]["Target"]
    assert target["additionalProperties"] is False
    assert target["properties"]["direction"]["description"].startswith("Chiều của mức")


def test_a_path_is_needed_without_the_schema_options():
    with pytest.raises(CommandError) as exc:
        call_command("load_campaign")
    assert "Cần đường dẫn tệp phong trào" in str(exc.value)


def test_readme_carries_the_generated_reference():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- schema-reference:start -->\n(.*?)<!-- schema-reference:end -->", readme, re.S)
    assert block, "README.md lacks the schema-reference markers"
    assert block.group(1) == schema_reference(), "regenerate with: manage.py load_campaign --schema-reference"
    out = StringIO()
    call_command("load_campaign", "--schema-reference", stdout=out)
    assert out.getvalue() == schema_reference()


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(CAMPAIGN_FILE, id="1908"),
        pytest.param(FILE_2026, id="2026", marks=pytest.mark.skipif(FILE_2026 is None, reason="no 2026 file")),
    ],
)
def test_the_campaign_files_follow_the_schema(path):
    spec = read_campaign_file(path)
    assert spec["targets"] and spec["measures"]


def test_1908_reads_as_before():
    spec = read_campaign_file(CAMPAIGN_FILE)
    campaign = spec["campaign"]
    assert campaign["directive_kind"] == "cong_van"
    assert campaign["directive_date"] == datetime.date(2024, 4, 24)
    assert campaign["status"] == "active" and campaign["summary_symbol"] == "BC-UBND"
    assert campaign["anniversaries"][0] == {
        "name": "70 năm Chiến thắng Điện Biên Phủ",
        "years": 70,
        "start": "1954-05-07",
        "end": "2024-05-07",
        "as_written": "07/5/2019-07/5/2024",
        "note": "Mục 1 ghi 07/5/1954-07/5/2024; mục 5 ghi nhầm năm 2019.",
        "path": "campaign.anniversaries[0]",
    }
    assert [a["years"] for a in campaign["anniversaries"]] == [70, 115, 75]
    first = spec["targets"][0]
    assert first["goals"] == [
        {"scope": "province", "ref": None, "value": Decimal(4), "due": None, "path": "targets[0].goals.province"},
        {
            "scope": "group",
            "ref": "huyen-ngheo",
            "value": Decimal("5.5"),
            "due": None,
            "path": "targets[0].goals.groups.huyen-ngheo",
        },
    ]
    assert first["over_kinds"] == ["district"] and first["is_rate"] and first["direction"] == "at_least"
    measures = {m["code"]: m for m in spec["measures"]}
    assert measures["poor_households_start"]["reporter_kinds"] == ["district"]
    assert measures["managers_total"]["reporter_kinds"] == [
        "department",
        "district",
        "commune",
        "armed_forces",
        "school",
        "organisation",
    ]
    assert measures["managers_total"]["reporter_units"] == []
    himlam = measures["project_him_lam"]
    assert (himlam["reporter_kinds"], himlam["reporter_units"]) == ([], ["so-vhttdl"])
    assert (himlam["value_type"], himlam["aggregation"], himlam["unit_of_measure"]) == ("percent", "single", "%")
    tuan_giao = next(u for u in spec["units"] if u["code"] == "h-tuan-giao")
    assert tuan_giao["valid_until"] == datetime.date(2025, 6, 30) and tuan_giao["predecessors"] == []
    assert tuan_giao["path"] == "units[9]" and tuan_giao["parent"] is None


def test_2026_due_year_and_direction():
    if FILE_2026 is None:
        pytest.skip("no 2026 file")
    spec = read_campaign_file(FILE_2026)
    targets = {t["code"]: t for t in spec["targets"]}
    assert spec["campaign"]["directive_kind"] == "ke_hoach"
    assert targets["records_late_rate"]["direction"] == "at_most"
    assert targets["trees_total"]["goals"][0]["due"] == 2030
    quang_lam = next(u for u in spec["units"] if u["code"] == "x-quang-lam")
    assert quang_lam["predecessors"] == ["h-muong-nhe", "h-nam-po"]
    assert quang_lam["valid_from"] == datetime.date(2025, 7, 1)
