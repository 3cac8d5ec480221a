"""Unit reporting pages: the officer's unit page, the report form, submission, evidence
files, and the reviewer's queue and actions. Every view that touches a report goes through
`report_for_user`; domain actions live in services, workflow and uploads."""

from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.db.models import F
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns.models import Campaign, CampaignStatus
from campaigns.numbers import format_vn_number
from campaigns.roles import is_officer, is_reviewer, unit_of

from . import workflow
from .access import report_for_user, reports_for_user
from .aggregation import Snapshot
from .forms import (
    CommendationFormSet,
    EvidenceForm,
    QueueFilterForm,
    ReportForm,
    ReviewForm,
    SubmitForm,
    commendation_initial,
    narrative_field,
    no_data_field,
    note_field,
    value_field,
)
from .models import EventAction, ReportStatus
from .services import (
    ConcurrentEdit,
    ReportError,
    current_values,
    report_get_or_create,
    report_measures,
    report_save_values,
)
from .uploads import EvidenceError, evidence_add, evidence_remove

COMMENDATION_PREFIX = "commendations"


# --- the officer's unit page -------------------------------------------------------------
@require_GET
def my_unit(request):
    """The campaigns the unit reports in, the deadline with days left or late, where each
    report stands and the reviewer's last comment."""
    if not is_officer(request.user):
        raise Http404
    unit = unit_of(request.user)
    campaigns = [
        campaign
        for campaign in Campaign.objects.exclude(status=CampaignStatus.DRAFT)
        if campaign.participants().filter(pk=unit.pk).exists()
    ]
    reports = {report.campaign_id: report for report in reports_for_user(request.user).filter(campaign__in=campaigns)}
    today = timezone.localdate()
    rows = [
        {"campaign": campaign, "report": reports.get(campaign.pk), "days_left": (campaign.unit_deadline - today).days}
        for campaign in campaigns
    ]
    for row in rows:
        row["days_late"] = -row["days_left"]
    return render(request, "reports/my_unit.html", {"unit": unit, "rows": rows})


@require_POST
def report_start(request, code):
    """Create the unit's report in a campaign (first visit) and open its form."""
    if not is_officer(request.user):
        raise Http404
    unit = unit_of(request.user)
    campaign = get_object_or_404(Campaign.objects.exclude(status=CampaignStatus.DRAFT), code=code)
    if not campaign.participants().filter(pk=unit.pk).exists():
        raise Http404
    report = report_get_or_create(campaign=campaign, unit=unit, by=request.user)
    return redirect("reports:report_edit", pk=report.pk)


# --- what the report page and the form show ------------------------------------------------
def unit_results(report, values):
    """The unit's own figure, goal and status for every target its measures feed, computed
    by the aggregation service from the report's saved values (whatever its status)."""
    snapshot = Snapshot(report.campaign)
    own = {code: stored.value for code, stored in values.items() if stored.value is not None}
    return [snapshot.unit_result(target, report.unit, values=own) for target in snapshot.targets_for_unit(report.unit)]


def results_by_measure(results):
    """measure code → the results (targets with their goal for the unit) that use it."""
    by_measure = defaultdict(list)
    for result in results:
        for name in result.target.parsed.names:
            by_measure[name].append(result)
    return by_measure


def history(report, measures):
    """The report's events, newest first, with measure codes replaced by their names; every
    submission after the first is marked `resubmission` (sent again after a return)."""
    names = {measure.code: measure.name for measure in measures}
    events = list(report.events.select_related("by"))
    sent = False
    for event in reversed(events):
        event.change_rows = [_change_row(change, names) for change in event.changes]
        event.resubmission = sent and event.action == EventAction.SUBMITTED
        sent = sent or event.action == EventAction.SUBMITTED
    return events


def _change_row(change, names):
    if "measure" in change:
        label = names.get(change["measure"], change["measure"])
    elif "section" in change:
        return {"label": _("Nội dung phần %(code)s") % {"code": change["section"]}, "edited": True}
    elif "commendation" in change:
        label = _("Đề nghị khen thưởng: %(name)s") % {"name": change["commendation"]}
    else:
        label = ", ".join(change)
    return {"label": label, "old": change.get("old"), "new": change.get("new")}


def _sections_with_measures(report, measures):
    sections = list(report.campaign.sections.all())
    for section in sections:
        section.measure_list = [measure for measure in measures if measure.section_id == section.pk]
    return sections


def _report_context(request, report):
    """What both the report page and the form page show about a report."""
    measures = report_measures(report)
    values = current_values(report)
    results = unit_results(report, values)
    sections = _sections_with_measures(report, measures)
    narratives = {narrative.section_id: narrative.text for narrative in report.narratives.all()}
    goals = results_by_measure(results)
    for section in sections:
        section.narrative = narratives.get(section.pk, "")
        section.rows = [
            {"measure": measure, "stored": values.get(measure.code), "goals": goals.get(measure.code, [])}
            for measure in section.measure_list
        ]
    user = request.user
    can_edit = is_officer(user) and report.unit_id == unit_of(user).pk and report.editable
    return {
        "report": report,
        "campaign": report.campaign,
        "unit": report.unit,
        "measures": measures,
        "sections": sections,
        "results": results,
        "commendations": list(report.commendations.all()),
        "evidence_list": list(report.evidence.select_related("uploaded_by")),
        "events": history(report, measures),
        "can_edit": can_edit,
        "can_review": is_reviewer(user) and report.status == ReportStatus.SUBMITTED,
        "days_late": (timezone.localdate() - report.campaign.unit_deadline).days,
    }


# --- the report page ---------------------------------------------------------------------
@require_GET
def report_detail(request, pk):
    report = report_for_user(request.user, pk)
    return _render_detail(request, report)


def _render_detail(request, report, review_form=None):
    context = _report_context(request, report)
    context["review_form"] = review_form or ReviewForm(initial={"version": report.version})
    return render(request, "reports/report_detail.html", context)


# --- the report form ---------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def report_edit(request, pk):
    """The officer's form. "Lưu nháp" accepts blanks; "Gửi báo cáo" first saves with every
    measure required, then asks for confirmation. A stale version is refused with what
    changed meanwhile, keeping what the officer typed."""
    report = report_for_user(request.user, pk, write=True)
    if not report.editable:
        messages.info(request, _("Báo cáo đã gửi nên chỉ xem được; chờ Sở Nội vụ trả lại nếu cần sửa."))
        return redirect("reports:report_detail", pk=report.pk)
    if request.method == "GET":
        return _render_edit(request, report, *_fresh_forms(report))

    measures = report_measures(report)
    sections = list(report.campaign.sections.all())
    action = request.POST.get("action", "save")
    form = ReportForm(request.POST, measures=measures, sections=sections)
    formset = CommendationFormSet(request.POST, prefix=COMMENDATION_PREFIX)
    conflict = None
    if form.is_valid() and formset.is_valid():
        try:
            report_save_values(
                report=report,
                by=request.user,
                values=form.values(),
                notes=form.notes(),
                no_data=form.no_data(),
                narratives=form.narratives(),
                commendations=formset.rows(),
                expected_version=form.cleaned_data["version"],
                require_all=action == "submit",
            )
        except ConcurrentEdit as exc:
            conflict = exc
            # Keep what was typed; the form now carries the saved version, so saving again
            # after reading the changes below is a deliberate choice.
            data = request.POST.copy()
            data["version"] = str(exc.report.version)
            form = ReportForm(data, measures=measures, sections=sections)
            form.is_valid()
            form.add_error(None, str(exc))
        except ReportError as exc:
            form.add_problems(exc.problems)
        else:
            if action == "submit":
                return redirect("reports:report_submit", pk=report.pk)
            messages.success(request, _("Đã lưu nháp (phiên bản %(version)s).") % {"version": report.version})
            url = reverse("reports:report_edit", args=[report.pk])
            return redirect(url + ("#commendations" if action == "add_row" else ""))
    return _render_edit(request, report, form, formset, conflict=conflict)


def _render_edit(request, report, form, formset, *, conflict=None, evidence_form=None):
    context = _report_context(request, report)
    latest = {}
    if conflict is not None:
        stored = current_values(report)
        names = {measure.code: measure.name for measure in context["measures"]}
        for event in conflict.events:
            event.change_rows = [_change_row(change, names) for change in event.changes]
            for change in event.changes:
                if "measure" in change:
                    value = stored.get(change["measure"])
                    latest[change["measure"]] = (
                        format_vn_number(value.value) if value and value.value is not None else ""
                    )
    for section in context["sections"]:
        section.narrative_field = form[narrative_field(section.code)]
        for row in section.rows:
            code = row["measure"].code
            row["value"] = form[value_field(code)]
            row["no_data"] = form[no_data_field(code)]
            row["note"] = form[note_field(code)]
            row["latest"] = latest.get(code)
    context.update(
        form=form,
        formset=formset,
        conflict=conflict,
        evidence_form=evidence_form or EvidenceForm(),
        max_evidence_mb=settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
    )
    return render(request, "reports/report_edit.html", context)


# --- submission ----------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def report_submit(request, pk):
    """The confirmation step: GET shows what will be sent (or what is missing); POST sends."""
    report = report_for_user(request.user, pk, write=True)
    if not report.editable:
        messages.info(request, _("Báo cáo đã được gửi."))
        return redirect("reports:report_detail", pk=report.pk)
    form = SubmitForm(request.POST or None, initial={"version": report.version})
    problems = {}
    if request.method == "POST" and form.is_valid():
        try:
            workflow.report_submit(report=report, by=request.user, expected_version=form.cleaned_data["version"])
        except ConcurrentEdit as exc:
            messages.error(request, str(exc))
            return redirect("reports:report_submit", pk=report.pk)
        except ReportError as exc:
            problems = exc.problems
        else:
            if report.is_late:
                messages.warning(request, _("Đã gửi báo cáo. Báo cáo được ghi nhận là nộp muộn."))
            else:
                messages.success(request, _("Đã gửi báo cáo tới Sở Nội vụ."))
            return redirect("reports:report_detail", pk=report.pk)
    else:
        problems = workflow.submission_problems(report)
    context = _report_context(request, report)
    names = {measure.code: measure.name for measure in context["measures"]}
    context.update(
        form=form,
        problems=[
            {"code": code, "name": names.get(code, ""), "message": message} for code, message in problems.items()
        ],
    )
    return render(request, "reports/report_submit.html", context)


# --- review ------------------------------------------------------------------------------
@require_POST
def report_review(request, pk, decision):
    """Accept a submitted report, or return it with a reason the unit sees. Reviewers only."""
    report = report_for_user(request.user, pk)
    if not is_reviewer(request.user):
        raise Http404
    form = ReviewForm(request.POST)
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        version = form.cleaned_data["version"]
        try:
            if decision == "accept":
                workflow.report_accept(report=report, by=request.user, comment=comment, expected_version=version)
            else:
                workflow.report_return(report=report, by=request.user, reason=comment, expected_version=version)
        except ReportError as exc:
            for field, message in exc.problems.items():
                form.add_error("comment" if field == "reason" else None, message)
        else:
            if decision == "accept":
                messages.success(request, _("Đã chấp nhận báo cáo của %(unit)s.") % {"unit": report.unit.name})
            else:
                messages.success(request, _("Đã trả lại báo cáo cho %(unit)s.") % {"unit": report.unit.name})
            return redirect("reports:report_detail", pk=report.pk)
    return _render_detail(request, report, review_form=form)


@require_GET
def review_queue(request):
    """Reviewers' queue: submitted reports first, filtered by kind, group, status, late."""
    if not is_reviewer(request.user):
        raise Http404
    form = QueueFilterForm(request.GET or {"status": ReportStatus.SUBMITTED})
    reports = form.filter(reports_for_user(request.user)).distinct()
    reports = reports.select_related("submitted_by", "reviewed_by").order_by(
        F("submitted_at").asc(nulls_last=True), "unit__kind", "unit__name"
    )
    return render(request, "reports/review_queue.html", {"form": form, "reports": reports})


# --- evidence ----------------------------------------------------------------------------
@require_POST
def evidence_upload(request, pk):
    report = report_for_user(request.user, pk, write=True)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            evidence = evidence_add(
                report=report,
                by=request.user,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except EvidenceError as exc:
            for field, message in exc.problems.items():
                form.add_error(field, message)
        else:
            messages.success(request, _("Đã tải lên “%(name)s”.") % {"name": evidence.original_name})
            return redirect(reverse("reports:report_edit", args=[report.pk]) + "#evidence")
    if not report.editable:
        messages.error(request, "; ".join(form.errors.get("file", [])))
        return redirect("reports:report_detail", pk=report.pk)
    return _render_edit(request, report, *_fresh_forms(report), evidence_form=form)


def _fresh_forms(report):
    measures = report_measures(report)
    sections = list(report.campaign.sections.all())
    initial = ReportForm.initial_for(report, current_values(report), report.narratives.select_related("section"))
    form = ReportForm(initial=initial, measures=measures, sections=sections)
    formset = CommendationFormSet(initial=commendation_initial(report), prefix=COMMENDATION_PREFIX)
    return form, formset


@require_GET
def evidence_download(request, pk, evidence_pk):
    """Evidence files are served only here, to those who may read the report."""
    report = report_for_user(request.user, pk)
    evidence = get_object_or_404(report.evidence, pk=evidence_pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.file.name.rsplit("/", 1)[-1].split("-", 1)[-1],
        content_type=evidence.content_type,
    )


@require_POST
def evidence_delete(request, pk, evidence_pk):
    report = report_for_user(request.user, pk, write=True)
    evidence = get_object_or_404(report.evidence, pk=evidence_pk)
    try:
        evidence_remove(evidence=evidence, by=request.user)
    except EvidenceError as exc:
        messages.error(request, exc.problems["file"])
        return redirect("reports:report_detail", pk=report.pk)
    messages.success(request, _("Đã xóa “%(name)s”.") % {"name": evidence.original_name})
    return redirect(reverse("reports:report_edit", args=[report.pk]) + "#evidence")
