"""The unit's Excel round-trip: download the prefilled sheet, upload it back into the draft."""

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
from .imports import IMPORT_MAX_BYTES, ImportRefused, Problem, report_import_rows
from .services import ConcurrentEdit, ReportError


def may_upload_xlsx(user, report):
    """Only the unit's own officer uploads, and only while the report is editable."""
    return report.editable and is_officer(user) and unit_of(user).pk == report.unit_id


@require_GET
def report_xlsx(request, pk):
    """The unit's prefilled XLSX: officer of the unit, reviewers and leaders."""
    report = report_for_user(request.user, pk)
    response = HttpResponse(workbook_bytes(unit_workbook(report)), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, unit_workbook_filename(report))
    return response


@require_POST
def report_xlsx_upload(request, pk):
    """Read the filled sheet back into the draft, all or nothing."""
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
            rows, version = read_unit_workbook(upload, report=report, name=upload.name)
            report_import_rows(report=report, rows=rows, by=request.user, file_version=version)
        except ImportRefused as exc:
            problems = exc.problems
        except ConcurrentEdit as exc:
            problems, events = [Problem(None, str(exc))], exc.events
        except ReportError as exc:
            problems = [Problem(None, message) for message in exc.problems.values()]
    if problems:
        context = {"report": report, "problems": problems, "events": events, "back": back}
        return render(request, "reports/excel_upload_result.html", context, status=400)
    messages.success(request, _("Đã nhập số liệu từ tệp Excel vào báo cáo."))
    return redirect(back)
