"""Evidence files: what may be uploaded (checked by content, never by the name), how the
stored name is made safe, and the two domain actions that add and remove a file. Dossier
files of commendation proposals (commendations.proposals) pass the same checks
(`check_evidence`, `upload_names`)."""

import re
import unicodedata
import uuid
import zipfile
from pathlib import PurePosixPath

import filetype
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from campaigns.numbers import format_vn_number

from .models import EventAction, Evidence, ReportEvent
from .services import EDITABLE_STATUSES, ReportError, report_lock
from .text import text_problem

# Detected content type → the extension the stored file gets.
ALLOWED_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
# filetype needs the zip directory of Office files; their first entries fit in this.
SNIFF_BYTES = 64 * 1024
# XLSX and DOCX are ZIP archives: refuse those that would unpack to more than this (ZIP bombs).
ZIP_MAX_UNPACKED_BYTES = getattr(settings, "XLSX_MAX_UNPACKED_BYTES", 200 * 1024 * 1024)
ZIP_MAX_RATIO = 200


class EvidenceError(ReportError):
    """The uploaded file (or, with `field`, its description) is refused; the message is in the active language."""

    def __init__(self, message, field="file"):
        super().__init__({field: message})


def sniff_content_type(upload):
    """The content type read from the file's bytes (None when unknown)."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    return kind.mime if kind else None


def zip_unpacks_too_far(archive):
    """True when a ZIP archive (an open zipfile.ZipFile) would unpack to too much: over the
    limit, or a suspicious compression ratio on anything sizeable. Reads only the directory."""
    entries = archive.infolist()
    unpacked = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries) or 1
    return unpacked > ZIP_MAX_UNPACKED_BYTES or (unpacked / packed > ZIP_MAX_RATIO and unpacked > 10 * 1024 * 1024)


def safe_file_name(name, extension):
    """A name safe on every file system: ASCII letters, digits, `-` and `_`, Vietnamese
    letters without their marks (đ → d), no path, the extension matching the content."""
    stem = PurePosixPath(str(name).replace("\\", "/")).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    stem = stem.replace("đ", "d").replace("Đ", "D")
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_.")[:80] or "minh-chung"
    return f"{stem}.{extension}"


def check_evidence(upload):
    """The content type of an acceptable upload; raises EvidenceError otherwise."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise EvidenceError(
            _("Tệp “%(name)s” nặng %(size)s MB, vượt giới hạn %(limit)s MB.")
            % {
                "name": upload.name,
                "size": format_vn_number(upload.size / 1048576, 1),
                "limit": format_vn_number(limit / 1048576, 0),
            }
        )
    if upload.size == 0:
        raise EvidenceError(_("Tệp “%(name)s” rỗng.") % {"name": upload.name})
    content_type = sniff_content_type(upload)
    if content_type not in ALLOWED_TYPES:
        raise EvidenceError(
            _("Tệp “%(name)s” không phải PDF, JPEG, PNG, XLSX hoặc DOCX (kiểm tra theo nội dung tệp, không theo tên).")
            % {"name": upload.name}
        )
    if ALLOWED_TYPES[content_type] in ("xlsx", "docx"):
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                too_far = zip_unpacks_too_far(archive)
        except zipfile.BadZipFile:
            raise EvidenceError(_("Tệp “%(name)s” bị hỏng, không mở được.") % {"name": upload.name}) from None
        finally:
            upload.seek(0)
        if too_far:
            raise EvidenceError(
                _("Tệp “%(name)s” giải nén ra quá lớn (có thể là tệp độc hại), không nhận.") % {"name": upload.name}
            )
    return content_type


def upload_names(upload, content_type):
    """(the name as uploaded, without any path; the name to store it under: unique, safe,
    with the extension of its checked content) of an upload `check_evidence` accepted."""
    original = PurePosixPath(str(upload.name).replace("\\", "/")).name[:255]
    return original, f"{uuid.uuid4().hex[:12]}-{safe_file_name(original, ALLOWED_TYPES[content_type])}"


def evidence_add(*, report, by, upload, description=""):
    """Store an evidence file for an editable report and record it in the history."""
    if not report.editable:
        raise EvidenceError(_("Báo cáo đã gửi, không thêm minh chứng được."))
    description = description.strip()
    message = text_problem(_("Mô tả"), description, max_chars=Evidence._meta.get_field("description").max_length)
    if message:
        raise EvidenceError(message, field="description")
    content_type = check_evidence(upload)
    original, stored_name = upload_names(upload, content_type)
    with transaction.atomic():
        if report_lock(report)["status"] not in EDITABLE_STATUSES:
            raise EvidenceError("Báo cáo đã gửi, không thêm minh chứng được.")
        evidence = Evidence(
            report=report,
            original_name=original,
            content_type=content_type,
            size=upload.size,
            description=description,
            uploaded_by=by,
        )
        evidence.file.save(stored_name, upload, save=False)
        evidence.save()
        ReportEvent.objects.create(
            report=report, action=EventAction.EVIDENCE_ADDED, by=by, version=report.version, comment=original
        )
    return evidence


def evidence_remove(*, evidence, by):
    """Remove an evidence file from an editable report and record it in the history."""
    report = evidence.report
    if not report.editable:
        raise EvidenceError(_("Báo cáo đã gửi, không xóa minh chứng được."))
    with transaction.atomic():
        if report_lock(report)["status"] not in EDITABLE_STATUSES:
            raise EvidenceError("Báo cáo đã gửi, không xóa minh chứng được.")
        ReportEvent.objects.create(
            report=report,
            action=EventAction.EVIDENCE_REMOVED,
            by=by,
            version=report.version,
            comment=evidence.original_name,
        )
        evidence.delete()
        transaction.on_commit(lambda: evidence.file.delete(save=False))
