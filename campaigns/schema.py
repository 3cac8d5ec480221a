"""The campaign file's schema: what a file may say and how it reads.

`read_campaign_file` parses a YAML file and validates its structure; a malformed file gives the
file, the path inside it and what was expected. The result is a plain dict (the campaign spec)
that `checks.check_campaign` judges and `loader.campaign_load` applies.
"""

import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from .models import Aggregation, CampaignStatus, Direction, DirectiveKind, GoalScope, UnitGroupKind, UnitKind, ValueType

ALL_KINDS = [kind.value for kind in UnitKind]


class CampaignFileError(Exception):
    """A campaign file that cannot be read or loaded; `problems` lists each reason."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


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
        "directive_kind": r.get(c, "directive_kind", "campaign", "str", required=False, default=""),
        "directive_number": r.get(c, "directive_number", "campaign", "str"),
        "province": r.get(c, "province", "campaign", "str"),
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
                "predecessors": r.get(item, "predecessors", path, "strlist", required=False, default=[]),
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
        due = r.get(goals_spec, "due", f"{path}.goals", "decimal", required=False)
        due = int(due) if due is not None else None
        if "province" in goals_spec:
            value = r.get(goals_spec, "province", f"{path}.goals", "decimal")
            if value is not None:
                goals.append(
                    {
                        "scope": GoalScope.PROVINCE.value,
                        "ref": None,
                        "value": value,
                        "due": due,
                        "path": f"{path}.goals.province",
                    }
                )
        for scope, key in ((GoalScope.KIND, "kinds"), (GoalScope.GROUP, "groups"), (GoalScope.UNIT, "units")):
            entries = r.get(goals_spec, key, f"{path}.goals", "dict", required=False, default={}) or {}
            for ref, raw in entries.items():
                value = _convert(raw, "decimal")
                if value is _INVALID:
                    r.fail(f"{path}.goals.{key}.{ref}", _EXPECT["decimal"], raw)
                    continue
                goals.append(
                    {
                        "scope": scope.value,
                        "ref": str(ref),
                        "value": value,
                        "due": due,
                        "path": f"{path}.goals.{key}.{ref}",
                    }
                )
        unknown_keys = set(goals_spec) - {"province", "kinds", "groups", "units", "due"}
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

    if campaign["directive_kind"] == "":
        campaign["directive_kind"] = infer_directive_kind(campaign["directive_number"] or "")
    else:
        by_label = {str(kind.label).lower(): kind.value for kind in DirectiveKind} | {
            k.value: k.value for k in DirectiveKind
        }
        kind = by_label.get(campaign["directive_kind"].lower())
        if kind is None:
            r.fail(
                "campaign.directive_kind",
                "một trong " + ", ".join(str(k.label) for k in DirectiveKind),
                campaign["directive_kind"],
            )
        campaign["directive_kind"] = kind
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


_KIND_BY_SYMBOL = {
    "KH": DirectiveKind.KE_HOACH,
    "CT": DirectiveKind.CHI_THI,
    "QĐ": DirectiveKind.QUYET_DINH,
    "QD": DirectiveKind.QUYET_DINH,
    "NQ": DirectiveKind.NGHI_QUYET,
    "HD": DirectiveKind.HUONG_DAN,
    "TB": DirectiveKind.THONG_BAO,
}


def infer_directive_kind(number):
    """The kind a document's symbol names: `45/KH-UBND` → Kế hoạch; a symbol with no kind
    (`1908/UBND-KSTT`) is a Công văn."""
    symbol = number.split("/", 1)[-1].split("-", 1)[0].strip().upper()
    return _KIND_BY_SYMBOL.get(symbol, DirectiveKind.CONG_VAN).value
