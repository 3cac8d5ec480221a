"""Campaign files: loading, updating, refusing, checking, and malformed files."""

import copy
from decimal import Decimal
from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from campaigns.loader import CampaignFileError, campaign_load, check_campaign, read_campaign_file
from campaigns.models import Campaign, Goal, Measure, Section, Target, Unit, UnitGroup
from campaigns.schema import parse_campaign_spec
from conftest import CAMPAIGN_FILE

BASE = {
    "campaign": {
        "code": "test-2025",
        "title": "Phong trào thử",
        "directive_number": "1/UBND-KSTT",
        "directive_date": "2025-03-01",
        "issuer": "ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN",
        "province": "Điện Biên",
        "place": "Điện Biên",
        "signer": {"name": "Nguyễn Văn A", "title": "CHỦ TỊCH", "authority": "TM. ỦY BAN NHÂN DÂN"},
        "unit_deadline": "2025-11-15",
        "summary_deadline": "2025-12-15",
    },
    "units": [
        {"code": "x-a", "name": "Xã A", "kind": "commune"},
        {"code": "x-b", "name": "Xã B", "kind": "commune"},
        {"code": "s-c", "name": "Sở C", "kind": "department"},
    ],
    "groups": [{"code": "g1", "name": "Cụm 1", "kind": "cluster", "units": ["x-a", "x-b"]}],
    "sections": [{"code": "I", "title": "Phần một"}, {"code": "II", "title": "Phần hai"}],
    "measures": [
        {"code": "total", "section": "I", "name": "Tổng", "unit": "hồ sơ", "reported_by": "all"},
        {
            "code": "online",
            "section": "I",
            "name": "Trực tuyến",
            "unit": "hồ sơ",
            "reported_by": "all",
            "part_of": "total",
        },
        {"code": "trees_a", "section": "II", "name": "Cây A", "reported_by": {"kinds": ["commune"]}},
        {"code": "trees_b", "section": "II", "name": "Cây B", "reported_by": {"units": ["s-c"]}},
    ],
    "targets": [
        {
            "code": "online_rate",
            "section": "I",
            "name": "Tỷ lệ trực tuyến",
            "unit": "%",
            "rate": True,
            "formula": "online / total * 100",
            "over": ["commune"],
            "goals": {"province": 80, "groups": {"g1": 90}, "units": {"x-b": 70}},
        },
        {"code": "trees", "section": "II", "name": "Cây", "formula": "trees_a + trees_b", "goals": {"province": 100}},
        {
            "code": "trees_a_t",
            "section": "II",
            "name": "Cây A",
            "formula": "trees_a",
            "parent": "trees",
            "goals": {"province": 60},
        },
        {
            "code": "trees_b_t",
            "section": "II",
            "name": "Cây B",
            "formula": "trees_b",
            "parent": "trees",
            "goals": {"province": 40},
        },
    ],
}


def write(tmp_path, data, name="test-2025.yaml"):
    path = tmp_path / name
    path.write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False) if not isinstance(data, str) else data,
        encoding="utf-8",
    )
    return path


def spec(data=None):
    return parse_campaign_spec(copy.deepcopy(data or BASE), "test.yaml")


def edited(**changes):
    data = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        node = data
        *parents, last = dotted.split("__")
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        if value is DELETE:
            del node[int(last) if last.isdigit() else last]
        else:
            node[int(last) if last.isdigit() else last] = value
    return data


DELETE = object()


def snapshot():
    return (
        sorted(Unit.objects.values_list("code", "name", "kind")),
        sorted(Section.objects.values_list("code", "title", "order")),
        sorted(Measure.objects.values_list("code", "name", "part_of__code")),
        sorted(Target.objects.values_list("code", "formula", "parent__code")),
        sorted(Goal.objects.values_list("target__code", "scope", "value")),
        sorted(UnitGroup.objects.values_list("code", "units__code")),
    )


def test_happy_path(db, tmp_path):
    result = campaign_load(path=write(tmp_path, BASE))
    campaign = result.campaign
    assert result.created
    assert campaign.directive_number == "1/UBND-KSTT"
    assert [s.code for s in campaign.sections.all()] == ["I", "II"]
    online = campaign.measures.get(code="online")
    assert online.part_of.code == "total"
    assert set(online.reporter_kinds) >= {"commune", "department"}
    target = campaign.targets.get(code="online_rate")
    assert target.formula_text == "Trực tuyến ÷ Tổng × 100"
    assert {(g.scope, g.value) for g in target.goals.all()} == {
        ("province", Decimal(80)),
        ("group", Decimal(90)),
        ("unit", Decimal(70)),
    }
    assert campaign.targets.get(code="trees_a_t").parent.code == "trees"
    assert sorted(campaign.participants().values_list("code", flat=True)) == ["s-c", "x-a", "x-b"]


def test_loading_twice_is_loading_once(db, tmp_path):
    path = write(tmp_path, BASE)
    campaign_load(path=path)
    before = snapshot()
    again = campaign_load(path=path)
    assert not again.created
    assert again.changes == []
    assert snapshot() == before
    assert Campaign.objects.count() == 1


def test_an_edited_file_updates_the_campaign(db, tmp_path):
    campaign_load(path=write(tmp_path, BASE))
    data = edited(targets__0__goals={"province": 85}, measures__0__name="Tổng số hồ sơ")
    data["measures"].append({"code": "extra", "section": "II", "name": "Mới", "reported_by": "all"})
    result = campaign_load(path=write(tmp_path, data))
    assert Measure.objects.get(code="total").name == "Tổng số hồ sơ"
    assert list(Goal.objects.filter(target__code="online_rate").values_list("value", flat=True)) == [Decimal(85)]
    assert Measure.objects.filter(code="extra").exists()
    assert any("extra" in change for change in result.changes)


def test_unused_items_removed_from_the_file_are_deleted(db, tmp_path):
    campaign_load(path=write(tmp_path, BASE))
    data = copy.deepcopy(BASE)
    data["targets"] = data["targets"][:1]
    data["measures"] = data["measures"][:2]
    data["sections"] = data["sections"][:1]
    campaign_load(path=write(tmp_path, data))
    assert not Measure.objects.filter(code="trees_a").exists()
    assert not Section.objects.filter(code="II").exists()


def test_refuses_to_drop_a_measure_reports_use(db, tmp_path):
    from reports.models import MeasureValue, UnitReport

    campaign = campaign_load(path=write(tmp_path, BASE)).campaign
    report = UnitReport.objects.create(campaign=campaign, unit=Unit.objects.get(code="x-a"))
    MeasureValue.objects.create(report=report, measure=Measure.objects.get(code="trees_a"), value=5)
    data = copy.deepcopy(BASE)
    data["measures"] = [m for m in data["measures"] if m["code"] != "trees_a"]
    data["targets"] = [t for t in data["targets"] if "trees" not in t["code"]]
    before = snapshot()
    with pytest.raises(CampaignFileError) as exc:
        campaign_load(path=write(tmp_path, data))
    assert "trees_a" in str(exc.value) and "không thể xóa" in str(exc.value)
    assert snapshot() == before
    assert MeasureValue.objects.count() == 1


def test_refuses_to_drop_a_section_with_narratives(db, tmp_path):
    from reports.models import Narrative, UnitReport

    campaign = campaign_load(path=write(tmp_path, BASE)).campaign
    report = UnitReport.objects.create(campaign=campaign, unit=Unit.objects.get(code="x-a"))
    Narrative.objects.create(report=report, section=Section.objects.get(code="II"), text="Đã trồng cây")
    data = copy.deepcopy(BASE)
    data["sections"] = data["sections"][:1]
    for item in data["measures"] + data["targets"]:
        item["section"] = "I"
    with pytest.raises(CampaignFileError) as exc:
        campaign_load(path=write(tmp_path, data))
    assert "phần 'II'" in str(exc.value)
    assert Section.objects.filter(code="II").exists()


# --- --check findings -------------------------------------------------------------------


def findings_for(data):
    return check_campaign(spec(data))


def test_clean_file_has_no_findings(db):
    findings = findings_for(BASE)
    assert findings.errors == [] and findings.warnings == []


def test_component_goals_that_do_not_add_up(db):
    findings = findings_for(edited(targets__3__goals={"province": 30}))
    assert findings.loadable
    assert any("'trees'" in w and "60 + 30 = 90" in w and "chênh 10" in w for w in findings.warnings)


def test_formula_naming_an_unknown_measure(db):
    findings = findings_for(edited(targets__0__formula="online / totl * 100"))
    assert not findings.loadable
    assert any("totl" in e for e in findings.errors)


def test_formula_with_a_refused_construct(db):
    findings = findings_for(edited(targets__0__formula="__import__('os')"))
    assert any("lời gọi hàm" in e and "online_rate" in e for e in findings.errors)


def test_target_whose_measures_nobody_reports(db):
    findings = findings_for(edited(targets__1__over=["school"]))
    assert any("'trees'" in w and "không đơn vị nào" in w for w in findings.warnings)


def test_group_naming_an_unknown_unit(db):
    findings = findings_for(edited(groups__0__units=["x-a", "x-zzz"]))
    assert any("x-zzz" in e for e in findings.errors)


def test_goal_for_unknown_unit_and_group(db):
    findings = findings_for(edited(targets__0__goals={"units": {"nowhere": 1}, "groups": {"g-none": 2}}))
    assert any("nowhere" in e for e in findings.errors)
    assert any("g-none" in e for e in findings.errors)


def test_goal_for_unknown_target(db):
    findings = findings_for(edited(targets__2__parent="no-such-target"))
    assert any("no-such-target" in e for e in findings.errors)


def test_duplicate_codes(db):
    data = copy.deepcopy(BASE)
    data["measures"].append(dict(data["measures"][0]))
    data["units"].append(dict(data["units"][0]))
    findings = findings_for(data)
    assert any("chỉ số 'total'" in e and "trùng" in e for e in findings.errors)
    assert any("đơn vị 'x-a'" in e and "trùng" in e for e in findings.errors)


def test_single_measure_must_have_one_reporter(db):
    findings = findings_for(edited(measures__2__aggregation="single"))
    assert any("'single'" in e for e in findings.errors)


def test_inconsistent_file_is_not_loaded(db, tmp_path):
    with pytest.raises(CampaignFileError):
        campaign_load(path=write(tmp_path, edited(groups__0__units=["x-zzz"])))
    assert not Campaign.objects.exists()
    assert not Unit.objects.exists()


# --- malformed files ----------------------------------------------------------------------


def problems_of(tmp_path, data):
    with pytest.raises(CampaignFileError) as exc:
        read_campaign_file(write(tmp_path, data))
    return exc.value.problems


def test_bad_yaml_names_file_and_line(tmp_path):
    problems = problems_of(tmp_path, "campaign:\n  code: [unclosed\n  title: x\n")
    assert problems[0].startswith("test-2025.yaml (dòng")
    assert "YAML không hợp lệ" in problems[0]


def test_missing_field_names_the_path(tmp_path):
    problems = problems_of(tmp_path, edited(campaign__unit_deadline=DELETE))
    assert "test-2025.yaml: campaign.unit_deadline: thiếu trường bắt buộc" in problems[0]


def test_wrong_type_names_path_and_expectation(tmp_path):
    problems = problems_of(tmp_path, edited(campaign__directive_date="24/04/2024", measures__1__name=["a"]))
    assert any("campaign.directive_date: cần một ngày dạng YYYY-MM-DD" in p for p in problems)
    assert any("measures[1].name: cần một chuỗi ký tự" in p for p in problems)


def test_bad_choice_and_bad_goal(tmp_path):
    problems = problems_of(tmp_path, edited(units__0__kind="village", targets__0__goals={"province": "nhiều"}))
    assert any("units[0].kind" in p and "commune" in p for p in problems)
    assert any("targets[0].goals.province: cần một số" in p for p in problems)


def test_root_that_is_not_a_mapping(tmp_path):
    assert "(gốc)" in problems_of(tmp_path, "- just\n- a list\n")[0]


def test_missing_file(tmp_path):
    with pytest.raises(CampaignFileError) as exc:
        read_campaign_file(tmp_path / "none.yaml")
    assert "không tìm thấy" in str(exc.value)


def test_command_reports_malformed_file_without_traceback(db, tmp_path):
    with pytest.raises(CommandError) as exc:
        call_command("load_campaign", str(write(tmp_path, "campaign: [")))
    assert "YAML không hợp lệ" in str(exc.value)


# --- campaign 1908 ------------------------------------------------------------------------


def test_1908_check_exits_zero_and_names_the_directive_inconsistencies(award_catalogue):
    out = StringIO()
    call_command("load_campaign", str(CAMPAIGN_FILE), "--check", stdout=out)
    text = out.getvalue()
    assert "nạp được" in text
    assert "170.690 + 3.697.370 = 3.868.060" in text and "3.868.370" in text and "chênh 310" in text
    assert "07/5/2019-07/5/2024" in text
    assert not Campaign.objects.exists()


def test_1908_loads_completely(campaign):
    assert campaign.code == "1908-UBND-KSTT"
    assert campaign.signer_name == "Lê Thành Đô"
    assert campaign.unit_deadline.isoformat() == "2024-11-15"
    units = campaign.participants()
    assert units.filter(kind="district").count() == 10
    assert units.filter(kind="department").count() == 19
    assert units.count() == 10 + 19 + 3 + 4 + 6
    assert Unit.objects.get(code="h-tuan-giao").valid_until.isoformat() == "2025-06-30"
    assert set(UnitGroup.objects.get(code="huyen-ngheo").units.values_list("code", flat=True)) == {
        "h-dien-bien-dong",
        "h-muong-ang",
        "h-muong-cha",
        "h-muong-nhe",
        "h-nam-po",
        "h-tua-chua",
        "h-tuan-giao",
    }
    poverty = campaign.targets.get(code="poverty_reduction")
    assert {(g.scope, g.group.code if g.group else None, g.value) for g in poverty.goals.all()} == {
        ("province", None, Decimal(4)),
        ("group", "huyen-ngheo", Decimal("5.5")),
    }
    assert campaign.targets.get(code="trees_total").goals.get().value == 3868370
    assert not campaign.targets.get(code="tree_survival").goals.exists()
    assert campaign.measures.get(code="project_him_lam").reporter_units.get().code == "so-vhttdl"
    assert campaign.measures.count() == 36


def test_2026_campaign_lists_communes_not_districts(award_catalogue, tmp_path):
    campaign_load(path=CAMPAIGN_FILE)
    data = copy.deepcopy(BASE)
    data["campaign"].update(
        code="2026", directive_date="2026-02-01", unit_deadline="2026-11-15", summary_deadline="2026-12-15"
    )
    campaign = campaign_load(path=write(tmp_path, data)).campaign
    codes = set(campaign.participants().values_list("code", flat=True))
    assert "h-tuan-giao" not in codes and "x-a" in codes
