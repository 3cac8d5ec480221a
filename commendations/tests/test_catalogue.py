"""The award catalogue file: the shipped file loads, a malformed one is refused naming the file
and the path with nothing written, a reload changes nothing, a catalogue in use is never changed
in place, and a campaign file links its catalogue and its old free-text proposals."""

import copy
import io
import json
from decimal import Decimal

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from campaigns.demo import demo_campaigns
from campaigns.loader import campaign_load
from campaigns.models import Campaign
from campaigns.schema import CampaignFileError
from campaigns.tests.synthetic import campaign_spec, write_campaign_file
from commendations.catalogue import (
    SHIPPED_CATALOGUE,
    award_key,
    catalogue_json_schema,
    catalogue_load,
    catalogue_schema_reference,
    proposals_match_forms,
    read_catalogue_file,
)
from commendations.models import AwardCatalogue, AwardForm
from conftest import CAMPAIGN_FILE
from reports.models import Commendation, UnitReport

FLAG = "co-thi-dua-ubnd-tinh"
CERTIFICATE = "bang-khen-chu-tich-ubnd-tinh"
PYDANTIC_ENGLISH = ("Input should", "should be", "Field required", "Extra inputs", "pydantic")


def shipped():
    return yaml.safe_load(SHIPPED_CATALOGUE.read_text(encoding="utf-8"))


def write(tmp_path, data, name="awards.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def refused(path):
    """The problems of a file the command refuses; the command writes nothing."""
    before = (AwardCatalogue.objects.count(), AwardForm.objects.count())
    with pytest.raises(CommandError) as exc:
        call_command("load_awards", str(path), stdout=io.StringIO())
    assert (AwardCatalogue.objects.count(), AwardForm.objects.count()) == before
    text = str(exc.value)
    assert not any(english in text for english in PYDANTIC_ENGLISH), text
    return text


# --- the shipped file ------------------------------------------------------------------------


def test_the_shipped_catalogue_loads_with_its_two_fixed_forms(db):
    out = io.StringIO()
    call_command("load_awards", str(SHIPPED_CATALOGUE), stdout=out)
    assert "Đã nạp danh mục dien-bien-nd98" in out.getvalue()
    catalogue = AwardCatalogue.objects.get(code="dien-bien-nd98")
    assert catalogue.province == "Điện Biên" and catalogue.source_file == "dien-bien-nd98.yaml"
    assert len(catalogue.digest) == 64
    numbers = [document["number"] for document in catalogue.legal_basis]
    assert numbers == ["06/2022/QH15", "98/2023/NĐ-CP"]
    assert catalogue.council["basis"][0] | {"about": ""} == {
        "document": "nd-98-2023",
        "article": 30,
        "clause": 7,
        "point": "",
        "about": "",
        "verified": True,
        "source": catalogue.council["basis"][0]["source"],
    }

    flag = catalogue.forms.get(code=FLAG)
    assert flag.name == "Cờ thi đua của Ủy ban nhân dân tỉnh"
    assert (flag.category, flag.level, flag.recipients) == ("title", "province", ["collective"])
    assert flag.issuer == "Chủ tịch Ủy ban nhân dân tỉnh"
    assert flag.quota == {
        "per": "group",
        "group_kinds": ["cluster", "block"],
        "max": 1,
        "basis": flag.quota["basis"],
    }
    assert flag.council_threshold == Decimal("80.00")
    assert flag.from_results and not flag.certificate
    assert [item["code"] for item in flag.dossier] == ["to-trinh", "bao-cao-thanh-tich", "bien-ban"]
    assert {(c["article"], c["clause"]) for c in flag.legal_basis} >= {(26, 1), (84, 1), (30, 7)}

    award = catalogue.forms.get(code=CERTIFICATE)
    assert award.name == "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"
    assert award.recipients == ["collective", "individual", "household"]
    assert award.council_threshold is None and award.quota == {}
    assert award.certificate and award.certificate_title == "BẰNG KHEN" and not award.from_results
    assert [form.code for form in catalogue.forms.all()] == [FLAG, CERTIFICATE]


def test_every_citation_says_whether_it_was_verified_and_where_it_was_read():
    spec = read_catalogue_file(SHIPPED_CATALOGUE)
    citations = spec["catalogue"]["council"]["basis"] + [c for form in spec["forms"] for c in form["legal_basis"]]
    assert citations and all(citation["source"] for citation in citations)
    assert {citation["verified"] for citation in citations} == {True, False}
    # What could not be found is said in the file, not left out.
    assert any("Chưa kiểm chứng" in note for form in spec["forms"] for note in form["notes"])
    assert any("Nghị định 152/2025" in note for note in spec["catalogue"]["notes"])


def test_loading_again_changes_nothing(award_catalogue):
    before = AwardCatalogue.objects.get(pk=award_catalogue.pk)
    forms = list(AwardForm.objects.values())
    result = catalogue_load(path=SHIPPED_CATALOGUE)
    assert not result.created and result.changes == []
    again = AwardCatalogue.objects.get(pk=award_catalogue.pk)
    assert again.loaded_at == before.loaded_at and again.digest == before.digest
    assert list(AwardForm.objects.values()) == forms
    out = io.StringIO()
    call_command("load_awards", str(SHIPPED_CATALOGUE), stdout=out)
    assert "Không đổi danh mục dien-bien-nd98: 0 thay đổi." in out.getvalue()


def test_check_validates_without_writing(db):
    out = io.StringIO()
    call_command("load_awards", str(SHIPPED_CATALOGUE), "--check", stdout=out)
    assert "dien-bien-nd98.yaml: nạp được; 2 hình thức khen thưởng." in out.getvalue()
    assert not AwardCatalogue.objects.exists()


def test_schema_and_reference_describe_the_catalogue_file():
    schema = catalogue_json_schema()
    assert set(schema["properties"]) == {"catalogue", "forms"}
    reference = catalogue_schema_reference()
    assert "#### `forms[]`" in reference and "`council_threshold`" in reference
    out = io.StringIO()
    call_command("load_awards", "--schema", stdout=out)
    assert json.loads(out.getvalue()) == schema
    out = io.StringIO()
    call_command("load_awards", "--schema-reference", stdout=out)
    assert out.getvalue() == reference


# --- malformed files -------------------------------------------------------------------------


def test_an_unknown_key_is_refused_with_its_path_and_a_suggestion(db, tmp_path):
    data = shipped()
    data["forms"][1]["certificate_titel"] = "BẰNG KHEN"
    text = refused(write(tmp_path, data))
    assert "awards.yaml: forms[1].certificate_titel: không có khóa này — có phải 'certificate_title'?" in text


def test_a_bad_recipient_and_a_bad_threshold_are_all_listed(db, tmp_path):
    data = shipped()
    data["forms"][0]["recipients"] = ["collective", "family"]
    data["forms"][0]["council_threshold"] = 120
    data["forms"][1]["council_threshold"] = 0
    text = refused(write(tmp_path, data))
    assert "awards.yaml: forms[0].recipients[1]: cần một trong collective, individual, household" in text
    assert "awards.yaml: forms[0].council_threshold: cần một số không quá 100, nhưng có một số 120" in text
    assert "awards.yaml: forms[1].council_threshold: cần một số lớn hơn 0, nhưng có một số 0" in text


def test_a_threshold_written_as_yes_is_not_a_number(db, tmp_path):
    data = shipped()
    data["forms"][0]["council_threshold"] = True
    assert "awards.yaml: forms[0].council_threshold: cần một số, nhưng có giá trị đúng/sai True" in refused(
        write(tmp_path, data)
    )


def test_duplicate_codes_are_refused(db, tmp_path):
    data = shipped()
    data["forms"].append(copy.deepcopy(data["forms"][1]))
    data["forms"][0]["dossier"].append({"code": "to-trinh", "name": "Tờ trình lần hai"})
    text = refused(write(tmp_path, data))
    assert f"awards.yaml: forms[2].code: mã hình thức '{CERTIFICATE}' trùng với forms[1]" in text
    assert "awards.yaml: forms[0].dossier[3].code: loại hồ sơ 'to-trinh' trùng với forms[0].dossier[0]" in text


def test_a_quota_per_group_needs_its_group_kinds(db, tmp_path):
    data = shipped()
    data["forms"][1]["quota"] = {"per": "cluster", "max": 0, "basis": "x"}
    text = refused(write(tmp_path, data))
    assert "awards.yaml: forms[1].quota.per: cần một trong group, campaign, nhưng có chuỗi 'cluster'" in text
    assert "awards.yaml: forms[1].quota.max: cần một số lớn hơn 0, nhưng có một số 0" in text
    data = shipped()
    data["forms"][0]["quota"]["group_kinds"] = []
    data["forms"][1]["quota"] = {"per": "campaign", "group_kinds": ["block"], "max": 3, "basis": "x"}
    text = refused(write(tmp_path, data))
    assert "awards.yaml: forms[0].quota.group_kinds: số lượng tính theo nhóm (per: group) cần nêu loại nhóm" in text
    assert "awards.yaml: forms[1].quota.group_kinds: số lượng tính trên cả phong trào không nêu loại nhóm" in text


def test_a_citation_of_a_document_the_file_does_not_list_is_refused(db, tmp_path):
    data = shipped()
    data["forms"][1]["legal_basis"][0]["document"] = "luat-2003"
    data["forms"][1]["legal_basis"][1]["article"] = "bảy mươi hai"
    text = refused(write(tmp_path, data))
    assert "awards.yaml: forms[1].legal_basis[1].article: cần một số nguyên" in text
    # Checks beyond types wait for a file whose types are right.
    data["forms"][1]["legal_basis"][1]["article"] = 72
    text = refused(write(tmp_path, data))
    assert (
        "awards.yaml: forms[1].legal_basis[0].document: văn bản 'luat-2003' không có trong catalogue.legal_basis"
        in text
    )


def test_missing_keys_and_a_root_that_is_not_a_mapping(db, tmp_path):
    data = shipped()
    del data["catalogue"]["council"]
    del data["forms"][0]["issuer"]
    text = refused(write(tmp_path, data))
    assert "awards.yaml: catalogue.council: thiếu trường bắt buộc" in text
    assert "awards.yaml: forms[0].issuer: thiếu trường bắt buộc" in text
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    assert "list.yaml: (gốc): cần một bảng khóa: giá trị với các mục catalogue, forms" in refused(path)


def test_a_yaml_error_names_the_file_and_the_line(db, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("catalogue:\n  code: x\n  title: [unclosed\n", encoding="utf-8")
    text = refused(path)
    assert "broken.yaml (dòng" in text and "YAML không hợp lệ" in text


def test_a_missing_file_is_named(db, tmp_path):
    assert "nowhere.yaml: không tìm thấy tệp" in refused(tmp_path / "nowhere.yaml")


# --- a catalogue in use ----------------------------------------------------------------------


def _proposal(campaign, unit, award, kind="collective", form=None, name="Phòng Văn hóa"):
    report, _ = UnitReport.objects.get_or_create(campaign=campaign, unit=unit)
    return Commendation.objects.create(
        report=report,
        kind=kind,
        name=name,
        achievement="Tổ chức tốt các hoạt động kỷ niệm.",
        award=award,
        award_form=form,
    )


def test_a_changed_file_updates_forms_no_proposal_uses(award_catalogue, tmp_path):
    data = shipped()
    data["forms"][1]["criteria"].append("Có ít nhất một mô hình được nhân rộng.")
    result = catalogue_load(path=write(tmp_path, data))
    assert result.changes == [f"~ hình thức {CERTIFICATE} (criteria)"]
    assert AwardForm.objects.get(code=CERTIFICATE).criteria[-1] == "Có ít nhất một mô hình được nhân rộng."


def test_a_form_proposals_use_is_never_changed_in_place(campaign, unit_a, tmp_path):
    flag = AwardForm.objects.get(code=FLAG)
    _proposal(campaign, unit_a, flag.name, form=flag)
    data = shipped()
    data["forms"][0]["council_threshold"] = 70
    data["forms"][0]["name"] = "Cờ thi đua"
    with pytest.raises(CampaignFileError) as exc:
        catalogue_load(path=write(tmp_path, data))
    problems = exc.value.problems
    assert (
        f"awards.yaml: forms[0] ('{FLAG}'): đã có 1 đề nghị khen thưởng dùng hình thức này; "
        "không sửa name, council_threshold tại chỗ" in problems
    )
    assert any("danh mục với mã mới" in problem for problem in problems)
    flag.refresh_from_db()
    assert flag.council_threshold == Decimal("80.00") and flag.name == "Cờ thi đua của Ủy ban nhân dân tỉnh"

    # Nor may it disappear; a form nobody uses still may.
    data = shipped()
    del data["forms"][0]
    text = refused(write(tmp_path, data))
    assert f"hình thức '{FLAG}' không còn trong tệp nhưng đã có 1 đề nghị khen thưởng dùng nó" in text
    data = shipped()
    del data["forms"][1]
    result = catalogue_load(path=write(tmp_path, data))
    assert result.changes == [f"- hình thức {CERTIFICATE}"]
    assert list(AwardForm.objects.values_list("code", flat=True)) == [FLAG]


def test_the_legal_basis_of_a_catalogue_in_use_is_fixed_but_its_notes_are_not(campaign, unit_a, tmp_path):
    form = AwardForm.objects.get(code=CERTIFICATE)
    _proposal(campaign, unit_a, form.name, form=form)
    data = shipped()
    data["catalogue"]["legal_basis"][1]["effective"] = "2024-02-14"
    text = refused(write(tmp_path, data))
    assert "awards.yaml: catalogue: danh mục đã được đề nghị khen thưởng dùng; không sửa legal_basis" in text
    data = shipped()
    data["catalogue"]["notes"].append("Đã đối chiếu với Công báo.")
    result = catalogue_load(path=write(tmp_path, data))
    assert result.changes == ["~ danh mục dien-bien-nd98 (notes)"]


# --- the campaign link -----------------------------------------------------------------------


def test_the_campaign_file_links_its_catalogue(campaign):
    assert campaign.award_catalogue.code == "dien-bien-nd98"


def test_a_campaign_naming_a_catalogue_not_loaded_is_refused(db, tmp_path):
    with pytest.raises(CampaignFileError) as exc:
        campaign_load(path=CAMPAIGN_FILE)
    assert exc.value.problems == [
        "campaign.awards: danh mục khen thưởng 'dien-bien-nd98' chưa được nạp; "
        "chạy manage.py load_awards <tệp danh mục> trước"
    ]
    assert not Campaign.objects.exists()
    with pytest.raises(CommandError) as refused_command:
        call_command("load_campaign", str(CAMPAIGN_FILE), stdout=io.StringIO())
    assert "campaign.awards: danh mục khen thưởng 'dien-bien-nd98' chưa được nạp" in str(refused_command.value)


def _without_awards(tmp_path):
    spec = campaign_spec()
    del spec["campaign"]["awards"]
    return write_campaign_file(spec, tmp_path / "1908-before.yaml")


def test_old_free_text_proposals_get_the_form_their_text_names_and_keep_it(award_catalogue, tmp_path):
    campaign = campaign_load(path=_without_awards(tmp_path)).campaign
    assert campaign.award_catalogue is None
    district = campaign.participants().get(code="h-muong-ang")
    department = campaign.participants().get(code="so-vhttdl")
    old = {
        "abbreviated": _proposal(campaign, district, "Bằng khen của Chủ tịch UBND tỉnh", kind="individual"),
        "spaced": _proposal(campaign, department, "  bằng khen của chủ tịch ủy ban nhân dân tỉnh. ", kind="household"),
        "flag": _proposal(campaign, department, "Cờ thi đua của UBND tỉnh"),
        "flag for a person": _proposal(campaign, district, "Cờ thi đua của UBND tỉnh", kind="individual"),
        "other": _proposal(campaign, district, "Giấy khen của Chủ tịch UBND huyện", kind="individual"),
    }
    texts = {key: proposal.award for key, proposal in old.items()}

    result = campaign_load(path=CAMPAIGN_FILE)
    assert any("3 đề nghị khen thưởng cũ nhận hình thức" in change for change in result.changes)
    forms = {key: Commendation.objects.get(pk=proposal.pk) for key, proposal in old.items()}
    assert forms["abbreviated"].award_form.code == CERTIFICATE
    assert forms["spaced"].award_form.code == CERTIFICATE
    assert forms["flag"].award_form.code == FLAG
    # A flag is for collectives only; a text naming no form stays as it was, with no form.
    assert forms["flag for a person"].award_form is None and forms["other"].award_form is None
    assert {key: row.award for key, row in forms.items()} == texts
    assert proposals_match_forms(campaign=Campaign.objects.get(pk=campaign.pk)) == 0


def test_a_campaign_whose_proposals_use_its_catalogue_keeps_it(campaign, unit_a, tmp_path):
    form = AwardForm.objects.get(code=CERTIFICATE)
    _proposal(campaign, unit_a, form.name, form=form)
    with pytest.raises(CampaignFileError) as exc:
        campaign_load(path=_without_awards(tmp_path))
    assert exc.value.problems == [
        "campaign.awards: 1 đề nghị khen thưởng của phong trào đã dùng hình thức của danh mục 'dien-bien-nd98'; "
        "không đổi danh mục của phong trào (giữ awards: dien-bien-nd98)"
    ]
    assert Campaign.objects.get(pk=campaign.pk).award_catalogue.code == "dien-bien-nd98"


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("Bằng khen của Chủ tịch UBND tỉnh", "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"),
        ("BẰNG KHEN CỦA CHỦ TỊCH UỶ BAN NHÂN DÂN TỈNH", "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"),
        ("Cờ thi đua - UBND tỉnh", "Cờ thi đua Ủy ban nhân dân tỉnh"),
    ],
)
def test_award_names_compare_without_case_spaces_punctuation_or_abbreviation(written, name):
    assert award_key(written) == award_key(name)


def test_award_names_that_differ_do_not_match():
    assert award_key("Giấy khen của Chủ tịch UBND huyện") != award_key("Bằng khen của Chủ tịch UBND tỉnh")


def test_the_demo_loads_the_catalogue_before_both_campaigns(db):
    campaigns = demo_campaigns()
    assert [campaign.code for campaign in campaigns] == ["1908-UBND-KSTT", "2026-KH-UBND"]
    assert {campaign.award_catalogue.code for campaign in campaigns} == {"dien-bien-nd98"}
    # Run again, as make run does each time: nothing changes.
    digest = AwardCatalogue.objects.get().digest
    assert [campaign.award_catalogue_id for campaign in demo_campaigns()] == [c.award_catalogue_id for c in campaigns]
    assert AwardCatalogue.objects.get().digest == digest
