"""The report form's proposal rows with the campaign's award catalogue: the award chosen
from it (and only a form for the row's kind), a person's position, old free-text rows kept
until edited, and the merge still finding conflicts row by row."""

import pytest
from django.urls import reverse

from commendations.tests.factories import link
from commendations.tests.proposal_data import CERTIFICATE, FLAG, proposal_in, with_catalogue
from reports import merge
from reports.merge import Base, report_save_edits, report_state
from reports.models import Commendation
from reports.services import report_get_or_create
from reports.tests.report_web import form_post
from reports.unit_document import commendations_table


@pytest.fixture
def forms(campaign):
    return with_catalogue(campaign)


@pytest.fixture
def report(campaign, unit_a, officer_a):
    return report_get_or_create(campaign=campaign, unit=unit_a, by=officer_a)


def post(client, report, rows):
    return client.post(reverse("reports:report_edit", args=[report.pk]), form_post(report, rows=rows))


PERSON = {
    "kind": "individual",
    "name": "Lò Văn Minh",
    "position": "Trưởng bản",
    "work_unit": "Bản Na Son, xã Mường Ảng",
    "achievement": "Vận động 40 hộ trồng cây.",
    "award_form": CERTIFICATE,
}
FLAG_ROW = {"kind": "collective", "name": "Huyện Mường Ảng", "achievement": "Dẫn đầu cụm.", "award_form": FLAG}


def test_the_award_is_chosen_from_the_catalogue_and_stored_with_its_name(forms, report, officer_a, client_for):
    client = client_for(officer_a)
    page = client.get(reverse("reports:report_edit", args=[report.pk])).content.decode()
    # A select of the catalogue's forms, each saying whom it is for.
    everyone = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh (tập thể, cá nhân, hộ gia đình)"
    assert f'<option value="{CERTIFICATE}" data-for="collective individual household">{everyone}' in page
    assert f'<option value="{FLAG}" data-for="collective">Cờ thi đua của Ủy ban nhân dân tỉnh (tập thể)' in page

    assert post(client, report, [PERSON, FLAG_ROW]).status_code == 302
    person, flag = report.commendations.select_related("award_form")
    assert (person.award_form.code, person.award) == (CERTIFICATE, "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh")
    assert (person.position, person.work_unit) == ("Trưởng bản", "Bản Na Son, xã Mường Ảng")
    assert (flag.award_form.code, flag.award) == (FLAG, "Cờ thi đua của Ủy ban nhân dân tỉnh")
    detail = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "Trưởng bản, Bản Na Son, xã Mường Ảng" in detail and "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh" in detail
    assert reverse("commendations:proposal_detail", args=[person.pk]) in detail
    # The form links each stored proposal to its page, where its dossier files go.
    form_page = client.get(reverse("reports:report_edit", args=[report.pk])).content.decode()
    assert reverse("commendations:proposal_detail", args=[flag.pk]) in form_page


@pytest.mark.parametrize(
    "row,message",
    [
        ({**PERSON, "award_form": FLAG}, "không dành cho cá nhân (chỉ cho tập thể)"),
        ({**PERSON, "position": ""}, "Ghi chức vụ của cá nhân được đề nghị."),
        ({**PERSON, "award_form": ""}, "Chọn hình thức khen thưởng trong danh mục của phong trào."),
        ({**PERSON, "award_form": "giay-khen-gia"}, "giay-khen-gia"),
    ],
)
def test_a_row_that_does_not_fit_the_catalogue_is_refused_next_to_it(
    row, message, forms, report, officer_a, client_for
):  # noqa: E501
    response = post(client_for(officer_a), report, [row])
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'href="#id_commendations-0-' in page  # named in the error summary, linking to the field
    assert not Commendation.objects.exists()
    assert report.events.count() == 1  # only the creation: nothing saved


def test_the_merge_holds_a_bad_award_whoever_calls_it(forms, report, officer_a):
    base = Base(version=report.version, state=report_state(report))
    bad = ["individual", "Lò Văn Minh", "Tốt", "", "Trưởng bản", "", FLAG]
    good = ["household", "Hộ ông Quàng Văn Pọm", "Thoát nghèo", "", "", "", CERTIFICATE]
    outcome = report_save_edits(
        report=report, by=officer_a, base=base, mine={"commendation:+0": bad, "commendation:+1": good}
    )
    assert "không dành cho cá nhân" in outcome.held["commendation:+0"]
    assert list(report.commendations.values_list("name", "award")) == [
        ("Hộ ông Quàng Văn Pọm", "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh")
    ]


def test_an_old_free_text_row_keeps_its_text_until_it_is_edited(forms, campaign, unit_a, officer_a, report, client_for):
    old = proposal_in(campaign, unit_a, officer_a, award="Giấy khen của huyện", award_form=None)
    client = client_for(officer_a)
    page = client.get(reverse("reports:report_edit", args=[report.pk])).content.decode()
    assert "Đề nghị cũ ghi: “Giấy khen của huyện”" in page
    row = {
        "id": old.pk,
        "kind": "individual",
        "name": old.name,
        "position": old.position,
        "work_unit": old.work_unit,
        "achievement": old.achievement,
        "award": old.award,
        "award_form": "",
    }
    # Saved as it is: nothing asked, nothing written.
    assert post(client, report, [row]).status_code == 302
    old.refresh_from_db()
    assert (old.award, old.award_form) == ("Giấy khen của huyện", None)
    version = report.events.count()
    # Edited without a form: held, with the question on the row.
    response = post(client, report, [{**row, "achievement": "Vận động 60 hộ trồng cây."}])
    assert response.status_code == 200
    assert "Chọn hình thức khen thưởng trong danh mục của phong trào." in response.content.decode()
    old.refresh_from_db()
    assert old.achievement == "Vận động 40 hộ trồng cây." and report.events.count() == version
    # Edited with a form: written, the text now the form's name.
    edited = {**row, "achievement": "Vận động 60 hộ.", "award_form": CERTIFICATE}
    assert post(client, report, [edited]).status_code == 302
    old.refresh_from_db()
    assert (old.award_form.code, old.award, old.achievement) == (
        CERTIFICATE,
        "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
        "Vận động 60 hộ.",
    )


def test_a_campaign_without_a_catalogue_keeps_the_free_text_award(campaign, report, officer_a, client_for):
    link(campaign, None)  # a campaign file with no `awards` key
    client = client_for(officer_a)
    page = client.get(reverse("reports:report_edit", args=[report.pk])).content.decode()
    assert 'name="commendations-0-award" maxlength="255"' in page and '<option value="bang-khen' not in page
    row = {**PERSON, "award_form": "", "award": "Giấy khen của Chủ tịch UBND huyện"}
    assert post(client, report, [row]).status_code == 302
    (saved,) = report.commendations.all()
    assert (saved.award, saved.award_form) == ("Giấy khen của Chủ tịch UBND huyện", None)
    # A form code posted to a campaign without a catalogue (a hidden field the officer never
    # sees) is ignored: the row keeps its text and no form.
    assert post(client, report, [{**row, "name": "Tòng Thị Xuân", "award_form": CERTIFICATE}]).status_code == 302
    assert list(report.commendations.values_list("name", "award_form")) == [
        ("Lò Văn Minh", None),
        ("Tòng Thị Xuân", None),
    ]


def test_two_officers_choosing_different_forms_for_one_row_is_a_conflict(forms, campaign, unit_a, officer_a, report):
    proposal = proposal_in(campaign, unit_a, officer_a, kind="collective", name="Phòng Nội vụ", form_code=CERTIFICATE)
    row_key = merge.key(merge.COMMENDATION, proposal.pk)
    base_a = Base(version=report.version, state=report_state(report))
    base_b = Base(version=report.version, state=report_state(report))
    to_flag = [*base_a.state[row_key][:-1], FLAG]
    first = report_save_edits(report=report, by=officer_a, base=base_a, mine={row_key: to_flag})
    assert first.saved
    again = [*base_b.state[row_key][:2], "Thành tích khác", *base_b.state[row_key][3:]]
    second = report_save_edits(report=report, by=officer_a, base=base_b, mine={row_key: again})
    (conflict,) = second.conflicts
    assert conflict.key == row_key and conflict.theirs[-1] == FLAG and conflict.mine[-1] == CERTIFICATE
    proposal.refresh_from_db()
    assert proposal.award_form.code == FLAG and proposal.achievement == "Vận động 40 hộ trồng cây."


def test_the_unit_document_lists_a_persons_position_and_unit(forms, campaign, unit_a, officer_a):
    person = proposal_in(campaign, unit_a, officer_a)
    table = commendations_table(unit_a, [person])
    assert table.rows[0][1:3] == ("Cá nhân", "Lò Văn Minh (Trưởng bản, Bản Na Son)")
    assert table.rows[0][4] == "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"
