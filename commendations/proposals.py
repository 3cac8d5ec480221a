"""What a unit does to its proposals besides writing them in the report form: the dossier
files of each proposal, the resubmission after the Sở Nội vụ asked for more, and a long list
added from an Excel sheet. Every step is in the proposal's history (ProposalEvent) or the
report's (ReportEvent)."""

from django.db import transaction
from django.utils.translation import gettext as _

from reports import merge
from reports.models import Commendation, EventAction, ReportEvent, ReviewStatus
from reports.services import EDITABLE_STATUSES, ReportError, bump_version, report_lock
from reports.uploads import check_evidence, upload_names

from .awards import campaign_forms, row_problems
from .models import DossierFile, DossierKind, ProposalAction, ProposalEvent

# What the officer may change of a proposal the reviewer asked more for.
RESUBMIT_FIELDS = ("achievement", "position", "work_unit")


class ProposalError(ReportError):
    """A proposal action was refused; `problems` maps a field (or "__all__") to a message."""


def dossier_open(proposal):
    """Whether the unit may add or remove the proposal's files: while its report is
    editable, or while the reviewer has asked for more on this proposal."""
    return proposal.report.editable or proposal.review_status == ReviewStatus.MORE_REQUESTED


def _lock(proposal):
    """The proposal's review status and its report's status, read afresh with both rows
    locked for the caller's transaction."""
    report_status = report_lock(proposal.report)["status"]
    review_status = (
        Commendation.objects.select_for_update().filter(pk=proposal.pk).values_list("review_status", flat=True)
    )
    return report_status, review_status.get()


def _refuse_closed(report_status, review_status):
    if report_status not in EDITABLE_STATUSES and review_status != ReviewStatus.MORE_REQUESTED:
        raise ProposalError(
            {
                "file": _(
                    "Hồ sơ chỉ thêm, xóa được khi báo cáo đang soạn hoặc bị trả lại, hoặc khi Sở Nội vụ "
                    "yêu cầu bổ sung đề nghị này."
                )
            }
        )


def proposal_file_add(*, proposal, by, upload, kind):
    """Store a dossier file of `proposal` (checked like evidence: by content, size, ZIP
    bombs, a safe stored name) and record it in the proposal's history."""
    if kind not in DossierKind.values:
        raise ProposalError({"kind": _("Chọn loại hồ sơ.")})
    _refuse_closed(proposal.report.status, proposal.review_status)
    content_type = check_evidence(upload)
    original, stored_name = upload_names(upload, content_type)
    with transaction.atomic():
        _refuse_closed(*_lock(proposal))
        return dossier_file_store(
            proposal=proposal,
            kind=kind,
            original=original,
            stored_name=stored_name,
            content=upload,
            content_type=content_type,
            by=by,
        )


def dossier_file_store(*, proposal, kind, original, stored_name, content, content_type, by):
    """Write a dossier file already checked (`content`: a Django File) and its step in the
    proposal's history."""
    dossier_file = DossierFile(
        proposal=proposal,
        kind=kind,
        original_name=original,
        content_type=content_type,
        size=content.size,
        uploaded_by=by,
    )
    dossier_file.file.save(stored_name, content, save=False)
    dossier_file.save()
    ProposalEvent.objects.create(
        proposal=proposal,
        action=ProposalAction.FILE_ADDED,
        by=by,
        detail={"file": original, "kind": kind, "file_id": dossier_file.pk},
    )
    return dossier_file


def proposal_file_remove(*, dossier_file, by):
    """Remove a dossier file and record it in the proposal's history."""
    proposal = dossier_file.proposal
    _refuse_closed(proposal.report.status, proposal.review_status)
    with transaction.atomic():
        _refuse_closed(*_lock(proposal))
        ProposalEvent.objects.create(
            proposal=proposal,
            action=ProposalAction.FILE_REMOVED,
            by=by,
            detail={"file": dossier_file.original_name, "kind": dossier_file.kind},
        )
        dossier_file.delete()
        transaction.on_commit(lambda: dossier_file.file.delete(save=False))


def files_added_since_request(proposal):
    """The names of the files added since the reviewer last asked for more."""
    asked = proposal.events.filter(action=ProposalAction.MORE_REQUESTED).order_by("-at", "-pk").first()
    added = proposal.events.filter(action=ProposalAction.FILE_ADDED)
    if asked is not None:
        added = added.filter(at__gte=asked.at).exclude(pk__lt=asked.pk, at=asked.at)
    kept = set(proposal.dossier_files.values_list("pk", flat=True))
    return [event.detail.get("file", "") for event in added if event.detail.get("file_id") in kept]


def _text(value):
    return str(value or "").replace("\r\n", "\n").strip()


def proposal_resubmit(*, proposal, by, achievement=None, position=None, work_unit=None):
    """Send a proposal back to the Sở Nội vụ after it asked for more: with the edited
    achievement, position and work unit (None: unchanged) and the files added since. A
    resubmission that changes nothing and adds no file is refused. The report's own rules
    hold (text rules, a person's position); its version moves when a text changes, so an
    open report form merges with the new text rather than over it."""
    if proposal.review_status != ReviewStatus.MORE_REQUESTED:
        raise ProposalError(_("Đề nghị này không ở trạng thái “Cần bổ sung” nên không gửi lại được."))
    typed = {"achievement": achievement, "position": position, "work_unit": work_unit}
    edits = {field: _text(value) for field, value in typed.items() if value is not None}
    labels = {field: str(Commendation._meta.get_field(field).verbose_name) for field in RESUBMIT_FIELDS}
    changes = [
        {"field": field, "label": labels[field], "old": getattr(proposal, field), "new": value}
        for field, value in edits.items()
        if value != getattr(proposal, field)
    ]
    row = {**merge.commendation_row(merge.commendation_value(proposal)), **edits}
    problems = {
        field: message
        for field, message in row_problems(row, forms=campaign_forms(proposal.report.campaign)).items()
        if field in RESUBMIT_FIELDS
    }
    if problems:
        raise ProposalError(problems)
    files = files_added_since_request(proposal)
    if not changes and not files:
        raise ProposalError(
            _("Chưa có gì bổ sung: sửa thành tích, chức vụ, đơn vị công tác hoặc thêm hồ sơ trước khi gửi lại.")
        )
    with transaction.atomic():
        report = proposal.report
        report_lock(report)
        if _lock(proposal)[1] != ReviewStatus.MORE_REQUESTED:
            raise ProposalError(_("Đề nghị này vừa được Sở Nội vụ xét lại; tải lại trang."))
        for change in changes:
            setattr(proposal, change["field"], change["new"])
        proposal.review_status = ReviewStatus.RESUBMITTED
        proposal.save(update_fields=[*RESUBMIT_FIELDS, "review_status"])
        ProposalEvent.objects.create(
            proposal=proposal,
            action=ProposalAction.RESUBMITTED,
            by=by,
            detail={"changes": changes, "files": files},
        )
        if changes:
            bump_version(report, expected_version=report_lock(report)["version"], by=by)
            ReportEvent.objects.create(
                report=report,
                action=EventAction.SAVED,
                by=by,
                version=report.version,
                changes=[{"commendation": proposal.name, "old": proposal.name, "new": proposal.name, "edited": True}],
                comment=_("Bổ sung đề nghị khen thưởng theo yêu cầu của Sở Nội vụ."),
            )
    return proposal


def proposals_add(*, report, by, rows):
    """Add `rows` (dicts of proposal fields, each checked by the caller with
    `awards.row_problems`) to the report's proposals, all or nothing, through the report's
    merge (so the report's rules and REPORT_COMMENDATIONS_MAX hold) with one ReportEvent.
    Returns the merge's Outcome."""
    base = merge.Base(version=report.version, state=merge.report_state(report))
    mine = {
        merge.key(merge.COMMENDATION, f"+{index}"): [row.get(name, "") or "" for name in merge.COMMENDATION_FIELDS]
        for index, row in enumerate(rows)
    }
    with transaction.atomic():
        outcome = merge.report_save_edits(report=report, by=by, base=base, mine=mine)
        if outcome.held or outcome.conflicts:
            problems = outcome.held or {"__all__": _("Báo cáo vừa được người khác lưu; hãy tải tệp lên lại.")}
            raise ProposalError({"__all__": "; ".join(dict.fromkeys(problems.values()))})
        event = report.events.filter(version=report.version, action=EventAction.SAVED).first()
        if event is not None:
            event.action, event.comment = EventAction.IMPORTED, _("Nhập danh sách đề nghị khen thưởng từ tệp Excel.")
            event.save(update_fields=["action", "comment"])
    return outcome
