"""Consistency checks of a campaign spec, judged from the file alone (plus the units other
campaigns already recorded, which a file may name as predecessors or successors).

Errors make a file unloadable; warnings (such as component goals that do not add up) are
reported and the file still loads. `participant_codes` decides who reports in a campaign: the
loader stores its answer, so `--check`, the load and every page agree."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from commendations.models import AwardCatalogue

from .formula import Formula, FormulaError
from .models import Aggregation, Direction, GoalScope, Unit
from .numbers import format_vn_number
from .schema import ALL_KINDS


@dataclass
class Findings:
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def loadable(self):
        return not self.errors


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
    # A file names its own units; only a unit's history (parent, successor, predecessors) may
    # point at units that other campaigns recorded.
    history_refs = {code for unit in spec["units"] for code in _history_refs(unit)}
    recorded = set(Unit.objects.filter(code__in=history_refs - set(file_units)).values_list("code", flat=True))
    known_units = set(file_units)
    groups = {group["code"]: group for group in spec["groups"]}
    known_groups = set(groups)
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
    if c.get("awards") and not _catalogue_loaded(c["awards"]):
        findings.errors.append(
            f"campaign.awards: danh mục khen thưởng '{c['awards']}' chưa được nạp; "
            "chạy manage.py load_awards <tệp danh mục> trước"
        )

    for unit in spec["units"]:
        for key in ("parent", "successor"):
            if unit[key] and unit[key] not in known_units | recorded:
                findings.errors.append(
                    f"{unit['path']}.{key}: đơn vị '{unit[key]}' không có trong tệp hay phong trào nào"
                )
        for index, code in enumerate(unit["predecessors"]):
            if code == unit["code"]:
                findings.errors.append(
                    f"{unit['path']}.predecessors[{index}]: đơn vị không thể là tiền thân của chính nó"
                )
            elif code not in known_units | recorded:
                findings.errors.append(
                    f"{unit['path']}.predecessors[{index}]: đơn vị '{code}' không có trong tệp hay phong trào nào"
                )
        if unit["valid_from"] and unit["valid_until"] and unit["valid_from"] > unit["valid_until"]:
            findings.errors.append(f"{unit['path']}: ngày bắt đầu tồn tại sau ngày kết thúc")

    participants = _participants(spec, file_units)
    for group in spec["groups"]:
        for code in group["units"]:
            if code not in known_units:
                findings.errors.append(f"{group['path']}.units: nhóm '{group['code']}' nêu đơn vị không có '{code}'")
            elif code not in participants:
                findings.warnings.append(
                    f"{group['path']}.units: đơn vị '{code}' của nhóm '{group['code']}' không tham gia phong trào"
                )

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


def _catalogue_loaded(code):
    return AwardCatalogue.objects.filter(code=code).exists()


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


def participant_codes(spec):
    """The codes of the units that report in the campaign, in the file's order: the file's
    explicit `participants` list, else every unit the file lists that existed during the
    campaign's dates. The one rule for `--check`, the load and (through what the load stores)
    every page, job and command."""
    return list(_participants(spec, {unit["code"]: unit for unit in spec["units"]}))


def _history_refs(unit):
    return [code for code in (unit["parent"], unit["successor"], *unit["predecessors"]) if code]


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
