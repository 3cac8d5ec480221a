"""Campaign files: read, check and load.

A campaign file (YAML) holds what a directive sets: the campaign's identity, the units and
groups it uses, its sections, measures and targets with their goals. `read_campaign_file`
parses and validates the structure (a malformed file gives the file, the path inside it and
what was expected); `check_campaign` lists every inconsistency (errors make the file
unloadable, warnings do not); `campaign_load` applies it in one transaction: loading twice is
loading once, an edited file updates the campaign, and anything a report references is never
deleted (the load is refused instead).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.db import transaction

from .formula import Formula, FormulaError
from .models import (
    Aggregation,
    Campaign,
    CampaignStatus,
    Direction,
    Goal,
    GoalScope,
    Measure,
    Section,
    Target,
    Unit,
    UnitGroup,
    UnitGroupKind,
    UnitKind,
    ValueType,
)
from .numbers import format_vn_number

ALL_KINDS = [kind.value for kind in UnitKind]


class CampaignFileError(Exception):
    """A campaign file that cannot be read or loaded; `problems` lists each reason."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass
class Findings:
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def loadable(self):
        return not self.errors


# --- reading and structural validation --------------------------------------------------


class _Reader:
    """Walks the parsed YAML, collecting every structural problem with its path."""

    def __init__(self, filename):
        self.filename = filename
        self.problems = []

    def fail(self, path, expected, got=None):
        where = f"{self.filename}: {path}"
        if got is None:
            self.problems.append(f"{where}: thiếu trường bắt buộc ({expected})")
        else:
            self.problems.append(f"{where}: cần {expected}, nhưng có {_describe(got)}")

    def get(self, mapping, key, path, kind, required=True, default=None):
        full = f"{path}.{key}" if path else key
        if not isinstance(mapping, dict) or key not in mapping or mapping[key] is None:
            if required:
                self.fail(full, _EXPECT[kind])
            return default
        value = mapping[key]
        converted = _convert(value, kind)
        if converted is _INVALID:
            self.fail(full, _EXPECT[kind], value)
            return default
        return converted

    def items(self, mapping, key, path, required=True):
        value = self.get(mapping, key, path, "list", required=required, default=[])
        result = []
        for index, item in enumerate(value or []):
            item_path = f"{path + '.' if path else ''}{key}[{index}]"
            if not isinstance(item, dict):
                self.fail(item_path, "một mục dạng khóa: giá trị", item)
                continue
            result.append((item_path, item))
        return result

    def choice(self, mapping, key, path, choices, required=True, default=None):
        value = self.get(mapping, key, path, "str", required=required, default=default)
        if value is not None and value not in choices:
            self.fail(f"{path}.{key}", "một trong " + ", ".join(choices), value)
            return default
        return value


_INVALID = object()
_EXPECT = {
    "str": "một chuỗi ký tự",
    "date": "một ngày dạng YYYY-MM-DD",
    "decimal": "một số",
    "list": "một danh sách",
    "dict": "một bảng khóa: giá trị",
    "bool": "true hoặc false",
    "strlist": "một danh sách mã",
}


def _describe(value):
    kind = {
        dict: "một bảng",
        list: "một danh sách",
        bool: "giá trị đúng/sai",
        int: "một số",
        float: "một số",
        str: "chuỗi",
    }.get(type(value), type(value).__name__)
    text = repr(value)
    return f"{kind} {text[:60]}"


def _convert(value, kind):
    if kind == "str":
        return str(value).strip() if isinstance(value, (str, int, float)) and not isinstance(value, bool) else _INVALID
    if kind == "date":
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError:
                return _INVALID
        return _INVALID
    if kind == "decimal":
        if isinstance(value, bool):
            return _INVALID
        if isinstance(value, (int, float)):
            return Decimal(str(value))
        if isinstance(value, str):
            try:
                return Decimal(value.strip())
            except InvalidOperation:
                return _INVALID
        return _INVALID
    if kind == "list":
        return value if isinstance(value, list) else _INVALID
    if kind == "dict":
        return value if isinstance(value, dict) else _INVALID
    if kind == "bool":
        return value if isinstance(value, bool) else _INVALID
    if kind == "strlist":
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return [item.strip() for item in value]
        return _INVALID
    raise ValueError(kind)


def read_campaign_file(path):
    """Parse and validate a campaign file's structure. Returns a plain dict (the campaign
    spec) or raises CampaignFileError listing every structural problem."""
    path = Path(path)
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CampaignFileError([f"{name}: không tìm thấy tệp"]) from None
    except UnicodeDecodeError:
        raise CampaignFileError([f"{name}: tệp không phải văn bản UTF-8"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (dòng {mark.line + 1}, cột {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CampaignFileError([f"{name}{where}: YAML không hợp lệ: {problem}"]) from None
    return parse_campaign_spec(data, name)


def parse_campaign_spec(data, name="<campaign>"):
    r = _Reader(name)
    if not isinstance(data, dict):
        r.fail("(gốc)", "một bảng khóa: giá trị với các mục campaign, units, sections, measures, targets", data)
        raise CampaignFileError(r.problems)

    c = r.get(data, "campaign", "", "dict", default={}) or {}
    signer = r.get(c, "signer", "campaign", "dict", default={}) or {}
    campaign = {
        "code": r.get(c, "code", "campaign", "str"),
        "title": r.get(c, "title", "campaign", "str"),
        "directive_number": r.get(c, "directive_number", "campaign", "str"),
        "directive_date": r.get(c, "directive_date", "campaign", "date"),
        "issuer": r.get(c, "issuer", "campaign", "str"),
        "issuer_parent": r.get(c, "issuer_parent", "campaign", "str", required=False, default=""),
        "place": r.get(c, "place", "campaign", "str"),
        "signer_name": r.get(signer, "name", "campaign.signer", "str"),
        "signer_title": r.get(signer, "title", "campaign.signer", "str"),
        "signer_authority": r.get(signer, "authority", "campaign.signer", "str", required=False, default=""),
        "implements": r.get(c, "implements", "campaign", "str", required=False, default=""),
        "summary_symbol": r.get(c, "summary_symbol", "campaign", "str", required=False, default="BC-UBND"),
        "recipients": r.get(c, "recipients", "campaign", "strlist", required=False, default=[]),
        "starts_on": r.get(c, "starts_on", "campaign", "date", required=False),
        "ends_on": r.get(c, "ends_on", "campaign", "date", required=False),
        "unit_deadline": r.get(c, "unit_deadline", "campaign", "date"),
        "summary_deadline": r.get(c, "summary_deadline", "campaign", "date"),
        "status": r.choice(
            c,
            "status",
            "campaign",
            [s.value for s in CampaignStatus],
            required=False,
            default=CampaignStatus.ACTIVE.value,
        ),
        "participants": r.get(c, "participants", "campaign", "strlist", required=False, default=[]),
        "anniversaries": [],
    }
    for path, item in r.items(c, "anniversaries", "campaign", required=False):
        start = r.get(item, "start", path, "date")
        end = r.get(item, "end", path, "date")
        campaign["anniversaries"].append(
            {
                "name": r.get(item, "name", path, "str"),
                "years": int(r.get(item, "years", path, "decimal", required=False, default=0) or 0),
                "start": start.isoformat() if start else None,
                "end": end.isoformat() if end else None,
                "as_written": r.get(item, "as_written", path, "str", required=False, default=""),
                "note": r.get(item, "note", path, "str", required=False, default=""),
                "path": path,
            }
        )

    units = []
    for path, item in r.items(data, "units", ""):
        units.append(
            {
                "path": path,
                "code": r.get(item, "code", path, "str"),
                "name": r.get(item, "name", path, "str"),
                "kind": r.choice(item, "kind", path, ALL_KINDS),
                "parent": r.get(item, "parent", path, "str", required=False),
                "valid_from": r.get(item, "valid_from", path, "date", required=False),
                "valid_until": r.get(item, "valid_until", path, "date", required=False),
                "successor": r.get(item, "successor", path, "str", required=False),
                "head_title": r.get(item, "head_title", path, "str", required=False, default=""),
            }
        )

    groups = []
    for path, item in r.items(data, "groups", "", required=False):
        groups.append(
            {
                "path": path,
                "code": r.get(item, "code", path, "str"),
                "name": r.get(item, "name", path, "str"),
                "kind": r.choice(item, "kind", path, [k.value for k in UnitGroupKind]),
                "units": r.get(item, "units", path, "strlist", default=[]),
                "note": r.get(item, "note", path, "str", required=False, default=""),
            }
        )

    sections = []
    for path, item in r.items(data, "sections", ""):
        sections.append(
            {
                "path": path,
                "code": r.get(item, "code", path, "str"),
                "title": r.get(item, "title", path, "str"),
                "description": r.get(item, "description", path, "str", required=False, default=""),
            }
        )

    measures = []
    for path, item in r.items(data, "measures", ""):
        reported_by = item.get("reported_by") if isinstance(item, dict) else None
        if reported_by == "all":
            kinds, reporter_units = list(ALL_KINDS), []
        else:
            rb = r.get(item, "reported_by", path, "dict", default={}) or {}
            kinds = r.get(rb, "kinds", f"{path}.reported_by", "strlist", required=False, default=[])
            reporter_units = r.get(rb, "units", f"{path}.reported_by", "strlist", required=False, default=[])
            for kind in kinds:
                if kind not in ALL_KINDS:
                    r.fail(f"{path}.reported_by.kinds", "một trong " + ", ".join(ALL_KINDS), kind)
            if isinstance(reported_by, dict) and not kinds and not reporter_units:
                r.fail(f"{path}.reported_by", "ít nhất một loại đơn vị (kinds) hoặc một đơn vị (units)")
        measures.append(
            {
                "path": path,
                "code": r.get(item, "code", path, "str"),
                "section": r.get(item, "section", path, "str"),
                "name": r.get(item, "name", path, "str"),
                "unit_of_measure": r.get(item, "unit", path, "str", required=False, default=""),
                "value_type": r.choice(
                    item, "type", path, [v.value for v in ValueType], required=False, default=ValueType.INTEGER.value
                ),
                "aggregation": r.choice(
                    item,
                    "aggregation",
                    path,
                    [a.value for a in Aggregation],
                    required=False,
                    default=Aggregation.SUM.value,
                ),
                "reporter_kinds": [k for k in kinds if k in ALL_KINDS],
                "reporter_units": reporter_units,
                "part_of": r.get(item, "part_of", path, "str", required=False),
                "description": r.get(item, "description", path, "str", required=False, default=""),
            }
        )

    targets = []
    for path, item in r.items(data, "targets", ""):
        goals_spec = r.get(item, "goals", path, "dict", required=False, default={}) or {}
        goals = []
        if "province" in goals_spec:
            value = r.get(goals_spec, "province", f"{path}.goals", "decimal")
            if value is not None:
                goals.append(
                    {"scope": GoalScope.PROVINCE.value, "ref": None, "value": value, "path": f"{path}.goals.province"}
                )
        for scope, key in ((GoalScope.KIND, "kinds"), (GoalScope.GROUP, "groups"), (GoalScope.UNIT, "units")):
            entries = r.get(goals_spec, key, f"{path}.goals", "dict", required=False, default={}) or {}
            for ref, raw in entries.items():
                value = _convert(raw, "decimal")
                if value is _INVALID:
                    r.fail(f"{path}.goals.{key}.{ref}", _EXPECT["decimal"], raw)
                    continue
                goals.append(
                    {"scope": scope.value, "ref": str(ref), "value": value, "path": f"{path}.goals.{key}.{ref}"}
                )
        unknown_keys = set(goals_spec) - {"province", "kinds", "groups", "units"}
        for key in sorted(unknown_keys):
            r.fail(f"{path}.goals.{key}", "province, kinds, groups hoặc units", key)
        over = item.get("over", "all") if isinstance(item, dict) else "all"
        if over == "all":
            over_kinds = []
        else:
            over_kinds = r.get(item, "over", path, "strlist", default=[])
            for kind in over_kinds:
                if kind not in ALL_KINDS:
                    r.fail(f"{path}.over", "'all' hoặc danh sách loại đơn vị: " + ", ".join(ALL_KINDS), kind)
        targets.append(
            {
                "path": path,
                "code": r.get(item, "code", path, "str"),
                "section": r.get(item, "section", path, "str"),
                "name": r.get(item, "name", path, "str"),
                "unit_of_measure": r.get(item, "unit", path, "str", required=False, default=""),
                "formula": r.get(item, "formula", path, "str"),
                "over_kinds": over_kinds,
                "direction": r.choice(
                    item,
                    "direction",
                    path,
                    [d.value for d in Direction],
                    required=False,
                    default=Direction.AT_LEAST.value,
                ),
                "parent": r.get(item, "parent", path, "str", required=False),
                "is_rate": r.get(item, "rate", path, "bool", required=False, default=False),
                "headline": r.get(item, "headline", path, "bool", required=False, default=False),
                "note": r.get(item, "note", path, "str", required=False, default=""),
                "goals": goals,
            }
        )

    if r.problems:
        raise CampaignFileError(r.problems)
    return {
        "name": name,
        "campaign": campaign,
        "units": units,
        "groups": groups,
        "sections": sections,
        "measures": measures,
        "targets": targets,
    }


# --- consistency checks -----------------------------------------------------------------


def _duplicates(items, what, findings):
    seen = {}
    for item in items:
        if item["code"] in seen:
            findings.errors.append(f"{item['path']}: mã {what} '{item['code']}' trùng với {seen[item['code']]}")
        else:
            seen[item["code"]] = item["path"]


def check_campaign(spec):
    """Every inconsistency of a parsed campaign file. Errors make it unloadable; warnings
    (such as component goals that do not add up) are reported and the file still loads."""
    findings = Findings()
    for what, key in (
        ("đơn vị", "units"),
        ("nhóm", "groups"),
        ("phần", "sections"),
        ("chỉ số", "measures"),
        ("chỉ tiêu", "targets"),
    ):
        _duplicates(spec[key], what, findings)

    file_units = {unit["code"]: unit for unit in spec["units"]}
    db_units = set(Unit.objects.filter(code__in=_all_unit_refs(spec)).values_list("code", flat=True))
    known_units = set(file_units) | db_units
    groups = {group["code"]: group for group in spec["groups"]}
    known_groups = set(groups) | set(
        UnitGroup.objects.filter(code__in=_all_group_refs(spec)).values_list("code", flat=True)
    )
    sections = {section["code"] for section in spec["sections"]}
    measures = {measure["code"]: measure for measure in spec["measures"]}
    targets = {target["code"]: target for target in spec["targets"]}

    c = spec["campaign"]
    for code in c["participants"]:
        if code not in known_units:
            findings.errors.append(f"campaign.participants: đơn vị '{code}' không có trong tệp")
    if c["unit_deadline"] and c["summary_deadline"] and c["unit_deadline"] > c["summary_deadline"]:
        findings.errors.append("campaign: hạn đơn vị báo cáo sau hạn báo cáo tổng hợp")
    if c["directive_date"] and c["unit_deadline"] and c["unit_deadline"] < c["directive_date"]:
        findings.errors.append("campaign: hạn đơn vị báo cáo trước ngày ban hành văn bản")
    for anniversary in c["anniversaries"]:
        _check_anniversary(anniversary, findings)

    for unit in spec["units"]:
        for key in ("parent", "successor"):
            if unit[key] and unit[key] not in known_units:
                findings.errors.append(f"{unit['path']}.{key}: đơn vị '{unit[key]}' không có")
        if unit["valid_from"] and unit["valid_until"] and unit["valid_from"] > unit["valid_until"]:
            findings.errors.append(f"{unit['path']}: ngày bắt đầu tồn tại sau ngày kết thúc")

    for group in spec["groups"]:
        for code in group["units"]:
            if code not in known_units:
                findings.errors.append(f"{group['path']}.units: nhóm '{group['code']}' nêu đơn vị không có '{code}'")

    participants = _participants(spec, file_units)
    for measure in spec["measures"]:
        path = measure["path"]
        if measure["section"] not in sections:
            findings.errors.append(f"{path}.section: phần '{measure['section']}' không có")
        for code in measure["reporter_units"]:
            if code not in known_units:
                findings.errors.append(f"{path}.reported_by.units: đơn vị '{code}' không có")
        if measure["part_of"]:
            whole = measures.get(measure["part_of"])
            if whole is None:
                findings.errors.append(f"{path}.part_of: chỉ số '{measure['part_of']}' không có")
            elif whole["code"] == measure["code"]:
                findings.errors.append(f"{path}.part_of: chỉ số không thể là một phần của chính nó")
        if measure["aggregation"] == Aggregation.SINGLE.value:
            reporters = _reporters(measure, participants)
            if len(reporters) != 1:
                findings.errors.append(
                    f"{path}: chỉ số tổng hợp kiểu 'single' phải do đúng một đơn vị báo cáo (đang có {len(reporters)})"
                )
        if not _reporters(measure, participants):
            findings.warnings.append(f"{path}: chỉ số '{measure['code']}' không có đơn vị nào báo cáo")

    for target in spec["targets"]:
        path = target["path"]
        if target["section"] not in sections:
            findings.errors.append(f"{path}.section: phần '{target['section']}' không có")
        try:
            formula = Formula.parse(target["formula"], known=set(measures), target=target["code"])
        except FormulaError as exc:
            findings.errors.append(f"{path}.formula: {exc}")
            formula = None
        if formula is not None:
            kinds = set(target["over_kinds"]) or set(ALL_KINDS)
            scoped = {code: unit for code, unit in participants.items() if unit["kind"] in kinds}
            for name in formula.names:
                if not _reporters(measures[name], scoped):
                    findings.warnings.append(
                        f"{path}: chỉ tiêu '{target['code']}' dùng chỉ số '{name}' mà không đơn vị nào "
                        "trong phạm vi của chỉ tiêu báo cáo"
                    )
        if target["parent"] and target["parent"] not in targets:
            findings.errors.append(f"{path}.parent: chỉ tiêu cha '{target['parent']}' không có")
        for goal in target["goals"]:
            if goal["scope"] == GoalScope.UNIT.value and goal["ref"] not in known_units:
                findings.errors.append(f"{goal['path']}: mức cho đơn vị không có '{goal['ref']}'")
            if goal["scope"] == GoalScope.GROUP.value and goal["ref"] not in known_groups:
                findings.errors.append(f"{goal['path']}: mức cho nhóm không có '{goal['ref']}'")
            if goal["scope"] == GoalScope.KIND.value and goal["ref"] not in ALL_KINDS:
                findings.errors.append(f"{goal['path']}: loại đơn vị không có '{goal['ref']}'")
            if target["is_rate"] and goal["value"] > 100 and target["direction"] == Direction.AT_LEAST.value:
                findings.warnings.append(f"{goal['path']}: mức tỷ lệ {format_vn_number(goal['value'])}% vượt 100%")

    _check_components(spec["targets"], targets, findings)
    _check_cycles(spec, findings)
    return findings


def _check_anniversary(anniversary, findings):
    path = anniversary["path"]
    start, end = anniversary["start"], anniversary["end"]
    if start and end:
        span = int(end[:4]) - int(start[:4])
        if anniversary["years"] and span != anniversary["years"]:
            findings.warnings.append(
                f"{path}: '{anniversary['name']}' ghi {anniversary['years']} năm nhưng từ {start} đến {end} "
                f"là {span} năm"
            )
    written = anniversary["as_written"]
    if written and start and end:
        expected = f"{_short_date(start)}-{_short_date(end)}"
        if written.replace(" ", "") != expected:
            findings.warnings.append(
                f"{path}: văn bản gốc ghi '{written}' cho '{anniversary['name']}', không khớp với "
                f"{expected} ({anniversary['years']} năm); tệp dùng {expected}"
            )


def _short_date(iso):
    date = datetime.date.fromisoformat(iso)
    return f"{date.day:02d}/{date.month}/{date.year}"


def _check_components(spec_targets, targets, findings):
    for parent in spec_targets:
        components = [t for t in spec_targets if t["parent"] == parent["code"]]
        if not components:
            continue
        parent_goal = _province_goal(parent)
        component_goals = [_province_goal(t) for t in components]
        if parent_goal is None or any(goal is None for goal in component_goals):
            continue
        total = sum(component_goals, Decimal(0))
        if total != parent_goal:
            parts = " + ".join(format_vn_number(goal) for goal in component_goals)
            findings.warnings.append(
                f"{parent['path']}: mức của chỉ tiêu '{parent['code']}' là {format_vn_number(parent_goal)} "
                f"nhưng các chỉ tiêu thành phần ({', '.join(t['code'] for t in components)}) cộng lại "
                f"{parts} = {format_vn_number(total)} (chênh {format_vn_number(parent_goal - total)})"
            )


def _check_cycles(spec, findings):
    for key, link, what in (("targets", "parent", "chỉ tiêu"), ("measures", "part_of", "chỉ số")):
        by_code = {item["code"]: item for item in spec[key]}
        for item in spec[key]:
            seen, current = set(), item
            while current and current[link]:
                if current["code"] in seen:
                    findings.errors.append(f"{item['path']}.{link}: vòng lặp giữa các {what}")
                    break
                seen.add(current["code"])
                current = by_code.get(current[link])


def _province_goal(target):
    for goal in target["goals"]:
        if goal["scope"] == GoalScope.PROVINCE.value:
            return goal["value"]
    return None


def _participants(spec, file_units):
    """code → unit spec of the campaign's participants, judged from the file alone."""
    c = spec["campaign"]
    if c["participants"]:
        return {code: file_units[code] for code in c["participants"] if code in file_units}
    start = c["starts_on"] or c["directive_date"]
    end = c["ends_on"] or c["summary_deadline"]
    result = {}
    for code, unit in file_units.items():
        if unit["valid_until"] and start and unit["valid_until"] < start:
            continue
        if unit["valid_from"] and end and unit["valid_from"] > end:
            continue
        result[code] = unit
    return result


def _reporters(measure, units):
    return [
        code
        for code, unit in units.items()
        if unit["kind"] in measure["reporter_kinds"] or code in measure["reporter_units"]
    ]


def _all_unit_refs(spec):
    refs = set(spec["campaign"]["participants"])
    for unit in spec["units"]:
        refs.update(filter(None, (unit["parent"], unit["successor"])))
    for group in spec["groups"]:
        refs.update(group["units"])
    for measure in spec["measures"]:
        refs.update(measure["reporter_units"])
    for target in spec["targets"]:
        refs.update(goal["ref"] for goal in target["goals"] if goal["scope"] == GoalScope.UNIT.value)
    return refs


def _all_group_refs(spec):
    return {
        goal["ref"] for target in spec["targets"] for goal in target["goals"] if goal["scope"] == GoalScope.GROUP.value
    }


# --- loading ----------------------------------------------------------------------------


@dataclass
class LoadResult:
    campaign: Campaign
    created: bool
    findings: Findings
    changes: list


def campaign_load(*, path=None, spec=None):
    """Load (or update) a campaign from a file, in one transaction. Raises CampaignFileError
    when the file is malformed, inconsistent, or would delete something reports use."""
    if spec is None:
        spec = read_campaign_file(path)
    findings = check_campaign(spec)
    if not findings.loadable:
        raise CampaignFileError(findings.errors)
    with transaction.atomic():
        campaign, created, changes = _apply(spec, source=str(path or ""))
    return LoadResult(campaign=campaign, created=created, findings=findings, changes=changes)


def _upsert(model, lookup, values, changes, label):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        changes.append(f"+ {label}")
        return obj
    dirty = [key for key, value in values.items() if getattr(obj, key) != value]
    if dirty:
        for key in dirty:
            setattr(obj, key, values[key])
        obj.save(update_fields=dirty)
        changes.append(f"~ {label} ({', '.join(dirty)})")
    return obj


def _apply(spec, source):
    from reports.models import MeasureValue, Narrative

    changes = []
    c = spec["campaign"]

    units = {}
    for unit in spec["units"]:
        units[unit["code"]] = _upsert(
            Unit,
            {"code": unit["code"]},
            {
                "name": unit["name"],
                "kind": unit["kind"],
                "valid_from": unit["valid_from"],
                "valid_until": unit["valid_until"],
                "head_title": unit["head_title"],
            },
            changes,
            f"đơn vị {unit['code']}",
        )
    for obj in Unit.objects.filter(code__in=_all_unit_refs(spec) - set(units)):
        units[obj.code] = obj
    for unit in spec["units"]:
        obj = units[unit["code"]]
        parent = units[unit["parent"]] if unit["parent"] else None
        successor = units[unit["successor"]] if unit["successor"] else None
        if obj.parent != parent or obj.successor != successor:
            obj.parent, obj.successor = parent, successor
            obj.save(update_fields=["parent", "successor"])

    groups = {}
    for group in spec["groups"]:
        obj = _upsert(
            UnitGroup,
            {"code": group["code"]},
            {"name": group["name"], "kind": group["kind"], "note": group["note"]},
            changes,
            f"nhóm {group['code']}",
        )
        members = {units[code].pk for code in group["units"]}
        if set(obj.units.values_list("pk", flat=True)) != members:
            obj.units.set(members)
            changes.append(f"~ nhóm {group['code']} (thành viên)")
        groups[group["code"]] = obj
    for obj in UnitGroup.objects.filter(code__in=_all_group_refs(spec) - set(groups)):
        groups[obj.code] = obj

    anniversaries = [{k: v for k, v in a.items() if k != "path"} for a in c["anniversaries"]]
    existing = Campaign.objects.filter(code=c["code"]).first()
    campaign = _upsert(
        Campaign,
        {"code": c["code"]},
        {
            key: c[key]
            for key in (
                "title",
                "directive_number",
                "directive_date",
                "issuer",
                "issuer_parent",
                "place",
                "signer_name",
                "signer_title",
                "signer_authority",
                "implements",
                "summary_symbol",
                "recipients",
                "starts_on",
                "ends_on",
                "unit_deadline",
                "summary_deadline",
                "status",
            )
        }
        | {"anniversaries": anniversaries, "source_file": Path(source).name if source else ""},
        changes,
        f"phong trào {c['code']}",
    )
    participants = {units[code].pk for code in c["participants"]}
    if set(campaign.explicit_participants.values_list("pk", flat=True)) != participants:
        campaign.explicit_participants.set(participants)

    # Remove what the file no longer lists, unless a report uses it.
    problems = []
    section_codes = {s["code"] for s in spec["sections"]}
    measure_codes = {m["code"] for m in spec["measures"]}
    target_codes = {t["code"] for t in spec["targets"]}
    gone_measures = campaign.measures.exclude(code__in=measure_codes)
    for measure in gone_measures:
        used = MeasureValue.objects.filter(measure=measure).count()
        if used:
            problems.append(
                f"chỉ số '{measure.code}' không còn trong tệp nhưng đã có {used} số liệu báo cáo dùng nó; "
                "không thể xóa (giữ lại chỉ số trong tệp)"
            )
    gone_sections = campaign.sections.exclude(code__in=section_codes)
    for section in gone_sections:
        used = Narrative.objects.filter(section=section).exclude(text="").count()
        if used:
            problems.append(
                f"phần '{section.code}' không còn trong tệp nhưng đã có {used} báo cáo viết nội dung cho nó; "
                "không thể xóa (giữ lại phần trong tệp)"
            )
    if problems:
        raise CampaignFileError(problems)

    sections = {}
    for order, section in enumerate(spec["sections"], start=1):
        sections[section["code"]] = _upsert(
            Section,
            {"campaign": campaign, "code": section["code"]},
            {"order": order, "title": section["title"], "description": section["description"]},
            changes,
            f"phần {section['code']}",
        )

    measures = {}
    for order, measure in enumerate(spec["measures"], start=1):
        obj = _upsert(
            Measure,
            {"campaign": campaign, "code": measure["code"]},
            {
                "section": sections[measure["section"]],
                "order": order,
                "name": measure["name"],
                "unit_of_measure": measure["unit_of_measure"],
                "value_type": measure["value_type"],
                "aggregation": measure["aggregation"],
                "reporter_kinds": measure["reporter_kinds"],
                "description": measure["description"],
            },
            changes,
            f"chỉ số {measure['code']}",
        )
        reporters = {units[code].pk for code in measure["reporter_units"]}
        if set(obj.reporter_units.values_list("pk", flat=True)) != reporters:
            obj.reporter_units.set(reporters)
            changes.append(f"~ chỉ số {measure['code']} (đơn vị báo cáo)")
        measures[measure["code"]] = obj
    for measure in spec["measures"]:
        obj = measures[measure["code"]]
        whole = measures[measure["part_of"]] if measure["part_of"] else None
        if obj.part_of != whole:
            obj.part_of = whole
            obj.save(update_fields=["part_of"])

    names = {m["code"]: m["name"] for m in spec["measures"]}
    targets = {}
    for order, target in enumerate(spec["targets"], start=1):
        formula = Formula.parse(target["formula"], target=target["code"])
        obj = _upsert(
            Target,
            {"campaign": campaign, "code": target["code"]},
            {
                "section": sections[target["section"]],
                "order": order,
                "name": target["name"],
                "unit_of_measure": target["unit_of_measure"],
                "formula": formula.source,
                "formula_text": formula.in_words(names),
                "over_kinds": target["over_kinds"],
                "direction": target["direction"],
                "is_rate": target["is_rate"],
                "headline": target["headline"],
                "note": target["note"],
            },
            changes,
            f"chỉ tiêu {target['code']}",
        )
        targets[target["code"]] = obj
        _sync_goals(obj, target["goals"], units, groups, changes)
    for target in spec["targets"]:
        obj = targets[target["code"]]
        parent = targets[target["parent"]] if target["parent"] else None
        if obj.parent != parent:
            obj.parent = parent
            obj.save(update_fields=["parent"])

    for what, queryset in (
        ("chỉ tiêu", campaign.targets.exclude(code__in=target_codes)),
        ("chỉ số", gone_measures),
        ("phần", gone_sections),
    ):
        for obj in queryset:
            changes.append(f"- {what} {obj.code}")
        if what == "phần":
            Narrative.objects.filter(section__in=queryset).delete()
        queryset.delete()

    created = existing is None
    return campaign, created, changes


def _sync_goals(target, goals, units, groups, changes):
    wanted = set()
    for goal in goals:
        ref = goal["ref"]
        key = (
            goal["scope"],
            ref if goal["scope"] == GoalScope.KIND.value else "",
            groups[ref].pk if goal["scope"] == GoalScope.GROUP.value else None,
            units[ref].pk if goal["scope"] == GoalScope.UNIT.value else None,
            goal["value"].quantize(Decimal("0.0001")),
        )
        wanted.add(key)
    current = {
        (g.scope, g.unit_kind, g.group_id, g.unit_id, g.value.quantize(Decimal("0.0001"))): g
        for g in target.goals.all()
    }
    if set(current) == wanted:
        return
    target.goals.all().delete()
    for scope, kind, group_id, unit_id, value in sorted(wanted, key=str):
        Goal.objects.create(target=target, scope=scope, unit_kind=kind, group_id=group_id, unit_id=unit_id, value=value)
    changes.append(f"~ chỉ tiêu {target.code} (mức)")
