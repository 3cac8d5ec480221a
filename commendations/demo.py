"""Demo proposals for the demo campaigns: an emulation flag proposed by the top unit of a
cluster and one by a unit that is not at the top (so the reviewer sees a proposal the results
do not back), certificates of merit for collectives, individuals and a household, some with
a dossier file. Only for a campaign with an award catalogue; idempotent.

The demo's reports are sent before this runs (their history is made through the real
workflow), so the proposals are written into them directly, as the unit would have written
them with its figures."""

from django.core.files.base import ContentFile
from django.db import transaction

from campaigns.roles import is_officer
from reports.dashboards import cluster_ranking
from reports.models import COUNTED_STATUSES, Commendation, CommendationKind, UnitReport
from reports.uploads import safe_file_name

from .models import DossierKind
from .proposals import dossier_file_store

FLAG = "co-thi-dua-ubnd-tinh"
CERTIFICATE = "bang-khen-chu-tich-ubnd-tinh"

PEOPLE = (
    ("Lò Văn Minh", "Chủ tịch Ủy ban nhân dân xã", "Ủy ban nhân dân xã {place}"),
    ("Quàng Thị Lan", "Giáo viên", "Trường Phổ thông dân tộc bán trú {place}"),
    ("Tòng Văn Hặc", "Trưởng bản", "Bản Na Son, {place}"),
)
HOUSEHOLDS = ("Hộ ông Lò Văn Pọm", "Hộ bà Vừ Thị Dở")


def tiny_pdf(title):
    """A one-page PDF saying `title` (ASCII), valid enough for any reader."""
    text = title.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 72 770 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _officer(report):
    return next((event.by for event in report.events.order_by("at", "pk") if event.by and is_officer(event.by)), None)


def _place(unit):
    for prefix in ("Huyện ", "Thị xã ", "Thành phố ", "Xã ", "Phường "):
        if unit.name.startswith(prefix):
            return unit.name[len(prefix) :]
    return "Mường Ảng"


def _propose(report, form, *, kind, name, achievement, position="", work_unit="", dossier=None):
    proposal = Commendation.objects.create(
        report=report,
        order=report.commendations.count() + 1,
        kind=kind,
        name=name,
        position=position,
        work_unit=work_unit,
        award_form=form,
        award=form.name,
        achievement=achievement,
    )
    if dossier is not None:
        kind_of_file, title = dossier
        by = _officer(report)
        original = f"{title}.pdf"
        dossier_file_store(  # the demo's own PDF, written to a sent report as the unit had sent it
            proposal=proposal,
            kind=kind_of_file,
            original=original,
            stored_name=safe_file_name(original, "pdf"),
            content=ContentFile(tiny_pdf(safe_file_name(title, "pdf"))),
            content_type="application/pdf",
            by=by,
        )
    return proposal


def _flag_units(campaign):
    """(the top unit of the first cluster with two units reporting, a unit of it below the
    top), or (None, None)."""
    for _group, ranked in cluster_ranking(campaign=campaign)["groups"]:
        reported = [row for row in ranked if row.reported]
        if len(reported) >= 2 and reported[-1].rank > reported[0].rank:
            return reported[0].unit, reported[-1].unit
    return None, None


@transaction.atomic
def demo_proposals(*, campaign):
    """Add the demo proposals to the campaign's sent reports. Returns a one-line summary."""
    if campaign.award_catalogue_id is None:
        return ""
    forms = {form.code: form for form in campaign.award_catalogue.forms.all()}
    if FLAG not in forms or CERTIFICATE not in forms:
        return ""
    reports = {
        report.unit_id: report
        for report in UnitReport.objects.filter(campaign=campaign, status__in=COUNTED_STATUSES).select_related("unit")
    }
    if Commendation.objects.filter(report__campaign=campaign, award_form__isnull=False).exists() or not reports:
        return "Đề nghị khen thưởng mẫu đã có sẵn."
    flag, certificate = forms[FLAG], forms[CERTIFICATE]
    top, below = _flag_units(campaign)
    made = []
    if top is not None:
        report = reports[top.pk]
        made.append(
            _propose(
                report,
                flag,
                kind=CommendationKind.COLLECTIVE,
                name=top.name,
                achievement="Dẫn đầu cụm thi đua, hoàn thành toàn bộ chỉ tiêu phong trào năm 2024.",
                dossier=(DossierKind.SUBMISSION, f"To trinh de nghi Co thi dua - {top.code}"),
            )
        )
        made.append(
            _propose(
                report,
                certificate,
                kind=CommendationKind.INDIVIDUAL,
                name=PEOPLE[0][0],
                position=PEOPLE[0][1],
                work_unit=PEOPLE[0][2].format(place=_place(top)),
                achievement="Chỉ đạo xóa 120 nhà tạm, giảm 4,2% hộ nghèo trên địa bàn.",
                dossier=(DossierKind.ACHIEVEMENT, "Bao cao thanh tich Lo Van Minh"),
            )
        )
        made.append(
            _propose(
                reports[below.pk],
                flag,
                kind=CommendationKind.COLLECTIVE,
                name=below.name,
                achievement="Hoàn thành phần lớn các chỉ tiêu của phong trào.",
            )
        )
    others = [report for unit_id, report in sorted(reports.items()) if unit_id not in {getattr(top, "pk", None)}]
    for index, report in enumerate(others[:3]):
        place = _place(report.unit)
        made.append(
            _propose(
                report,
                certificate,
                kind=CommendationKind.COLLECTIVE,
                name=f"{'Công đoàn' if index == 0 else 'Văn phòng'} {report.unit.name}",
                achievement="Tổ chức tốt các hoạt động tuyên truyền kỷ niệm 70 năm Chiến thắng Điện Biên Phủ.",
                dossier=(DossierKind.ACHIEVEMENT, f"Bao cao thanh tich tap the {index + 1}") if index == 0 else None,
            )
        )
        name, position, work_unit = PEOPLE[1 + index % 2]
        made.append(
            _propose(
                report,
                certificate,
                kind=CommendationKind.INDIVIDUAL,
                name=name if index < 2 else "Vàng A Dua",
                position=position,
                work_unit=work_unit.format(place=place),
                achievement="Có thành tích xuất sắc trong phong trào thi đua năm 2024.",
            )
        )
        if index < len(HOUSEHOLDS):
            made.append(
                _propose(
                    report,
                    certificate,
                    kind=CommendationKind.HOUSEHOLD,
                    name=HOUSEHOLDS[index],
                    work_unit=f"Bản Huổi Lếch, {place}",
                    achievement="Hiến 500 m² đất làm đường giao thông nông thôn.",
                )
            )
    return f"Đã tạo {len(made)} đề nghị khen thưởng mẫu."
