"""The unit's Excel round-trip: download the prefilled sheet, upload it back, see every
change it would make, then confirm (or cancel) before anything is saved.

The checked upload waits in the session (server side, never in the page), with the report
version it was checked against; the confirmation applies exactly that, and is refused if the
report was saved by anyone in between."""

import uuid

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaigns.roles import is_officer, unit_of

from .access import report_for_user
from .excel import XLSX_CONTENT_TYPE, read_unit_workbook, unit_workbook, unit_workbook_filename, workbook_bytes
from .imports import (
    IMPORT_MAX_BYTES,
    ImportRefused,
    Problem,
    UploadPlan,
    report_import_apply,
    report_import_check,
    upload_changes,
)
from .services import ConcurrentEdit, ReportError


def may_upload_xlsx(user, report):
    """Only the unit's own officer uploads, and only while the report is editable."""
    return report.editable and is_officer(user) and unit_of(user).pk == report.unit_id


def pending_key(report):
    return f"reports:xlsx-upload:{report.pk}"


@require_GET
def report_xlsx(request, pk):
    """The unit's prefilled XLSX: officer of the unit, reviewers and leaders."""
    report = report_for_user(request.user, pk)
    response = HttpResponse(workbook_bytes(unit_workbook(report)), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, unit_workbook_filename(report))
    return response


@require_POST
def report_xlsx_upload(request, pk):
    """Read the filled sheet and check it whole; nothing is saved here. What it would change
    waits in the session for the officer to confirm on the preview page."""
    report = report_for_user(request.user, pk, write=True)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
        back = reverse("reports:my_unit")
    problems, events = [], []
    upload = request.FILES.get("file")
    if not report.editable:
        problems = [Problem(None, _("Báo cáo đã gửi, không nhập được số liệu."))]
    elif upload is None:
        problems = [Problem(None, _("Chưa chọn tệp Excel để tải lên."))]
    elif upload.size > IMPORT_MAX_BYTES:
        problems = [Problem(None, _("Tệp quá lớn (tối đa %(mb)s MB).") % {"mb": IMPORT_MAX_BYTES // (1024 * 1024)})]
    elif not upload.name.lower().endswith(".xlsx"):
        problems = [Problem(None, _("Chỉ nhận tệp Excel .xlsx tải về từ trang này."))]
    else:
        try:
            sheet = read_unit_workbook(upload, report=report, name=upload.name)
            plan = report_import_check(report=report, sheet=sheet)
            if not upload_changes(report, plan):
                raise ImportRefused(_("Tệp không có thay đổi nào so với số liệu đang có trên cổng."))
        except ImportRefused as exc:
            problems = exc.problems
        except ConcurrentEdit as exc:
            problems, events = [Problem(None, str(exc))], exc.events
        except ReportError as exc:
            problems = [Problem(None, message) for message in exc.problems.values()]
    if problems:
        context = {"report": report, "problems": problems, "events": events, "back": back}
        return render(request, "reports/excel_upload_result.html", context, status=400)
    request.session[pending_key(report)] = {
        "token": uuid.uuid4().hex,
        "file": upload.name[:200],
        "back": back,
        "plan": plan.as_data(),
    }
    return redirect("reports:report_xlsx_preview", pk=report.pk)


@require_GET
def report_xlsx_preview(request, pk):
    """Every change the uploaded file would make (old → new), for the officer to confirm."""
    report = report_for_user(request.user, pk, write=True)
    pending = request.session.get(pending_key(report))
    context = {"report": report, "pending": pending}
    if pending:
        plan = UploadPlan.from_data(pending["plan"])
        changes = upload_changes(report, plan)
        context.update(
            changes=changes,
            cleared=sum(1 for change in changes if change.cleared),
            stale=report.version != plan.version,
            plan=plan,
        )
    return render(request, "reports/excel_upload_preview.html", context)


@require_POST
def report_xlsx_confirm(request, pk):
    """Save the previewed upload, exactly as checked, if the report has not changed since."""
    report = report_for_user(request.user, pk, write=True)
    key = pending_key(report)
    pending = request.session.get(key)
    if not pending or request.POST.get("token") != pending["token"]:
        messages.warning(request, _("Không có tệp Excel nào đang chờ xác nhận, hoặc tệp đã được thay bằng tệp khác."))
        return redirect("reports:report_xlsx_preview", pk=report.pk)
    back = pending["back"]
    problems, events = [], []
    try:
        report_import_apply(report=report, plan=UploadPlan.from_data(pending["plan"]), by=request.user)
    except ConcurrentEdit as exc:
        problems, events = [Problem(None, str(exc))], exc.events
    except ReportError as exc:
        problems = [Problem(None, message) for message in exc.problems.values()]
    del request.session[key]
    if problems:
        context = {"report": report, "problems": problems, "events": events, "back": back}
        return render(request, "reports/excel_upload_result.html", context, status=409 if events else 400)
    messages.success(request, _("Đã lưu số liệu từ tệp Excel vào báo cáo."))
    return redirect(back)


@require_POST
def report_xlsx_discard(request, pk):
    """Drop the upload waiting for confirmation; nothing is saved."""
    report = report_for_user(request.user, pk, write=True)
    pending = request.session.pop(pending_key(report), None)
    if pending:
        messages.info(request, _("Đã hủy tệp Excel vừa tải lên; báo cáo không thay đổi."))
        return redirect(pending["back"])
    return redirect("reports:my_unit")
