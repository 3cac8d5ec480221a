"""A unit's proposal pages: one proposal with its review, dossier files and history; its
files uploaded, downloaded and removed; the resubmission after the Sở Nội vụ asked for more;
the Excel template of a long list and its upload.

The unit's officer writes; reviewers and leaders read. Anyone else gets 404."""

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaigns.roles import can_read_province, is_officer, is_reviewer, unit_of
from reports.access import report_for_user
from reports.excel import XLSX_CONTENT_TYPE, workbook_bytes
from reports.imports import ImportRefused
from reports.services import ReportError

from .models import ProposalAction
from .proposal_excel import read_proposals, template_filename, template_workbook
from .proposal_forms import DossierUploadForm, ProposalImportForm, ResubmitForm
from .proposals import (
    dossier_open,
    files_added_since_request,
    proposal_file_add,
    proposal_file_remove,
    proposal_resubmit,
    proposals_add,
)
from .selectors import proposal_for_user


def _own_unit(user, proposal):
    return is_officer(user) and unit_of(user).pk == proposal.report.unit_id


def _render_detail(request, proposal, *, upload_form=None, resubmit_form=None, status=200):
    own = _own_unit(request.user, proposal)
    more = proposal.review_status == "more"
    context = {
        "proposal": proposal,
        "report": proposal.report,
        "campaign": proposal.report.campaign,
        "files": list(proposal.dossier_files.select_related("uploaded_by")),
        "events": list(proposal.events.select_related("by")),
        "can_upload": own and dossier_open(proposal),
        "can_resubmit": own and more,
        "upload_form": upload_form or DossierUploadForm(),
        "resubmit_form": resubmit_form or ResubmitForm(initial=_resubmit_initial(proposal), proposal=proposal),
        "files_since_request": files_added_since_request(proposal) if more else [],
        "max_mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
        "resubmitted_action": ProposalAction.RESUBMITTED,
        "reads_province": can_read_province(request.user),
        "can_review": is_reviewer(request.user) and proposal.report.counts,
    }
    return render(request, "commendations/proposal_detail.html", context, status=status)


def _resubmit_initial(proposal):
    return {"achievement": proposal.achievement, "position": proposal.position, "work_unit": proposal.work_unit}


@require_GET
def proposal_detail(request, pk):
    """The proposal, its review status and reason, its dossier and its history."""
    return _render_detail(request, proposal_for_user(request.user, pk))


@require_POST
def proposal_file_upload(request, pk):
    proposal = proposal_for_user(request.user, pk, write=True)
    form = DossierUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            dossier_file = proposal_file_add(
                proposal=proposal, by=request.user, upload=form.cleaned_data["file"], kind=form.cleaned_data["kind"]
            )
        except ReportError as exc:
            for field, message in exc.problems.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("Đã tải lên “%(name)s”.") % {"name": dossier_file.original_name})
            return redirect(reverse("commendations:proposal_detail", args=[proposal.pk]) + "#dossier")
    return _render_detail(request, proposal, upload_form=form)


@require_GET
def proposal_file_download(request, pk, file_pk):
    """Dossier files are served only here, to those who may read the proposal."""
    proposal = proposal_for_user(request.user, pk)
    dossier_file = get_object_or_404(proposal.dossier_files, pk=file_pk)
    try:
        handle = dossier_file.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=dossier_file.file.name.rsplit("/", 1)[-1].split("-", 1)[-1],
        content_type=dossier_file.content_type,
    )


@require_POST
def proposal_file_delete(request, pk, file_pk):
    proposal = proposal_for_user(request.user, pk, write=True)
    dossier_file = get_object_or_404(proposal.dossier_files, pk=file_pk)
    try:
        proposal_file_remove(dossier_file=dossier_file, by=request.user)
    except ReportError as exc:
        messages.error(request, "; ".join(exc.problems.values()))
    else:
        messages.success(request, _("Đã xóa “%(name)s”.") % {"name": dossier_file.original_name})
    return redirect(reverse("commendations:proposal_detail", args=[proposal.pk]) + "#dossier")


@require_POST
def proposal_resubmit_view(request, pk):
    """“Gửi lại”: the edited texts and the files added since the reviewer asked for more."""
    proposal = proposal_for_user(request.user, pk, write=True)
    form = ResubmitForm(request.POST, proposal=proposal)
    if form.is_valid():
        try:
            proposal_resubmit(proposal=proposal, by=request.user, **form.cleaned_data)
        except ReportError as exc:
            for field, message in exc.problems.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("Đã gửi lại đề nghị “%(name)s” tới Sở Nội vụ.") % {"name": proposal.name})
            return redirect("commendations:proposal_detail", pk=proposal.pk)
    proposal.refresh_from_db()
    return _render_detail(request, proposal, resubmit_form=form)


@require_GET
def proposals_template(request, pk):
    """The Excel template of a long list of proposals, for the report's readers."""
    report = report_for_user(request.user, pk)
    response = HttpResponse(workbook_bytes(template_workbook(report)), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, template_filename(report))
    return response


@require_POST
def proposals_upload(request, pk):
    """Add the proposals of a filled template, all or nothing (the unit's officer, while the
    report is editable)."""
    report = report_for_user(request.user, pk, write=True)
    form = ProposalImportForm(request.POST, request.FILES)
    problems = []
    if not report.editable:
        problems = [_("Báo cáo đã gửi nên không thêm đề nghị được; chờ Sở Nội vụ trả lại nếu cần bổ sung.")]
    elif not form.is_valid():
        problems = [message for errors in form.errors.values() for message in errors]
    else:
        upload = form.cleaned_data["file"]
        try:
            rows = read_proposals(report=report, file=upload, name=upload.name)
            proposals_add(report=report, by=request.user, rows=rows)
        except ImportRefused as exc:
            problems = [str(problem) for problem in exc.problems]
        except ReportError as exc:
            problems = list(exc.problems.values())
        else:
            messages.success(request, _("Đã thêm %(count)s đề nghị khen thưởng từ tệp Excel.") % {"count": len(rows)})
            return redirect(reverse("reports:report_edit", args=[report.pk]) + "#commendations")
    context = {"report": report, "campaign": report.campaign, "unit": report.unit, "problems": problems}
    return render(request, "commendations/proposal_import_refused.html", context)
