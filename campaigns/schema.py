"""The campaign file's schema: what a file may say and how it reads.

One declared schema (the pydantic models below) says which keys each object of a file takes,
their types and defaults; unknown keys are refused. `read_campaign_file` parses a YAML file and
validates it against the schema; a malformed file gives, for every problem at once, the file,
the path inside it and what was expected, in Vietnamese. The result is a plain dict (the
campaign spec) that `checks.check_campaign` judges and `loader.campaign_load` applies.
`campaign_json_schema` and `schema_reference` export the same schema for editors and readers.
"""

import datetime
import difflib
import enum
import functools
import json
import re
import types
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Annotated, ClassVar, Literal, Union, get_args, get_origin

import yaml
from django.utils import translation
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, ValidationError, model_validator
from pydantic.json_schema import WithJsonSchema
from pydantic_core import PydanticCustomError

from .models import Aggregation, CampaignStatus, Direction, DirectiveKind, GoalScope, UnitGroupKind, UnitKind, ValueType

ALL_KINDS = [kind.value for kind in UnitKind]


class CampaignFileError(Exception):
    """A campaign file that cannot be read or loaded; `problems` lists each reason."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# --- value types ---------------------------------------------------------------------------
# Each raises its own error types (with a Vietnamese `expected` in the context) where pydantic's
# lax conversions would accept too much: a boolean as a number, a Unix timestamp as a date.


def _refuse(error_type, expected):
    return PydanticCustomError(error_type, "cần {expected}", {"expected": expected})


def _text(value):
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def _strip(value):
    return value.strip() if isinstance(value, str) else value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date(value):
    if isinstance(value, datetime.datetime):
        raise _refuse("date_type", "một ngày dạng YYYY-MM-DD")
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _refuse("date_parsing", "một ngày dạng YYYY-MM-DD")


def _whole_number(value):
    if isinstance(value, bool):
        raise _refuse("int_type", "một số nguyên")
    return value


def _goal_value(value):
    if isinstance(value, bool):
        raise _refuse("decimal_type", "một số")
    return value


# A text: numbers written bare (`code: 1`) read as their text, as YAML gives them.
Text = Annotated[str, BeforeValidator(_text)]
# A code inside a list must be written as text.
Code = Annotated[str, BeforeValidator(_strip)]
Date = Annotated[datetime.date, BeforeValidator(_date, json_schema_input_type=datetime.date)]
Number = Annotated[Decimal, BeforeValidator(_goal_value), WithJsonSchema({"type": "number"})]
Year = Annotated[int, BeforeValidator(_whole_number)]


@functools.cache
def _directive_labels():
    """Vietnamese label → code (the file is Vietnamese whatever the interface's language)."""
    with translation.override("vi"):
        return {str(kind.label): kind.value for kind in DirectiveKind}


def _directive_kind(value):
    written = unicodedata.normalize("NFC", value.strip()).lower() if isinstance(value, str) else None
    if written == "":
        return None
    by_name = {label.lower(): code for label, code in _directive_labels().items()} | {
        k.value: k.value for k in DirectiveKind
    }
    if written not in by_name:
        raise _refuse("directive_kind", "một trong " + ", ".join(_directive_labels()) + " (hoặc mã, như ke_hoach)")
    return by_name[written]


def _directive_kind_schema(schema):
    labels = _directive_labels()
    schema["enum"] = [*labels, *labels.values()]


# A directive kind by its Vietnamese name or its code; None when the file leaves it out.
DirectiveKindName = Annotated[DirectiveKind | None, BeforeValidator(_directive_kind, json_schema_input_type=str)]


def _all_reporters(value):
    if value == "all":
        return {"kinds": list(ALL_KINDS)}
    if not isinstance(value, dict):
        raise _refuse("reported_by_type", "'all' hoặc một bảng với kinds và/hoặc units")
    return value


def _all_kinds(value):
    if value == "all":
        return []
    if not isinstance(value, list):
        raise _refuse("over_type", "'all' hoặc một danh sách loại đơn vị (" + ", ".join(ALL_KINDS) + ")")
    return value


AllOrKinds = Annotated[
    list[UnitKind], BeforeValidator(_all_kinds, json_schema_input_type=Literal["all"] | list[UnitKind])
]


# --- the schema ------------------------------------------------------------------------------


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", field_title_generator=lambda name, info: name)

    # Keys whose written null is refused rather than read as absent.
    _null_is_a_value: ClassVar[frozenset] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _null_is_absent(cls, data):
        # `key:` with nothing after it reads as if the key were left out (then its default
        # applies, or it is missing); unknown keys stay, to be refused.
        if isinstance(data, dict):
            return {
                key: value
                for key, value in data.items()
                if not (value is None and key in cls.model_fields and key not in cls._null_is_a_value)
            }
        return data


class Signer(_Schema):
    name: Text = Field(description="Họ tên người ký văn bản.")
    title: Text = Field(description="Chức vụ người ký, ví dụ CHỦ TỊCH.")
    authority: Text = Field("", description="Thẩm quyền ký, ví dụ TM. ỦY BAN NHÂN DÂN.")


class Anniversary(_Schema):
    name: Text = Field(description="Tên ngày kỷ niệm, ví dụ 70 năm Chiến thắng Điện Biên Phủ.")
    years: Year = Field(0, description="Số năm kỷ niệm; đối chiếu với khoảng từ start đến end.")
    start: Date = Field(description="Ngày của sự kiện gốc.")
    end: Date = Field(description="Ngày kỷ niệm.")
    as_written: Text = Field("", description="Khoảng ngày đúng như văn bản ghi, để đối chiếu.")
    note: Text = Field("", description="Ghi chú.")


class Campaign(_Schema):
    code: Text = Field(description="Mã phong trào, duy nhất; dùng trong địa chỉ trang và khi nhập, xuất số liệu.")
    title: Text = Field(description="Tên phong trào (trích yếu văn bản).")
    directive_kind: DirectiveKindName = Field(
        None,
        description=(
            "Loại văn bản: tên (Kế hoạch, không phân biệt hoa thường) hoặc mã (ke_hoach). "
            "Bỏ trống thì suy ra từ số ký hiệu: 45/KH-UBND là Kế hoạch, 1908/UBND-KSTT là Công văn."
        ),
        json_schema_extra=_directive_kind_schema,
    )
    directive_number: Text = Field(description="Số, ký hiệu văn bản, ví dụ 1908/UBND-KSTT.")
    province: Text = Field(description="Tên tỉnh.")
    directive_date: Date = Field(description="Ngày ban hành văn bản.")
    issuer: Text = Field(description="Cơ quan ban hành, ví dụ ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN.")
    issuer_parent: Text = Field("", description="Cơ quan chủ quản của cơ quan ban hành, nếu có.")
    place: Text = Field(description="Địa danh ghi ở đầu văn bản.")
    signer: Signer = Field(description="Người ký văn bản.")
    implements: Text = Field("", description="Văn bản cấp trên mà văn bản này triển khai.")
    summary_symbol: Text = Field("BC-UBND", description="Ký hiệu của báo cáo tổng hợp.")
    recipients: list[Code] = Field(default_factory=list, description="Nơi nhận.")
    starts_on: Date | None = Field(None, description="Ngày bắt đầu của phong trào.")
    ends_on: Date | None = Field(None, description="Ngày kết thúc của phong trào.")
    unit_deadline: Date = Field(description="Hạn các đơn vị gửi báo cáo.")
    summary_deadline: Date = Field(description="Hạn báo cáo tổng hợp.")
    status: CampaignStatus = Field(CampaignStatus.ACTIVE, description="Trạng thái phong trào.")
    participants: list[Code] = Field(
        default_factory=list,
        description=(
            "Mã các đơn vị tham gia; bỏ trống thì là mọi đơn vị của tệp còn tồn tại trong thời gian phong trào."
        ),
    )
    anniversaries: list[Anniversary] = Field(default_factory=list, description="Các ngày kỷ niệm văn bản nêu.")
    awards: Text = Field(
        "",
        description=(
            "Mã danh mục khen thưởng phong trào dùng (nạp trước bằng manage.py load_awards), "
            "ví dụ dien-bien-nd98; bỏ trống là phong trào chưa có danh mục."
        ),
    )


class Unit(_Schema):
    code: Text = Field(description="Mã đơn vị, dùng chung giữa các phong trào.")
    name: Text = Field(description="Tên đơn vị.")
    kind: UnitKind = Field(description="Loại đơn vị.")
    parent: Text | None = Field(None, description="Mã đơn vị cấp trên.")
    valid_from: Date | None = Field(None, description="Ngày đơn vị bắt đầu hoạt động.")
    valid_until: Date | None = Field(None, description="Ngày cuối cùng đơn vị hoạt động.")
    successor: Text | None = Field(None, description="Mã đơn vị kế thừa khi đơn vị này chấm dứt.")
    head_title: Text = Field("", description="Chức danh người đứng đầu, ví dụ CHỦ TỊCH UBND HUYỆN.")
    document_symbol: Text = Field(
        "",
        description=(
            "Ký hiệu báo cáo của đơn vị, ví dụ BC-SGTVT. Bỏ trống thì: huyện, xã là BC-UBND; sở là BC- và chữ "
            "cái đầu các từ của tên (bỏ chữ “và”: Sở Giáo dục và Đào tạo là BC-SGDĐT); đơn vị khác là BC."
        ),
    )
    predecessors: list[Code] = Field(
        default_factory=list, description="Mã các đơn vị có địa bàn, chức năng nay thuộc đơn vị này."
    )


class Group(_Schema):
    code: Text = Field(description="Mã nhóm trong phong trào.")
    name: Text = Field(description="Tên nhóm.")
    kind: UnitGroupKind = Field(description="Loại nhóm: cụm, khối thi đua hay nhóm theo chính sách.")
    units: list[Code] = Field(description="Mã các đơn vị của nhóm.")
    note: Text = Field("", description="Ghi chú, ví dụ văn bản quy định nhóm.")


class Section(_Schema):
    code: Text = Field(description="Mã phần, ví dụ I.")
    title: Text = Field(description="Tên phần.")
    description: Text = Field("", description="Mô tả.")


class Reporters(_Schema):
    kinds: list[UnitKind] = Field(default_factory=list, description="Các loại đơn vị báo cáo chỉ số.")
    units: list[Code] = Field(default_factory=list, description="Mã các đơn vị báo cáo chỉ số (ngoài các loại trên).")

    @model_validator(mode="after")
    def _someone_reports(self):
        if not self.kinds and not self.units:
            raise PydanticCustomError(
                "reporters_missing", "cần ít nhất một loại đơn vị (kinds) hoặc một đơn vị (units)"
            )
        return self


AllOrReporters = Annotated[
    Reporters, BeforeValidator(_all_reporters, json_schema_input_type=Literal["all"] | Reporters)
]


class Measure(_Schema):
    code: Text = Field(description="Mã chỉ số, dùng trong công thức và khi nhập số liệu.")
    section: Text = Field(description="Mã phần chứa chỉ số.")
    name: Text = Field(description="Tên chỉ số.")
    unit: Text = Field("", description="Đơn vị tính, ví dụ hộ, cây, %.")
    type: ValueType = Field(ValueType.INTEGER, description="Kiểu giá trị.")
    aggregation: Aggregation = Field(
        Aggregation.SUM, description="Cách tổng hợp: cộng dồn hay một đơn vị báo cáo (single)."
    )
    reported_by: AllOrReporters = Field(
        description="Ai báo cáo: all (mọi đơn vị) hoặc một bảng với kinds và/hoặc units."
    )
    part_of: Text | None = Field(None, description="Mã chỉ số mà chỉ số này là một phần.")
    description: Text = Field("", description="Mô tả, cách tính.")


class Goals(_Schema):
    # `province:` written without a number is a mistake, not "no goal".
    _null_is_a_value: ClassVar[frozenset] = frozenset({"province"})

    province: Number = Field(None, description="Mức toàn tỉnh.")
    kinds: dict[Text, Number] = Field(default_factory=dict, description="Mức theo loại đơn vị: loại → mức.")
    groups: dict[Text, Number] = Field(default_factory=dict, description="Mức theo nhóm: mã nhóm → mức.")
    units: dict[Text, Number] = Field(default_factory=dict, description="Mức theo đơn vị: mã đơn vị → mức.")
    due: Year | None = Field(None, description="Năm phải đạt các mức; bỏ trống là năm của phong trào.")


class Target(_Schema):
    code: Text = Field(description="Mã chỉ tiêu.")
    section: Text = Field(description="Mã phần chứa chỉ tiêu.")
    name: Text = Field(description="Tên chỉ tiêu.")
    unit: Text = Field("", description="Đơn vị tính.")
    formula: Text = Field(description="Công thức theo mã chỉ số, ví dụ records_online / records_total * 100.")
    over: AllOrKinds = Field("all", validate_default=True, description="Tính trên: all hoặc danh sách loại đơn vị.")
    direction: Direction = Field(
        Direction.AT_LEAST, description="Chiều của mức: at_least (tối thiểu) hay at_most (tối đa)."
    )
    parent: Text | None = Field(None, description="Mã chỉ tiêu cha mà chỉ tiêu này là thành phần.")
    rate: StrictBool = Field(False, description="Chỉ tiêu là tỷ lệ (%).")
    headline: StrictBool = Field(False, description="Hiển thị trên trang lãnh đạo.")
    note: Text = Field("", description="Ghi chú.")
    goals: Goals | None = Field(None, description="Các mức phải đạt; bỏ trống là chỉ tiêu không có mức.")


class CampaignFile(_Schema):
    model_config = ConfigDict(title="Tệp phong trào thi đua")

    campaign: Campaign = Field(description="Văn bản phát động: số, ngày, người ký, các hạn báo cáo.")
    units: list[Unit] = Field(description="Các đơn vị phong trào nêu.")
    groups: list[Group] = Field(default_factory=list, description="Cụm, khối thi đua và nhóm đơn vị.")
    sections: list[Section] = Field(description="Các phần của văn bản.")
    measures: list[Measure] = Field(description="Các chỉ số đơn vị báo cáo.")
    targets: list[Target] = Field(description="Các chỉ tiêu, tính từ chỉ số theo công thức.")


# --- reading -------------------------------------------------------------------------------


class _YamlLoader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text: the schema reads them, so `2024-13-01` is a
    problem with its path rather than a crash inside the YAML parser."""


_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml_file(path):
    """The file's name and its parsed YAML (dates left as text), or CampaignFileError naming
    the file (and the line, for a YAML error). Campaign and award catalogue files read alike."""
    path = Path(path)
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CampaignFileError([f"{name}: không tìm thấy tệp"]) from None
    except UnicodeDecodeError:
        raise CampaignFileError([f"{name}: tệp không phải văn bản UTF-8"]) from None
    try:
        return name, yaml.load(text, Loader=_YamlLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (dòng {mark.line + 1}, cột {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CampaignFileError([f"{name}{where}: YAML không hợp lệ: {problem}"]) from None


def read_campaign_file(path):
    """Parse and validate a campaign file's structure. Returns a plain dict (the campaign
    spec) or raises CampaignFileError listing every structural problem."""
    name, data = read_yaml_file(path)
    return parse_campaign_spec(data, name)


def parse_campaign_spec(data, name="<campaign>"):
    """Validate parsed YAML against the schema and return the campaign spec (a plain dict of
    the campaign, units, groups, sections, measures and targets, each item with its `path` in
    the file), or raise CampaignFileError listing every problem."""
    if not isinstance(data, dict):
        expected = "một bảng khóa: giá trị với các mục campaign, units, sections, measures, targets"
        raise CampaignFileError([f"{name}: (gốc): cần {expected}, nhưng có {_describe(data)}"])
    try:
        parsed = CampaignFile.model_validate(data)
    except ValidationError as exc:
        raise CampaignFileError(f"{name}: {problem}" for problem in _problems(exc)) from None
    return _spec(parsed, name)


def _spec(file, name):
    c = file.campaign
    campaign = {
        "code": c.code,
        "title": c.title,
        "directive_kind": c.directive_kind.value if c.directive_kind else infer_directive_kind(c.directive_number),
        "directive_number": c.directive_number,
        "province": c.province,
        "directive_date": c.directive_date,
        "issuer": c.issuer,
        "issuer_parent": c.issuer_parent,
        "place": c.place,
        "signer_name": c.signer.name,
        "signer_title": c.signer.title,
        "signer_authority": c.signer.authority,
        "implements": c.implements,
        "summary_symbol": c.summary_symbol,
        "recipients": list(c.recipients),
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "unit_deadline": c.unit_deadline,
        "summary_deadline": c.summary_deadline,
        "status": c.status.value,
        "participants": list(c.participants),
        "awards": c.awards,
        "anniversaries": [
            {
                "name": a.name,
                "years": a.years,
                "start": a.start.isoformat(),
                "end": a.end.isoformat(),
                "as_written": a.as_written,
                "note": a.note,
                "path": f"campaign.anniversaries[{index}]",
            }
            for index, a in enumerate(c.anniversaries)
        ],
    }
    units = [
        {
            "path": f"units[{index}]",
            "code": u.code,
            "name": u.name,
            "kind": u.kind.value,
            "parent": u.parent,
            "valid_from": u.valid_from,
            "valid_until": u.valid_until,
            "successor": u.successor,
            "head_title": u.head_title,
            "document_symbol": u.document_symbol,
            "predecessors": list(u.predecessors),
        }
        for index, u in enumerate(file.units)
    ]
    groups = [
        {
            "path": f"groups[{index}]",
            "code": g.code,
            "name": g.name,
            "kind": g.kind.value,
            "units": list(g.units),
            "note": g.note,
        }
        for index, g in enumerate(file.groups)
    ]
    sections = [
        {"path": f"sections[{index}]", "code": s.code, "title": s.title, "description": s.description}
        for index, s in enumerate(file.sections)
    ]
    measures = [
        {
            "path": f"measures[{index}]",
            "code": m.code,
            "section": m.section,
            "name": m.name,
            "unit_of_measure": m.unit,
            "value_type": m.type.value,
            "aggregation": m.aggregation.value,
            "reporter_kinds": [kind.value for kind in m.reported_by.kinds],
            "reporter_units": list(m.reported_by.units),
            "part_of": m.part_of,
            "description": m.description,
        }
        for index, m in enumerate(file.measures)
    ]
    targets = [
        {
            "path": f"targets[{index}]",
            "code": t.code,
            "section": t.section,
            "name": t.name,
            "unit_of_measure": t.unit,
            "formula": t.formula,
            "over_kinds": [kind.value for kind in t.over],
            "direction": t.direction.value,
            "parent": t.parent,
            "is_rate": t.rate,
            "headline": t.headline,
            "note": t.note,
            "goals": _goals(t.goals, f"targets[{index}]"),
        }
        for index, t in enumerate(file.targets)
    ]
    return {
        "name": name,
        "campaign": campaign,
        "units": units,
        "groups": groups,
        "sections": sections,
        "measures": measures,
        "targets": targets,
    }


def _goals(goals, path):
    if goals is None:
        return []
    result = []
    if goals.province is not None:
        result.append(
            {
                "scope": GoalScope.PROVINCE.value,
                "ref": None,
                "value": goals.province,
                "due": goals.due,
                "path": f"{path}.goals.province",
            }
        )
    for scope, key in ((GoalScope.KIND, "kinds"), (GoalScope.GROUP, "groups"), (GoalScope.UNIT, "units")):
        for ref, value in getattr(goals, key).items():
            result.append(
                {
                    "scope": scope.value,
                    "ref": ref,
                    "value": value,
                    "due": goals.due,
                    "path": f"{path}.goals.{key}.{ref}",
                }
            )
    return result


# --- problems, in Vietnamese ---------------------------------------------------------------

_EXPECTED = {
    "string_type": "một chuỗi ký tự",
    "date_type": "một ngày dạng YYYY-MM-DD",
    "date_parsing": "một ngày dạng YYYY-MM-DD",
    "date_from_datetime_parsing": "một ngày dạng YYYY-MM-DD",
    "date_from_datetime_inexact": "một ngày dạng YYYY-MM-DD",
    "decimal_type": "một số",
    "decimal_parsing": "một số",
    "finite_number": "một số hữu hạn",
    "int_type": "một số nguyên",
    "int_parsing": "một số nguyên",
    "int_from_float": "một số nguyên",
    "bool_type": "true hoặc false",
    "bool_parsing": "true hoặc false",
    "list_type": "một danh sách",
    "dict_type": "một bảng khóa: giá trị",
    "model_type": "một bảng khóa: giá trị",
    "model_attributes_type": "một bảng khóa: giá trị",
}
# Bounds a schema sets with Field(gt=…, le=…), read with their limit.
_BOUNDS = {
    "greater_than": "một số lớn hơn {gt}",
    "greater_than_equal": "một số từ {ge} trở lên",
    "less_than": "một số nhỏ hơn {lt}",
    "less_than_equal": "một số không quá {le}",
    "too_short": "ít nhất {min_length} mục",
    "decimal_max_places": "một số có tối đa {decimal_places} chữ số thập phân",
}
# Error types this module raises itself, with the Vietnamese `expected` in their context.
_OWN = {"date_type", "date_parsing", "int_type", "decimal_type", "directive_kind", "reported_by_type", "over_type"}


def _problems(exc, root=None):
    """One Vietnamese line `<path>: <message>` per pydantic error; paths are read from `root`
    (the file's top-level schema; the campaign file's unless told)."""
    problems = []
    for error in exc.errors(include_url=False):
        path, model, at = _locate(error["loc"], root or CampaignFile)
        kind, value = error["type"], error.get("input")
        if kind == "missing":
            message = "thiếu trường bắt buộc"
        elif kind == "extra_forbidden":
            message = _unknown_key(error["loc"][-1], model)
        elif kind == "invalid_key":
            message = _unknown_key(error["loc"][-1], model) + f" (khóa phải là chữ, nhưng có {_describe(value)})"
        elif kind == "reporters_missing":
            message = "cần ít nhất một loại đơn vị (kinds) hoặc một đơn vị (units)"
        else:
            if kind in _OWN and "expected" in error.get("ctx", {}):
                expected = error["ctx"]["expected"]
            elif kind in ("enum", "literal_error"):
                expected = "một trong " + ", ".join(_choices(at))
            elif kind in _BOUNDS:
                expected = _BOUNDS[kind].format(**error.get("ctx", {}))
            else:
                expected = _EXPECTED.get(kind, "một giá trị hợp lệ")
            message = f"cần {expected}, nhưng có {_describe(value)}"
        problems.append(f"{path}: {message}")
    return problems


def _unknown_key(key, model):
    keys = list(model.model_fields) if model else []
    close = difflib.get_close_matches(str(key), keys, n=1)
    if close:
        return f"không có khóa này — có phải '{close[0]}'?"
    return "không có khóa này; các khóa hợp lệ: " + ", ".join(keys)


def _unwrap(annotation):
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            others = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(others) != 1:
                return annotation
            annotation = others[0]
        else:
            return annotation


def _is_model(annotation):
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _locate(loc, root):
    """The file path of a pydantic error location (`targets[7].goals.units.x-b`) in a file
    whose top-level schema is `root`, the model that holds its last key and the type found there."""
    path, model, at = "", None, root
    for part in loc:
        at = _unwrap(at)
        if _is_model(at):
            model = at
            path += f".{part}" if path else str(part)
            field = at.model_fields.get(part)
            at = field.annotation if field else None
        elif get_origin(at) is list:
            path += f"[{part}]"
            at = get_args(at)[0]
        elif get_origin(at) is dict:
            if part == "[key]":
                at = get_args(at)[0]
            else:
                path += f".{part}"
                at = get_args(at)[1]
        else:
            path += f".{part}" if path else str(part)
            at = None
    return path or "(gốc)", model, _unwrap(at)


def _choices(annotation):
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [member.value for member in annotation]
    if get_origin(annotation) is Literal:
        return [str(arg) for arg in get_args(annotation)]
    return []


def _describe(value):
    if value is None:
        return "giá trị rỗng"
    if isinstance(value, datetime.date):
        kind = "ngày giờ" if isinstance(value, datetime.datetime) else "ngày"
        return f"{kind} {value.isoformat()}"
    kind = {
        dict: "một bảng",
        list: "một danh sách",
        bool: "giá trị đúng/sai",
        int: "một số",
        float: "một số",
        str: "chuỗi",
    }.get(type(value), type(value).__name__)
    return f"{kind} {repr(value)[:60]}"


# --- the schema for editors and readers ----------------------------------------------------


def campaign_json_schema():
    """The campaign file's JSON Schema (descriptions in Vietnamese)."""
    return CampaignFile.model_json_schema()


def schema_reference(schema=None):
    """A Markdown reference of a file's keys (the campaign file's unless given another JSON
    Schema), one table per object, generated from the JSON Schema (README.md carries the
    campaign file's copy, which a test keeps equal)."""
    schema = schema or campaign_json_schema()
    defs = schema.get("$defs", {})
    blocks = []

    def table(title, node):
        rows, children = [], []
        required = set(node.get("required", []))
        for key, prop in node.get("properties", {}).items():
            type_text, child = _md_type(prop, defs, key if title == "(top level)" else f"{title}.{key}")
            if child:
                children.append(child)
            if key in required:
                needed = "yes"
            else:
                default = prop.get("default")
                needed = "no" if default in (None, "", [], {}) else f"no (default `{_md_value(default)}`)"
            meaning = prop.get("description", "").replace("|", "\\|")
            rows.append(f"| `{key}` | {type_text} | {needed} | {meaning} |")
        heading = "Top level" if title == "(top level)" else f"`{title}`"
        blocks.append(
            "\n".join([f"#### {heading}", "", "| Key | Type | Required | Meaning |", "|---|---|---|---|", *rows])
        )
        for child_title, child_node in children:
            table(child_title, child_node)

    table("(top level)", schema)
    return "\n\n".join(blocks) + "\n"


def _md_value(value):
    return json.dumps(value) if isinstance(value, bool) else value


def _md_type(node, defs, path):
    """(type text, (path, object schema) to describe in its own table, or None)."""
    if "$ref" in node:
        target = defs[node["$ref"].rsplit("/", 1)[-1]]
        if "enum" in target:
            return "one of " + ", ".join(f"`{value}`" for value in target["enum"]), None
        return f"object (`{path}`)", (path, target)
    if "anyOf" in node:
        options = [option for option in node["anyOf"] if option.get("type") != "null"]
        texts, child = [], None
        for option in options:
            text, found = _md_type(option, defs, path)
            texts.append(text)
            child = child or found
        return " or ".join(texts), child
    if "const" in node:
        return f"`{node['const']}`", None
    if "enum" in node:
        return "one of " + ", ".join(f"`{value}`" for value in node["enum"]), None
    kind = node.get("type")
    if kind == "array":
        text, child = _md_type(node.get("items", {}), defs, f"{path}[]")
        if text.startswith("object"):
            return f"list of objects{text[len('object') :]}", child
        if text.startswith("one of"):
            return f"list, each {text}", child
        return f"list of {text}s", child
    if kind == "object":
        text, child = _md_type(node.get("additionalProperties", {}), defs, path)
        return f"mapping of code to {text}", child
    if kind == "string" and node.get("format") == "date":
        return "date (YYYY-MM-DD)", None
    return kind or "any", None


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
