"""The merge rules of a save (reports.merge), at the service level: a save writes only what
its officer changed since opening the form; a field nobody else changed is written; a field
both changed differently is a conflict that saves nothing until chosen; nothing untouched is
ever written back."""

from decimal import Decimal

import pytest

from campaigns.models import Role
from conftest import make_user
from reports import merge
from reports.merge import NO_DATA, Base, Unparsed, report_save_edits, report_state
from reports.models import Commendation, EventAction, Narrative
from reports.services import ReportError, report_get_or_create, report_save_values


@pytest.fixture(autouse=True)
def _free_text_awards(campaign):
    """These proposals are the free-text rows of a campaign whose file names no award
    catalogue; rows chosen from a catalogue are tested in commendations/tests."""
    campaign.award_catalogue = None
    campaign.save(update_fields=["award_catalogue"])


@pytest.fixture
def report(campaign, unit_a, officer_a):
    report = report_get_or_create(campaign=campaign, unit=unit_a, by=officer_a)
    report_save_values(
        report=report,
        by=officer_a,
        values={"records_total": Decimal(2000), "records_online": Decimal(572), "managers_total": Decimal(40)},
        narratives={"I": "Đã triển khai."},
        commendations=[
            {"kind": "collective", "name": "Phòng Nội vụ", "achievement": "Hoàn thành tốt", "award": "Giấy khen"},
            {"kind": "individual", "name": "Lò Văn Minh", "achievement": "Trồng 5.000 cây", "award": "Giấy khen"},
        ],
    )
    report.refresh_from_db()
    return report


@pytest.fixture
def colleague(unit_a):
    """A second officer of the same unit."""
    return make_user("cuong", Role.OFFICER, unit_a, first_name="Cường")


def opened(report):
    """The base a form opened now carries."""
    report.refresh_from_db()
    return Base(version=report.version, state=report_state(report))


def figure(code):
    return merge.key(merge.FIGURE, code)


def stored(report, code):
    return report.values.get(measure__code=code).value


def rows(report):
    return list(report.commendations.values_list("pk", "name", "award"))


def test_an_untouched_field_is_never_written_back(report, officer_a, colleague):
    """A saves a figure, a new proposal and a narrative; B, who opened the form before and
    changed one unrelated figure, saves without a conflict and undoes none of A's work."""
    base_a, base_b = opened(report), opened(report)
    new_row = ["collective", "Trường THCS Mường Ảng", "Dạy tốt", "Bằng khen"]
    outcome = report_save_edits(
        report=report,
        by=officer_a,
        base=base_a,
        mine={
            figure("records_online"): "600",
            merge.key(merge.COMMENDATION, "+2"): new_row,
            merge.key(merge.NARRATIVE, "I"): "Đã triển khai đầy đủ.",
        },
    )
    assert outcome.saved and not outcome.conflicts and outcome.merged_with is None

    # B's form still shows 572, A's narrative absent and two proposals: all unchanged by B.
    mine_b = {key: value for key, value in base_b.state.items()}
    mine_b[figure("managers_total")] = "45"
    outcome = report_save_edits(report=report, by=colleague, base=base_b, mine=mine_b)
    assert outcome.saved and not outcome.conflicts
    assert outcome.written == {figure("managers_total")}
    assert stored(report, "records_online") == 600
    assert stored(report, "managers_total") == 45
    assert Narrative.objects.get(report=report, section__code="I").text == "Đã triển khai đầy đủ."
    assert [name for _pk, name, _award in rows(report)] == ["Phòng Nội vụ", "Lò Văn Minh", "Trường THCS Mường Ảng"]

    # The history says B's save was merged with A's.
    event = report.events.filter(action=EventAction.SAVED, by=colleague).get()
    assert {"merged_with_version": base_b.version + 1, "base_version": base_b.version} in event.changes
    assert {"measure": "managers_total", "old": "40", "new": "45"} in event.changes


def test_the_same_field_changed_differently_is_a_conflict_and_saves_nothing(report, officer_a, colleague):
    base_b = opened(report)
    report_save_edits(report=report, by=officer_a, base=opened(report), mine={figure("records_online"): "600"})
    version = report.version

    mine = {figure("records_online"): "650", figure("managers_total"): "45"}
    outcome = report_save_edits(report=report, by=colleague, base=base_b, mine=mine)
    assert not outcome.saved
    (conflict,) = outcome.conflicts
    assert (conflict.key, conflict.base, conflict.theirs, conflict.mine) == (
        figure("records_online"),
        "572",
        "600",
        "650",
    )
    assert [event.by for event in outcome.others] == [officer_a]
    report.refresh_from_db()
    assert report.version == version
    assert stored(report, "records_online") == 600 and stored(report, "managers_total") == 40

    # The form comes back on top of what is stored now (the rebase); choosing "mine" is an
    # ordinary change from there, and the other change is saved with it.
    rebased = Base(version=outcome.version, state=outcome.state, pending=frozenset([conflict.key]))
    outcome = report_save_edits(report=report, by=colleague, base=rebased, mine=mine)
    assert outcome.saved and outcome.written == {figure("records_online"), figure("managers_total")}
    assert stored(report, "records_online") == 650 and stored(report, "managers_total") == 45


def test_a_conflict_left_unchosen_stays_a_conflict(report, officer_a, colleague):
    base_b = opened(report)
    report_save_edits(report=report, by=officer_a, base=opened(report), mine={figure("records_online"): "600"})
    outcome = report_save_edits(report=report, by=colleague, base=base_b, mine={figure("records_online"): "650"})
    rebased = Base(version=outcome.version, state=outcome.state, pending=frozenset([figure("records_online")]))
    again = report_save_edits(
        report=report,
        by=colleague,
        base=rebased,
        mine={figure("records_online"): "650"},
        unresolved={figure("records_online")},
    )
    assert [conflict.key for conflict in again.conflicts] == [figure("records_online")]
    assert stored(report, "records_online") == 600
    # "Keep theirs" means the field is no longer this form's change: nothing is written.
    kept = report_save_edits(report=report, by=colleague, base=rebased, mine={})
    assert not kept.saved and not kept.conflicts
    assert stored(report, "records_online") == 600


def test_both_making_the_same_change_is_no_conflict(report, officer_a, colleague):
    base_b = opened(report)
    report_save_edits(report=report, by=officer_a, base=opened(report), mine={figure("records_online"): "600"})
    outcome = report_save_edits(report=report, by=colleague, base=base_b, mine={figure("records_online"): "600"})
    assert not outcome.conflicts and not outcome.saved


def test_commendation_rows_merge_by_their_identity(report, officer_a, colleague):
    (first, _), (second, _) = [(pk, name) for pk, name, _award in rows(report)]
    base_b = opened(report)
    first_key, second_key = merge.key(merge.COMMENDATION, first), merge.key(merge.COMMENDATION, second)

    # A edits the first proposal's award; B removes the second and adds one.
    edited = ["collective", "Phòng Nội vụ", "Hoàn thành tốt", "Bằng khen"]
    report_save_edits(report=report, by=officer_a, base=opened(report), mine={first_key: edited})
    added = ["individual", "Quàng Thị Lan", "Giáo viên giỏi", "Giấy khen", "Giáo viên"]
    outcome = report_save_edits(
        report=report,
        by=colleague,
        base=base_b,
        mine={first_key: base_b.state[first_key], second_key: None, merge.key(merge.COMMENDATION, "+2"): added},
    )
    assert not outcome.conflicts
    (new_pk,) = outcome.created.values()
    assert rows(report) == [(first, "Phòng Nội vụ", "Bằng khen"), (new_pk, "Quàng Thị Lan", "Giấy khen")]

    # One removes a proposal the other edited: a conflict, nothing saved.
    base_c = opened(report)
    report_save_edits(report=report, by=officer_a, base=opened(report), mine={first_key: None})
    outcome = report_save_edits(report=report, by=colleague, base=base_c, mine={first_key: [*edited[:3], "Cờ thi đua"]})
    (conflict,) = outcome.conflicts
    assert conflict.key == first_key and conflict.theirs is None and conflict.mine[3] == "Cờ thi đua"
    assert [pk for pk, _name, _award in rows(report)] == [new_pk]
    # Choosing "mine" brings the proposal back (as a new row: the old one is gone).
    rebased = Base(version=outcome.version, state=outcome.state, pending=frozenset([first_key]))
    outcome = report_save_edits(
        report=report, by=colleague, base=rebased, mine={first_key: [*edited[:3], "Cờ thi đua"]}
    )
    assert outcome.saved
    assert [award for _pk, _name, award in rows(report)] == ["Giấy khen", "Cờ thi đua"]


def test_a_figure_and_its_no_data_mark_merge_as_one_field(report, officer_a, colleague):
    base_b = opened(report)
    report_save_edits(
        report=report,
        by=officer_a,
        base=opened(report),
        mine={figure("trees_checked"): NO_DATA, merge.key(merge.NOTE, "trees_checked"): "Chưa kiểm tra"},
    )
    outcome = report_save_edits(report=report, by=colleague, base=base_b, mine={figure("trees_checked"): "12"})
    (conflict,) = outcome.conflicts
    assert (conflict.theirs, conflict.mine) == (NO_DATA, "12")
    value = report.values.get(measure__code="trees_checked")
    assert value.no_data and value.value is None and value.note == "Chưa kiểm tra"


def test_notes_and_narratives_merge_on_their_own(report, officer_a, colleague):
    base_b = opened(report)
    report_save_edits(
        report=report,
        by=officer_a,
        base=opened(report),
        mine={merge.key(merge.NOTE, "records_total"): "Số liệu quý III"},
    )
    # B's browser sends the narrative back with CRLF line ends: that is not a change.
    outcome = report_save_edits(
        report=report,
        by=colleague,
        base=base_b,
        mine={
            merge.key(merge.NOTE, "records_total"): "",
            merge.key(merge.NARRATIVE, "I"): "Đã triển khai.\r\n",
            merge.key(merge.NARRATIVE, "II"): "Cải cách hành chính.",
        },
    )
    assert outcome.written == {merge.key(merge.NARRATIVE, "II")}
    assert report.values.get(measure__code="records_total").note == "Số liệu quý III"


def test_a_draft_saves_the_valid_changes_and_holds_the_others(report, officer_a):
    outcome = report_save_edits(
        report=report,
        by=officer_a,
        base=opened(report),
        mine={
            figure("households_total"): Unparsed("4.5"),
            figure("managers_total"): "50",
            figure("records_online"): "2500",  # more than the 2.000 records in all
            figure("trees_checked"): NO_DATA,  # without its reason
        },
    )
    assert outcome.written == {figure("managers_total")}
    assert set(outcome.held) == {figure("records_online"), figure("trees_checked")}
    assert "không được lớn hơn" in outcome.held[figure("records_online")]
    assert "ghi rõ lý do" in outcome.held[figure("trees_checked")]
    assert stored(report, "managers_total") == 50 and stored(report, "records_online") == 572


def test_lowering_a_whole_under_its_stored_part_is_held(report, officer_a):
    outcome = report_save_edits(
        report=report,
        by=officer_a,
        base=opened(report),
        mine={figure("records_total"): "500", figure("managers_total"): "41"},
    )
    assert set(outcome.held) == {figure("records_total")}
    assert stored(report, "records_total") == 2000 and stored(report, "managers_total") == 41


def test_submitting_saves_all_or_nothing(report, officer_a):
    version = report.version
    outcome = report_save_edits(
        report=report, by=officer_a, base=opened(report), mine={figure("managers_total"): "41"}, submit=True
    )
    assert not outcome.saved and figure("households_total") in outcome.held
    assert "cần nhập số liệu trước khi gửi" in outcome.held[figure("households_total")]
    report.refresh_from_db()
    assert report.version == version and stored(report, "managers_total") == 40


def test_without_a_readable_base_every_difference_is_a_conflict(report, officer_a):
    unknown = Base(version=report.version, state={}, known=False)
    mine = {figure("records_total"): "2000", figure("managers_total"): "41"}
    outcome = report_save_edits(report=report, by=officer_a, base=unknown, mine=mine, unresolved=set(mine))
    assert [conflict.key for conflict in outcome.conflicts] == [figure("managers_total")]
    assert not outcome.saved


def test_the_version_check_stays_the_last_guard(report, officer_a, monkeypatch):
    """A save that loses the race between its merge and its write merges again."""
    calls = []
    real = merge.bump_version

    def racing(report, *, expected_version, by):
        calls.append(expected_version)
        if len(calls) == 1:
            expected_version -= 1  # as if another save had just taken this version
        return real(report, expected_version=expected_version, by=by)

    monkeypatch.setattr(merge, "bump_version", racing)
    outcome = report_save_edits(report=report, by=officer_a, base=opened(report), mine={figure("managers_total"): "41"})
    assert outcome.saved and len(calls) == 2
    assert stored(report, "managers_total") == 41
    assert report.events.filter(action=EventAction.SAVED).count() == 2  # the fixture's and this one


def test_a_sent_report_refuses_edits(report, officer_a):
    type(report).objects.filter(pk=report.pk).update(status="submitted")
    report.refresh_from_db()
    with pytest.raises(ReportError):
        report_save_edits(report=report, by=officer_a, base=opened(report), mine={figure("managers_total"): "41"})


def test_the_base_token_is_signed_and_bound_to_its_report(report):
    token = merge.base_token(report.pk, report.version, report_state(report), pending={figure("records_total")})
    base = merge.base_from_token(token, report.pk)
    assert base.version == report.version and base.state == report_state(report)
    assert base.pending == {figure("records_total")}
    assert merge.base_from_token(token, report.pk + 1) is None
    assert merge.base_from_token(token[:-2] + "xx", report.pk) is None
    assert merge.base_from_token("", report.pk) is None


def test_state_lists_what_is_stored(report):
    state = report_state(report)
    assert state[figure("records_online")] == "572"
    assert state[merge.key(merge.NARRATIVE, "I")] == "Đã triển khai."
    pks = list(Commendation.objects.filter(report=report).values_list("pk", flat=True))
    # kind, name, achievement, award, position, work unit, the catalogue form's code ("": free text).
    assert state[merge.key(merge.COMMENDATION, pks[0])] == [
        "collective",
        "Phòng Nội vụ",
        "Hoàn thành tốt",
        "Giấy khen",
        "",
        "",
        "",
    ]
    assert merge.key(merge.NOTE, "records_total") not in state  # blank fields are implied


def signer(name):
    return merge.key(merge.SIGNER, name)


def test_the_signer_merges_field_by_field(report, officer_a, colleague):
    """A names the signer while B, who opened the form before, ticks "a deputy signs" and
    changes a figure: both saves keep; a different name from B is a conflict."""
    base = opened(report)
    first = report_save_edits(report=report, by=officer_a, base=base, mine={signer("name"): "Lò Văn Hùng"})
    assert first.saved
    second = report_save_edits(
        report=report,
        by=colleague,
        base=base,
        mine={signer("name"): "", signer("deputy"): True, figure("records_total"): "2500"},
    )
    assert second.saved and not second.conflicts
    report.refresh_from_db()
    assert (report.signer_name, report.signer_is_deputy) == ("Lò Văn Hùng", True)
    assert stored(report, "records_total") == Decimal(2500)

    third = report_save_edits(report=report, by=colleague, base=base, mine={signer("name"): "Quàng Thị Lan"})
    assert [conflict.key for conflict in third.conflicts] == [signer("name")]
    report.refresh_from_db()
    assert report.signer_name == "Lò Văn Hùng"
    assert report_state(report)[signer("deputy")] is True
