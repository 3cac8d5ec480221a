"""A unit's pages of Phụ lục I are laid out when its report is submitted or accepted, so the
compile on the day only lays out the body and the frame and merges; a page made before
anything it shows changed is never used."""

import pytest
from django.core.files.storage import default_storage

from campaigns.models import Goal
from campaigns.structure import structure_bump
from reports.models import JobStatus, UnitAnnex
from reports.summary import compile as summary_compile_module
from reports.summary.compile import annex_render_ahead
from reports.tests.pdf_reading import pdf_text, read_field
from reports.tests.printing_data import fill_report
from reports.workflow import report_accept

from .test_summary import compile_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def ahead(settings):
    settings.SUMMARY_ANNEX_AHEAD = True


@pytest.fixture
def laid_out(monkeypatch):
    """The units each compile step laid out, by code."""
    codes = []
    render_units = summary_compile_module._render_units

    def counting(campaign, entries):
        codes.extend(entry["code"] for entry in entries)
        return render_units(campaign, entries)

    monkeypatch.setattr(summary_compile_module, "_render_units", counting)
    return codes


def submitted(campaign, unit, officer, capture):
    with capture(execute=True):
        return fill_report(campaign, unit, officer)


def test_a_submitted_report_has_its_pages_laid_out_at_once(
    ahead, campaign, unit_a, officer_a, django_capture_on_commit_callbacks
):
    report = submitted(campaign, unit_a, officer_a, django_capture_on_commit_callbacks)
    annexes = UnitAnnex.objects.filter(campaign=campaign, unit=unit_a)
    assert annexes.count() == 1
    assert default_storage.exists(annexes.get().pdf.name)
    assert "Huyện Mường Ảng" in pdf_text(read_field(annexes.get().pdf))
    assert annex_render_ahead(report_id=report.pk) is False  # ready: nothing laid out twice


def test_acceptance_lays_out_the_new_version(
    ahead, campaign, unit_a, officer_a, reviewer, django_capture_on_commit_callbacks
):
    report = submitted(campaign, unit_a, officer_a, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        report_accept(report=report, by=reviewer)
    assert UnitAnnex.objects.filter(campaign=campaign, unit=unit_a).count() == 2
    newest = UnitAnnex.objects.filter(campaign=campaign, unit=unit_a).latest("pk")
    assert "đã được thẩm định" in pdf_text(read_field(newest.pdf))


def test_the_compile_uses_the_pages_laid_out_ahead(
    ahead, campaign, unit_a, unit_b, officer_a, officer_b, reviewer, laid_out, django_capture_on_commit_callbacks
):
    submitted(campaign, unit_a, officer_a, django_capture_on_commit_callbacks)
    submitted(campaign, unit_b, officer_b, django_capture_on_commit_callbacks)
    assert sorted(laid_out) == sorted([unit_a.code, unit_b.code])
    laid_out.clear()
    summary = compile_now(campaign, reviewer)
    assert summary.status == JobStatus.DONE, summary.error
    assert laid_out == []  # only the body and the frame were laid out
    annex = pdf_text(read_field(summary.pdf)).split("KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CỦA TỪNG ĐƠN VỊ")[1]
    assert f". {unit_b.name} Báo cáo phiên bản" in annex
    assert ". Huyện Mường Ảng Báo cáo phiên bản" in annex


def test_a_goal_changed_after_the_pages_were_made_is_laid_out_again(
    ahead, campaign, unit_a, officer_a, reviewer, laid_out, django_capture_on_commit_callbacks
):
    submitted(campaign, unit_a, officer_a, django_capture_on_commit_callbacks)
    goal = Goal.objects.get(target__campaign=campaign, target__name__contains="cấp huyện", value=80)
    goal.value = 85
    goal.save()
    structure_bump(campaign=campaign)  # as the admin's goal page does
    laid_out.clear()
    summary = compile_now(campaign, reviewer)
    assert summary.status == JobStatus.DONE, summary.error
    assert laid_out == [unit_a.code]  # the stale pages were not used
    annex = pdf_text(read_field(summary.pdf)).split("1. Huyện Mường Ảng")[-1]
    assert "≥ 85,0" in annex and "≥ 80,0" not in annex


def test_nothing_is_laid_out_ahead_when_turned_off(campaign, unit_a, officer_a, django_capture_on_commit_callbacks):
    submitted(campaign, unit_a, officer_a, django_capture_on_commit_callbacks)
    assert not UnitAnnex.objects.exists()


def test_a_draft_is_never_laid_out(ahead, campaign, unit_a, officer_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        fill_report(campaign, unit_a, officer_a, submit_at=None)
    assert not UnitAnnex.objects.exists()


def test_every_units_pages_can_be_laid_out_ahead_at_once(campaign, unit_a, unit_b, officer_a, officer_b, reviewer):
    from reports.summary.compile import annexes_render_ahead

    fill_report(campaign, unit_a, officer_a)
    fill_report(campaign, unit_b, officer_b)
    assert annexes_render_ahead(campaign) == 2
    assert annexes_render_ahead(campaign) == 0  # ready: nothing twice
    assert set(UnitAnnex.objects.values_list("unit__code", flat=True)) == {unit_a.code, unit_b.code}
