"""Unit reporting pages: the officer's unit page, the report page, submission, evidence
downloads, and the reviewer's queue and actions (the report form is in edit_views). Every
view that touches a report goes through `report_for_user`; domain actions live in services,
merge, workflow and uploads."""

from collections import defaultdict

from django.contrib import messages
from django.db.models import F
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns.models import Campaign, CampaignStatus
from campaigns.roles import is_officer, is_reviewer, unit_of
from campaigns.structure import campaign_structure

from . import review, workflow
from .access import report_for_user, reports_for_user
from .aggregation import Snapshot
from .forms import QueueFilterForm, ReviewForm, SubmitForm
from .models import EventAction, ReportStatus
from .outliers import confirmed_outlier, with_outlier_counts
from .services import (
    ConcurrentEdit,
    ReportError,
    current_values,
    report_get_or_create,
    report_measures,
)


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
    return own_results(report, {code: stored.value for code, stored in values.items() if stored.value is not None})


def own_results(report, own):
    """`unit_results` from the unit's own figures (code → number) as given."""
    snapshot = Snapshot(report.campaign)
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


SIGNER_LABELS = {
    "name": gettext_lazy("Người ký"),
    "title": gettext_lazy("Chức vụ người ký"),
    "deputy": gettext_lazy("Cấp phó ký thay (KT.)"),
}


def _change_row(change, names):
    if "merged_with_version" in change:
        return {
            "label": _("Gộp với các thay đổi đã lưu ở phiên bản %(version)s (biểu mẫu mở từ phiên bản %(base)s)")
            % {"version": change["merged_with_version"], "base": change.get("base_version")},
            "plain": True,
        }
    if ("note" in change and "new" in change) or ("no_data" in change and "measure" not in change):
        return review.flag_change_row(change, names)  # the service's note and "no data" entries
    if "note" in change:  # the report form's merge records that a note was edited
        label = _("Ghi chú — %(name)s") % {"name": names.get(change["note"], change["note"])}
        return {"label": label, "edited": True}
    if "measure" in change:
        label = names.get(change["measure"], change["measure"])
        if change.get("no_data"):
            return {"label": label, "old": change.get("old"), "new": _("Không có số liệu")}
    elif "section" in change:
        return {"label": _("Nội dung phần %(code)s") % {"code": change["section"]}, "edited": True}
    elif "commendation" in change:
        label = _("Đề nghị khen thưởng: %(name)s") % {"name": change["commendation"]}
    elif "signer" in change:
        label = SIGNER_LABELS.get(change["signer"], change["signer"])
        if change["signer"] == "deputy":
            return {
                "label": label,
                "old": _("Có") if change["old"] else _("Không"),
                "new": _("Có") if change["new"] else _("Không"),
            }
    else:
        label = ", ".join(change)
    return {"label": label, "old": change.get("old"), "new": change.get("new"), "edited": change.get("edited")}


def _sections_with_measures(report, measures):
    sections = campaign_structure(report.campaign).sections_copy()
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
        "commendations": list(report.commendations.select_related("award_form")),
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


def _render_detail(request, report, review_form=None, reopen_form=None):
    context = _report_context(request, report)
    context["review_form"] = review_form or ReviewForm(initial={"version": report.version})
    context.update(_review_aids(request, report, context, reopen_form))
    return render(request, "reports/report_detail.html", context)


def _review_aids(request, report, context, reopen_form):
    """What the report page adds for a decision: the changes since a return, the reopen
    (reviewers, accepted reports) and recall (the unit, submitted reports) actions."""
    user = request.user
    own_unit = is_officer(user) and report.unit_id == unit_of(user).pk
    flagged = []
    for section in context["sections"]:
        for row in section.rows:
            row["outlier"] = confirmed_outlier(row["stored"])
            if row["outlier"] is not None:
                flagged.append(row)
    return {
        "outlier_rows": flagged,
        "changes_since_return": (
            review.changes_since_return(report, context["measures"])
            if review.shows_changes_since_return(report)
            else None
        ),
        "can_reopen": is_reviewer(user) and report.status == ReportStatus.ACCEPTED,
        "reopen_form": reopen_form or ReviewForm(initial={"version": report.version}),
        "can_recall": own_unit and report.status == ReportStatus.SUBMITTED,
    }


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


def _stale(request, report):
    report.refresh_from_db()
    messages.error(
        request,
        _(
            "Báo cáo vừa được người khác thay đổi (nay là phiên bản %(version)s, %(status)s) nên thao tác "
            "chưa được thực hiện. Xem lại báo cáo rồi thử lại nếu vẫn cần."
        )
        % {"version": report.version, "status": report.get_status_display().lower()},
    )
    return redirect("reports:report_detail", pk=report.pk)


@require_POST
def report_reopen(request, pk):
    """Reopen an accepted report with a reason the unit sees, so the unit can correct it.
    Reviewers only."""
    report = report_for_user(request.user, pk)
    if not is_reviewer(request.user):
        raise Http404
    form = ReviewForm(request.POST)
    if not form.is_valid():
        if "version" in form.errors:
            messages.error(request, _("Biểu mẫu thiếu phiên bản báo cáo; hãy tải lại trang."))
            return redirect("reports:report_detail", pk=report.pk)
        return _render_detail(request, report, reopen_form=form)
    try:
        workflow.report_reopen(
            report=report,
            by=request.user,
            reason=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["version"],
        )
    except ConcurrentEdit:
        return _stale(request, report)
    except ReportError as exc:
        if "reason" in exc.problems:
            form.add_error("comment", exc.problems["reason"])
            return _render_detail(request, report, reopen_form=form)
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Đã mở lại báo cáo của %(unit)s; đơn vị sửa được và gửi lại.") % {"unit": report.unit.name}
        )
    return redirect("reports:report_detail", pk=report.pk)


@require_POST
def report_recall(request, pk):
    """The unit takes back a submitted report nobody has reviewed yet, to edit it further."""
    report = report_for_user(request.user, pk, write=True)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Biểu mẫu thiếu phiên bản báo cáo; hãy tải lại trang."))
        return redirect("reports:report_detail", pk=report.pk)
    try:
        workflow.report_recall(report=report, by=request.user, expected_version=form.cleaned_data["version"])
    except ConcurrentEdit:
        return _stale(request, report)
    except ReportError as exc:
        messages.error(request, str(exc))
        return redirect("reports:report_detail", pk=report.pk)
    messages.success(request, _("Đã rút lại báo cáo. Sửa xong, hãy gửi lại để Sở Nội vụ xét."))
    return redirect("reports:report_edit", pk=report.pk)


@require_GET
def review_queue(request):
    """Reviewers' queue: submitted reports first, filtered by kind, group, status, late."""
    if not is_reviewer(request.user):
        raise Http404
    form = QueueFilterForm(request.GET or {"status": ReportStatus.SUBMITTED})
    reports = form.filter(reports_for_user(request.user)).distinct()
    reports = with_outlier_counts(reports)
    reports = reports.select_related("submitted_by", "reviewed_by").order_by(
        F("submitted_at").asc(nulls_last=True), "unit__kind", "unit__name"
    )
    return render(request, "reports/review_queue.html", {"form": form, "reports": reports})


# --- evidence ----------------------------------------------------------------------------
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
