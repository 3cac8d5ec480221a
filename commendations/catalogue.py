"""The award catalogue file: which award forms and emulation titles a province gives, read
and loaded like a campaign file.

One declared schema (the pydantic models below) says what a catalogue file may hold;
`read_catalogue_file` parses and validates it, naming, for every problem at once, the file and
the path inside it, in Vietnamese (the readers and messages of `campaigns.schema`). Checks that
types cannot state (unique codes, a quota per group needs its group kinds, citations of
documents the file lists) follow. `catalogue_load` writes the catalogue and its forms in one
transaction; a catalogue whose forms proposals already use is never changed in place, so one
year's decision keeps the forms it was made with. `proposals_match_forms` gives a campaign's
old free-text proposals the form their text names.
"""

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from django.db import transaction
from django.db.models import Count
from pydantic import BeforeValidator, Field, StrictBool, ValidationError
from pydantic.json_schema import WithJsonSchema

from campaigns.models import UnitGroupKind
from campaigns.schema import (
    CampaignFileError,
    Code,
    Date,
    Text,
    _describe,
    _goal_value,
    _problems,
    _Schema,
    _whole_number,
    read_yaml_file,
    schema_reference,
)
from reports.models import Commendation

from .models import AwardCatalogue, AwardCategory, AwardForm, AwardLevel, DossierKind, Recipient

CATALOGUE_FILES = Path(__file__).resolve().parent / "catalogue_files"
SHIPPED_CATALOGUE = CATALOGUE_FILES / "dien-bien-nd98.yaml"


Whole = Annotated[int, BeforeValidator(_whole_number)]
Percent = Annotated[
    Decimal, BeforeValidator(_goal_value), Field(gt=0, le=100, decimal_places=2), WithJsonSchema({"type": "number"})
]


# --- the schema ------------------------------------------------------------------------------


class Document(_Schema):
    code: Text = Field(description="Mã văn bản trong tệp, để các căn cứ dẫn tới, ví dụ luat-06-2022.")
    kind: Text = Field(description="Loại văn bản: Luật, Nghị định, Thông tư…")
    number: Text = Field(description="Số, ký hiệu, ví dụ 06/2022/QH15.")
    name: Text = Field(description="Tên (trích yếu) văn bản.")
    issuer: Text = Field(description="Cơ quan ban hành.")
    date: Date = Field(description="Ngày ban hành.")
    effective: Date | None = Field(None, description="Ngày có hiệu lực, nếu đã kiểm chứng.")
    until: Date | None = Field(None, description="Ngày cuối cùng còn hiệu lực, nếu đã bị thay thế.")
    sources: list[Code] = Field(default_factory=list, description="Nơi đã đọc văn bản (địa chỉ).")
    unverified: list[Text] = Field(default_factory=list, description="Điều chưa kiểm chứng được về văn bản.")


class Citation(_Schema):
    document: Text = Field(description="Mã văn bản trong catalogue.legal_basis.")
    article: Whole = Field(description="Điều.")
    clause: Whole | None = Field(None, description="Khoản, nếu dẫn tới khoản.")
    point: Text = Field("", description="Điểm, nếu dẫn tới điểm.")
    about: Text = Field(description="Điều khoản này quy định gì (bằng lời).")
    verified: StrictBool = Field(
        False, description="true khi đã đọc được chính văn điều khoản (kể cả qua bản trích dẫn nguyên văn)."
    )
    source: Text = Field("", description="Nơi đã đọc (địa chỉ), hoặc vì sao chưa kiểm chứng.")


class Council(_Schema):
    name: Text = Field(description="Tên Hội đồng.")
    members: list[Text] = Field(default_factory=list, description="Thành phần Hội đồng (chức danh).")
    voting: Text = Field(description="Cách Hội đồng bỏ phiếu và tỷ lệ phải đạt.")
    basis: list[Citation] = Field(default_factory=list, description="Căn cứ của cách bỏ phiếu.")
    unverified: list[Text] = Field(default_factory=list, description="Điều chưa kiểm chứng được về Hội đồng.")


class Catalogue(_Schema):
    code: Text = Field(description="Mã danh mục, duy nhất; tệp phong trào dẫn tới nó bằng campaign.awards.")
    title: Text = Field(description="Tên danh mục.")
    province: Text = Field(description="Tỉnh.")
    legal_basis: list[Document] = Field(description="Các văn bản làm căn cứ.")
    council: Council = Field(description="Hội đồng Thi đua – Khen thưởng xét các đề nghị.")
    notes: list[Text] = Field(default_factory=list, description="Ghi chú: phạm vi, điều chưa kiểm chứng, nguồn đã đọc.")


class DossierItem(_Schema):
    code: DossierKind = Field(description="Loại hồ sơ.")
    name: Text = Field(description="Tên hồ sơ như đơn vị thấy.")
    required: StrictBool = Field(True, description="Bắt buộc phải có.")


class Quota(_Schema):
    per: Literal["group", "campaign"] = Field(description="Tính trên mỗi nhóm (cụm, khối) hay cả phong trào.")
    group_kinds: list[UnitGroupKind] = Field(default_factory=list, description="Loại nhóm tính số lượng (per: group).")
    max: Whole = Field(gt=0, description="Số lượng tối đa.")
    basis: Text = Field(description="Căn cứ của số lượng.")


class Form(_Schema):
    code: Text = Field(description="Mã hình thức, duy nhất trong danh mục.")
    name: Text = Field(description="Tên đầy đủ, như ghi trong quyết định.")
    category: AwardCategory = Field(description="Danh hiệu thi đua (title) hay hình thức khen thưởng (award).")
    level: AwardLevel = Field(description="Cấp.")
    recipients: list[Recipient] = Field(min_length=1, description="Đối tượng: collective, individual, household.")
    issuer: Text = Field(description="Người quyết định tặng.")
    legal_basis: list[Citation] = Field(min_length=1, description="Căn cứ: điều, khoản của Luật và Nghị định.")
    criteria: list[Text] = Field(min_length=1, description="Tiêu chuẩn, bằng lời.")
    dossier: list[DossierItem] = Field(description="Hồ sơ đề nghị.")
    quota: Quota | None = Field(None, description="Số lượng tối đa, nơi quy định có nêu.")
    council_threshold: Percent | None = Field(
        None, description="Tỷ lệ phiếu đồng ý (%) trên tổng số thành viên Hội đồng; bỏ trống là không bỏ phiếu."
    )
    certificate: StrictBool = Field(False, description="In bằng (Bằng khen, Giấy khen) cho từng tên.")
    certificate_title: Text = Field("", description="Tiêu đề in trên bằng, ví dụ BẰNG KHEN.")
    from_results: StrictBool = Field(False, description="Ứng viên lấy từ kết quả, xếp hạng của phong trào.")
    notes: list[Text] = Field(default_factory=list, description="Ghi chú.")
    unverified: list[Text] = Field(default_factory=list, description="Điều chưa kiểm chứng được về hình thức này.")


class CatalogueFile(_Schema):
    model_config = {"title": "Tệp danh mục khen thưởng"}

    catalogue: Catalogue = Field(description="Danh mục: mã, tên, căn cứ pháp lý, Hội đồng, ghi chú.")
    forms: list[Form] = Field(min_length=1, description="Các hình thức khen thưởng, danh hiệu thi đua.")


# --- reading ---------------------------------------------------------------------------------


def read_catalogue_file(path):
    """Parse, validate and check a catalogue file. Returns the catalogue spec (a plain dict)
    or raises CampaignFileError listing every problem, each naming the file and the path."""
    name, data = read_yaml_file(path)
    return parse_catalogue_spec(data, name)


def parse_catalogue_spec(data, name="<catalogue>"):
    """Validate parsed YAML against the schema, then check it; returns the catalogue spec (the
    catalogue and its forms, each form with its `path` and `order`) or raises CampaignFileError
    listing every problem, each prefixed with `name`."""
    if not isinstance(data, dict):
        expected = "một bảng khóa: giá trị với các mục catalogue, forms"
        raise CampaignFileError([f"{name}: (gốc): cần {expected}, nhưng có {_describe(data)}"])
    try:
        parsed = CatalogueFile.model_validate(data)
    except ValidationError as exc:
        raise CampaignFileError(f"{name}: {problem}" for problem in _problems(exc, CatalogueFile)) from None
    spec = _spec(parsed, name)
    problems = check_catalogue(spec)
    if problems:
        raise CampaignFileError(f"{name}: {problem}" for problem in problems)
    return spec


def _json(value):
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def _spec(file, name):
    c = file.catalogue
    forms = []
    for index, form in enumerate(file.forms):
        forms.append(
            {
                "path": f"forms[{index}]",
                "code": form.code,
                "name": form.name,
                "category": form.category.value,
                "level": form.level.value,
                "recipients": [kind.value for kind in form.recipients],
                "issuer": form.issuer,
                "legal_basis": _json([citation.model_dump() for citation in form.legal_basis]),
                "criteria": list(form.criteria),
                "dossier": [
                    {"code": item.code.value, "name": item.name, "required": item.required} for item in form.dossier
                ],
                "quota": (
                    {
                        "per": form.quota.per,
                        "group_kinds": [kind.value for kind in form.quota.group_kinds],
                        "max": form.quota.max,
                        "basis": form.quota.basis,
                    }
                    if form.quota
                    else {}
                ),
                "council_threshold": form.council_threshold,
                "certificate": form.certificate,
                "certificate_title": form.certificate_title,
                "from_results": form.from_results,
                "notes": list(form.notes) + [f"Chưa kiểm chứng: {text}" for text in form.unverified],
                "order": index + 1,
            }
        )
    return {
        "name": name,
        "catalogue": {
            "code": c.code,
            "title": c.title,
            "province": c.province,
            "legal_basis": _json([document.model_dump() for document in c.legal_basis]),
            "council": _json(c.council.model_dump()),
            "notes": list(c.notes),
        },
        "forms": forms,
    }


def check_catalogue(spec):
    """What a catalogue's types cannot say: unique codes, citations of listed documents, a
    quota per group with its group kinds, a certificate with its title. Returns problems."""
    problems = []
    documents = {document["code"] for document in spec["catalogue"]["legal_basis"]}
    seen = {}
    for index, document in enumerate(spec["catalogue"]["legal_basis"]):
        if document["code"] in seen:
            first = seen[document["code"]]
            problems.append(f"catalogue.legal_basis[{index}].code: mã văn bản '{document['code']}' trùng với {first}")
        seen.setdefault(document["code"], f"catalogue.legal_basis[{index}]")
    for index, citation in enumerate(spec["catalogue"]["council"]["basis"]):
        if citation["document"] not in documents:
            problems.append(_unknown_document(f"catalogue.council.basis[{index}]", citation["document"]))
    seen = {}
    for form in spec["forms"]:
        path = form["path"]
        if form["code"] in seen:
            problems.append(f"{path}.code: mã hình thức '{form['code']}' trùng với {seen[form['code']]}")
        seen.setdefault(form["code"], path)
        if len(set(form["recipients"])) != len(form["recipients"]):
            problems.append(f"{path}.recipients: một đối tượng được nêu hai lần")
        codes = {}
        for number, item in enumerate(form["dossier"]):
            if item["code"] in codes:
                first = f"{path}.dossier[{codes[item['code']]}]"
                problems.append(f"{path}.dossier[{number}].code: loại hồ sơ '{item['code']}' trùng với {first}")
            codes.setdefault(item["code"], number)
        for number, citation in enumerate(form["legal_basis"]):
            if citation["document"] not in documents:
                problems.append(_unknown_document(f"{path}.legal_basis[{number}]", citation["document"]))
        quota = form["quota"]
        if quota and quota["per"] == "group" and not quota["group_kinds"]:
            problems.append(f"{path}.quota.group_kinds: số lượng tính theo nhóm (per: group) cần nêu loại nhóm")
        if quota and quota["per"] == "campaign" and quota["group_kinds"]:
            problems.append(f"{path}.quota.group_kinds: số lượng tính trên cả phong trào không nêu loại nhóm")
        if form["certificate"] and not form["certificate_title"]:
            problems.append(f"{path}.certificate_title: hình thức in bằng cần tiêu đề in trên bằng")
        if form["from_results"] and Recipient.COLLECTIVE.value not in form["recipients"]:
            problems.append(f"{path}.from_results: chỉ hình thức cho tập thể mới lấy ứng viên từ kết quả phong trào")
    return problems


def _unknown_document(path, code):
    return f"{path}.document: văn bản '{code}' không có trong catalogue.legal_basis"


def catalogue_json_schema():
    """The catalogue file's JSON Schema (descriptions in Vietnamese)."""
    return CatalogueFile.model_json_schema()


def catalogue_schema_reference():
    """A Markdown reference of the catalogue file's keys, one table per object."""
    return schema_reference(catalogue_json_schema())


# --- loading ---------------------------------------------------------------------------------

_FORM_FIELDS = (
    "name",
    "category",
    "level",
    "recipients",
    "issuer",
    "legal_basis",
    "criteria",
    "dossier",
    "quota",
    "council_threshold",
    "certificate",
    "certificate_title",
    "from_results",
    "order",
)
# What a decision made with the catalogue rests on: fixed once proposals use its forms.
_FIXED_CATALOGUE_FIELDS = ("title", "province", "legal_basis", "council")


@dataclass
class CatalogueLoad:
    catalogue: AwardCatalogue
    created: bool
    changes: list = field(default_factory=list)


def spec_digest(spec):
    """A digest of what the file says (not how it is written): the same content, the same digest."""
    content = {"catalogue": spec["catalogue"], "forms": spec["forms"]}
    text = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def catalogue_load(*, path=None, spec=None):
    """Load (or update) an award catalogue from its file, in one transaction. Loading the same
    content again changes nothing. A form that proposals use may not change or disappear, nor
    may the catalogue's legal basis or council once any proposal uses it: such a file is
    refused whole (a new catalogue code is the way to a new year's rules). Raises
    CampaignFileError with every reason."""
    if spec is None:
        spec = read_catalogue_file(path)
    digest = spec_digest(spec)
    c = spec["catalogue"]
    with transaction.atomic():
        catalogue = AwardCatalogue.objects.select_for_update().filter(code=c["code"]).first()
        if catalogue is not None and catalogue.digest == digest:
            return CatalogueLoad(catalogue=catalogue, created=False)
        created = catalogue is None
        if created:
            catalogue = AwardCatalogue(code=c["code"])
        else:
            _refuse_changes_in_use(catalogue, spec)
        changes = [f"+ danh mục {c['code']}"] if created else []
        dirty = [
            key for key in ("title", "province", "legal_basis", "council", "notes") if getattr(catalogue, key) != c[key]
        ]
        for key in ("title", "province", "legal_basis", "council", "notes"):
            setattr(catalogue, key, c[key])
        catalogue.source_file = Path(path).name if path else spec["name"]
        catalogue.digest = digest
        catalogue.save()
        if dirty and not created:
            changes.append(f"~ danh mục {c['code']} ({', '.join(dirty)})")
        wanted = {form["code"] for form in spec["forms"]}
        for form in spec["forms"]:
            values = {key: form[key] for key in (*_FORM_FIELDS, "notes")}
            obj = catalogue.forms.filter(code=form["code"]).first()
            if obj is None:
                AwardForm.objects.create(catalogue=catalogue, code=form["code"], **values)
                changes.append(f"+ hình thức {form['code']}")
                continue
            dirty = [key for key, value in values.items() if _stored(getattr(obj, key)) != _stored(value)]
            if dirty:
                for key in dirty:
                    setattr(obj, key, values[key])
                obj.save(update_fields=dirty)
                changes.append(f"~ hình thức {form['code']} ({', '.join(dirty)})")
        for obj in catalogue.forms.exclude(code__in=wanted):
            obj.delete()
            changes.append(f"- hình thức {obj.code}")
    return CatalogueLoad(catalogue=catalogue, created=created, changes=changes)


def _stored(value):
    """A value as the database gives it back, to compare a file's value with a stored one."""
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01"))
    return value


def _refuse_changes_in_use(catalogue, spec):
    forms = {form["code"]: form for form in spec["forms"]}
    used = {
        row["award_form__code"]: row["count"]
        for row in Commendation.objects.filter(award_form__catalogue=catalogue)
        .values("award_form__code")
        .annotate(count=Count("pk"))
    }
    if not used:
        return
    name = spec["name"]
    problems = []
    for obj in catalogue.forms.filter(code__in=used):
        form = forms.get(obj.code)
        if form is None:
            problems.append(
                f"{name}: hình thức '{obj.code}' không còn trong tệp nhưng đã có {used[obj.code]} đề nghị khen "
                f"thưởng dùng nó"
            )
            continue
        changed = [key for key in _FORM_FIELDS if _stored(getattr(obj, key)) != _stored(form[key])]
        if changed:
            problems.append(
                f"{name}: {form['path']} ('{obj.code}'): đã có {used[obj.code]} đề nghị khen thưởng dùng hình thức "
                f"này; không sửa {', '.join(changed)} tại chỗ"
            )
    c = spec["catalogue"]
    changed = [key for key in _FIXED_CATALOGUE_FIELDS if getattr(catalogue, key) != c[key]]
    if changed:
        problems.append(f"{name}: catalogue: danh mục đã được đề nghị khen thưởng dùng; không sửa {', '.join(changed)}")
    if problems:
        problems.append(
            f"{name}: danh mục '{catalogue.code}' đang được dùng nên không thay đổi tại chỗ (để quyết định đã "
            "làm theo nó không đổi); quy định mới thì nạp thành danh mục với mã mới và cho phong trào mới dùng"
        )
        raise CampaignFileError(problems)


# --- matching old free-text proposals --------------------------------------------------------

_ABBREVIATIONS = (
    (re.compile(r"\bubnd\b"), "ủy ban nhân dân"),
    (re.compile(r"\bhđnd\b"), "hội đồng nhân dân"),
    (re.compile(r"\bct\b"), "chủ tịch"),
)


def award_key(text):
    """A form's name as compared: case, spaces, punctuation and the usual abbreviations aside
    ("Bằng khen của Chủ tịch UBND tỉnh" is "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh")."""
    text = unicodedata.normalize("NFC", text or "").lower()
    # The old and the new placement of the tone mark on "uỷ/ủy" are the same word.
    text = text.replace("uỷ", "ủy")
    for pattern, words in _ABBREVIATIONS:
        text = pattern.sub(words, text)
    return "".join(character for character in text if character.isalnum())


def proposals_using(*, campaign, catalogue):
    """How many of the campaign's proposals use a form of `catalogue` (the campaign loader
    asks before switching a campaign to another catalogue)."""
    return Commendation.objects.filter(report__campaign=campaign, award_form__catalogue=catalogue).count()


def proposals_match_forms(*, campaign):
    """Give the campaign's proposals that have no form yet the form of its catalogue whose
    name their `award` text names, when the form is for the proposal's kind. Their text is
    kept. Returns how many proposals got a form."""
    if campaign.award_catalogue_id is None:
        return 0
    forms = {award_key(form.name): form for form in campaign.award_catalogue.forms.all()}
    matched = 0
    with transaction.atomic():
        for proposal in Commendation.objects.filter(report__campaign=campaign, award_form__isnull=True):
            form = forms.get(award_key(proposal.award))
            if form is not None and form.is_for(proposal.kind):
                Commendation.objects.filter(pk=proposal.pk).update(award_form=form)
                matched += 1
    return matched
