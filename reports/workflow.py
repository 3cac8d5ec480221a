"""The review workflow: draft → submitted → accepted, or submitted → returned → submitted.

Each transition records who and when, bumps the version (so a stale form cannot overwrite
the new state) and leaves a ReportEvent.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import EventAction, ReportEvent, ReportStatus
from .services import ReportError, bump_version, current_values, report_measures
from .text import text_problem
from .validation import check_unit_values

REVIEW_COMMENT_MAX_CHARS = 4000  # as the review form allows


def deadline_passed(campaign, moment=None):
    """True once the unit deadline's day is over (Asia/Ho_Chi_Minh)."""
    moment = timezone.localtime(moment or timezone.now())
    end_of_deadline = timezone.make_aware(
        datetime.datetime.combine(campaign.unit_deadline, datetime.time.max), moment.tzinfo
    )
    return moment > end_of_deadline


def submission_problems(report):
    """What stops the report from being submitted (measure code → message); empty if none."""
    measures = report_measures(report)
    values = current_values(report)
    return check_unit_values(
        measures,
        {code: mv.value for code, mv in values.items()},
        require_all=True,
        no_data={code for code, mv in values.items() if mv.no_data},
    )


def report_submit(*, report, by, expected_version=None, now=None):
    """Submit a draft or returned report. Every measure needs a value or an explicit
    "no data". Submitting after the unit deadline is allowed and marked late; on time or
    late is judged by the first submission, so sending a returned report again after the
    deadline does not make an on-time report late."""
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ReportError(_("Chỉ gửi được báo cáo đang soạn hoặc bị trả lại."))
    problems = submission_problems(report)
    if problems:
        raise ReportError(problems)
    now = now or timezone.now()
    first = report.first_submitted_at or now
    with transaction.atomic():
        bump_version(
            report,
            expected_version=report.version if expected_version is None else expected_version,
            by=by,
            status=ReportStatus.SUBMITTED,
            submitted_at=now,
            first_submitted_at=first,
            submitted_by=by,
            is_late=deadline_passed(report.campaign, first),
        )
        ReportEvent.objects.create(report=report, action=EventAction.SUBMITTED, by=by, version=report.version)
    return report


def report_return(*, report, by, reason, expected_version=None):
    """Send a submitted report back to the unit with a reason the unit sees."""
    reason = (reason or "").strip()
    if not reason:
        raise ReportError({"reason": _("Cần ghi rõ lý do trả lại để đơn vị biết cần sửa gì.")})
    _check_comment(reason)
    if report.status != ReportStatus.SUBMITTED:
        raise ReportError(_("Chỉ trả lại được báo cáo đã gửi."))
    return _review(report, by, ReportStatus.RETURNED, EventAction.RETURNED, reason, expected_version)


def report_accept(*, report, by, comment="", expected_version=None):
    """Accept a submitted report."""
    if report.status != ReportStatus.SUBMITTED:
        raise ReportError(_("Chỉ chấp nhận được báo cáo đã gửi."))
    _check_comment(comment)
    return _review(report, by, ReportStatus.ACCEPTED, EventAction.ACCEPTED, comment.strip(), expected_version)


def _check_comment(comment):
    message = text_problem(_("Ý kiến của Sở Nội vụ"), comment, max_chars=REVIEW_COMMENT_MAX_CHARS)
    if message:
        raise ReportError({"reason": message})


def _review(report, by, status, action, comment, expected_version):
    """Record a reviewer's decision: the new status, who and when, the comment the unit sees."""
    with transaction.atomic():
        bump_version(
            report,
            expected_version=report.version if expected_version is None else expected_version,
            by=by,
            status=status,
            reviewed_at=timezone.now(),
            reviewed_by=by,
            reviewer_comment=comment,
        )
        ReportEvent.objects.create(report=report, action=action, by=by, version=report.version, comment=comment)
    return report


def report_reopen(*, report, by, reason, expected_version=None):
    """Reopen an accepted report so the unit can correct it: it goes back to "returned" with
    the reason as the reviewer's comment the unit sees. When it was submitted and whether it
    was late stay as they were."""
    reason = (reason or "").strip()
    if not reason:
        raise ReportError({"reason": _("Cần ghi rõ lý do mở lại để đơn vị biết cần sửa gì.")})
    if report.status != ReportStatus.ACCEPTED:
        raise ReportError(_("Chỉ mở lại được báo cáo đã chấp nhận."))
    return _review(report, by, ReportStatus.RETURNED, EventAction.REOPENED, reason, expected_version)


def report_recall(*, report, by, expected_version=None):
    """Take back a submitted report nobody has reviewed yet, to edit it further: it goes back
    to "draft", or to "returned" when the province had already sent it back once (the
    reviewer's comment stays). Refused once a reviewer has accepted or returned it. When it
    was submitted and whether it was late stay as they were: the next submission decides."""
    if report.status == ReportStatus.ACCEPTED:
        raise ReportError(
            _("Sở Nội vụ đã chấp nhận báo cáo nên không rút lại được; nếu cần sửa, đề nghị Sở Nội vụ mở lại.")
        )
    if report.status != ReportStatus.SUBMITTED:
        raise ReportError(_("Báo cáo chưa gửi hoặc đã được trả lại, đơn vị đang sửa được nên không cần rút lại."))
    status = ReportStatus.RETURNED if report.reviewed_at else ReportStatus.DRAFT
    with transaction.atomic():
        bump_version(
            report,
            expected_version=report.version if expected_version is None else expected_version,
            by=by,
            status=status,
        )
        ReportEvent.objects.create(report=report, action=EventAction.RECALLED, by=by, version=report.version)
    return report
