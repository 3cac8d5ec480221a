"""A unit's own report as a `Document` (reports.summary.document): the report its head signs
and sends to Sở Nội vụ, printed ready to sign as PDF (reports.summary.html) and as Word
(reports.summary.docx) from the same model, so the two files say the same thing.

Who issues it and how it is signed follow Nghị định 30/2020/NĐ-CP:

- the number line carries the unit's own symbol (`report_symbol`): the campaign file's
  `document_symbol`, else BC-UBND for a district or commune, BC- and the initials of a
  department's name (`Sở Giáo dục và Đào tạo` → BC-SGDĐT), BC for any other unit;
- a district or commune is a People's Committee, which signs collectively
  (`TM. ỦY BAN NHÂN DÂN` over `CHỦ TỊCH`) and is named "UBND thành phố Điện Biên Phủ" in
  the text; every other unit is signed by its head (its head title, GIÁM ĐỐC for a
  department) and named by its name;
- a deputy signs for the head: `KT. CHỦ TỊCH` over `PHÓ CHỦ TỊCH` (under
  `TM. ỦY BAN NHÂN DÂN` for a People's Committee), `KT. GIÁM ĐỐC` over `PHÓ GIÁM ĐỐC`;
- the signer's name, and a title other than the default, are entered on the report.
"""

import re

from django.utils import timezone

from campaigns.models import UnitKind
from campaigns.numbers import format_vn_date

from .pdf import (
    LOCAL_GOVERNMENT_KINDS,
    UBND,
    document_number_line,
    lowercase_first,
    place_and_date,
    province_name,
    recipient_lines,
    stored_value_display,
    unit_issuer,
    unit_place,
)
from .summary.content import results_table
from .summary.document import Closing, Document, Header, Heading, Paragraph, Table

RECIPIENTS = ("Sở Nội vụ (Ban Thi đua - Khen thưởng)", "Lưu: VT")

VALUE_HEADERS = ("STT", "Chỉ số", "Đơn vị tính", "Số liệu", "Ghi chú")
VALUE_WIDTHS = (1.3, 7.2, 1.9, 2.3, 3.8)
VALUE_ALIGN = ("center", "", "center", "right", "")
COMMENDATION_HEADERS = ("STT", "Đối tượng", "Tên tập thể, cá nhân", "Thành tích", "Hình thức đề nghị")
COMMENDATION_WIDTHS = (1.3, 2.2, 3.9, 5.5, 3.6)
COMMENDATION_ALIGN = ("center", "", "", "", "")

# Words a department's initials leave out: "Sở Kế hoạch và Đầu tư" → SKHĐT.
_LINKING_WORDS = {"và"}


# --- who issues and who signs ----------------------------------------------------------------
def is_people_committee(unit):
    """A district or commune reports as its People's Committee."""
    return unit.kind in LOCAL_GOVERNMENT_KINDS


def name_initials(name):
    """The initials of a name's words, upper case, linking words left out:
    `Sở Giao thông vận tải` → `SGTVT`, `Sở Văn hóa, Thể thao và Du lịch` → `SVHTTDL`."""
    words = [word for word in re.split(r"[\s,\-–]+", name) if word and word.lower() not in _LINKING_WORDS]
    return "".join(word[0] for word in words).upper()


def report_symbol(unit):
    """The symbol after the number (`Số: 05/BC-SGTVT`): the campaign file's, else derived
    from the unit's kind and name (see the module's rules)."""
    symbol = (unit.document_symbol or "").strip()
    if symbol:
        return symbol
    if is_people_committee(unit):
        return "BC-UBND"
    if unit.kind == UnitKind.DEPARTMENT and unit.name.startswith("Sở "):
        return f"BC-{name_initials(unit.name)}"
    return "BC"


def unit_body(unit):
    """The unit as the text names it: `UBND thành phố Điện Biên Phủ`, `Sở Y tế`."""
    if is_people_committee(unit):
        return f"UBND {lowercase_first(unit.name)}"
    return unit.name


def head_title(unit):
    """The head's title in the signature: CHỦ TỊCH of a People's Committee (whatever the
    file's longer head title says), else the unit's head title, GIÁM ĐỐC for a department."""
    if is_people_committee(unit):
        return "CHỦ TỊCH"
    if unit.head_title:
        return unit.head_title.strip().upper()
    return "GIÁM ĐỐC" if unit.kind == UnitKind.DEPARTMENT else "THỦ TRƯỞNG ĐƠN VỊ"


def default_signer_title(unit, *, deputy=False):
    """The signer's own title when the report gives none: the head's, or its deputy's."""
    head = head_title(unit)
    return f"PHÓ {head}" if deputy else head


def authority_lines(report, unit):
    """The signature block's capital lines above the signature (ND 30/2020, Phụ lục I)."""
    head = head_title(unit)
    lines = [f"TM. {UBND}"] if is_people_committee(unit) else []
    if report.signer_is_deputy:
        lines.append(f"KT. {head}")
    title = report.signer_title.strip() or default_signer_title(unit, deputy=report.signer_is_deputy)
    lines.append(title.upper())
    return lines


def signer_name(report, unit):
    """The name under the signature: the report's signer, else the head's own name (only
    when the head signs)."""
    return report.signer_name.strip() or ("" if report.signer_is_deputy else unit.head_name)


# --- the report ------------------------------------------------------------------------------
def values_table(unit, sections):
    """Part II: each section's measures under a row naming the section, numbered per section."""
    rows, sources = [], []
    for section, measures in sections:
        rows.append((section.code, section.title, "", "", ""))
        sources.append((unit.name, f"phần {section.code}"))
        for number, (measure, value, note) in enumerate(measures, start=1):
            rows.append((str(number), measure.name, measure.unit_of_measure, value, note))
            sources.append((unit.name, f"ghi chú của “{measure.name}”"))
    return Table(VALUE_HEADERS, rows, VALUE_WIDTHS, VALUE_ALIGN, row_sources=sources)


def commendations_table(unit, commendations):
    rows = [
        (str(index), item.get_kind_display(), item.recipient, item.achievement, item.award)
        for index, item in enumerate(commendations, start=1)
    ]
    sources = [(unit.name, f"đề nghị khen thưởng “{item.name}”") for item in commendations]
    return Table(COMMENDATION_HEADERS, rows, COMMENDATION_WIDTHS, COMMENDATION_ALIGN, row_sources=sources)


def narrative_blocks(unit, section, text):
    """A section's narrative, one paragraph per non-empty line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return [Paragraph("Không có nội dung báo cáo.")]
    return [Paragraph(line, source=(unit.name, f"nội dung phần {section.code}")) for line in lines]


def unit_report_document(report, *, today=None):
    """The unit's report as a Document. Its figures against its goals come from the
    aggregation Snapshot applied to the report's own values (draft or not); the date is the
    day it was sent (today for a draft). `report.unit` reads as in the report's campaign."""
    from .aggregation import Snapshot, measures_for_unit
    from .models import COUNTED_STATUSES

    campaign, unit = report.campaign, report.unit
    snapshot = Snapshot(campaign)
    stored = {mv.measure_id: mv for mv in report.values.all()}
    own = {m.code: stored[m.pk].value for m in snapshot.measures if m.pk in stored and stored[m.pk].value is not None}
    results = [snapshot.unit_result(target, unit, values=own) for target in snapshot.targets_for_unit(unit)]
    measures = measures_for_unit(snapshot.measures, unit)
    narratives = {narrative.section_id: narrative.text for narrative in report.narratives.all()}
    sections = list(campaign.sections.order_by("order"))

    reported = []
    for section in sections:
        rows = []
        for measure in (m for m in measures if m.section_id == section.pk):
            value = stored.get(measure.pk)
            rows.append((measure, stored_value_display(measure, value), value.note if value else ""))
        if rows:
            reported.append((section, rows))

    body_name = unit_body(unit)
    campaign_title = lowercase_first(campaign.title)
    blocks = [
        Paragraph(
            f"Thực hiện {campaign.directive_citation} ngày {format_vn_date(campaign.directive_date)} của "
            f"{province_name(campaign)} về việc {campaign_title}, {body_name} báo cáo kết quả thực hiện như sau:"
        ),
        Heading("I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU"),
        results_table(results) if results else Paragraph("Đơn vị không có chỉ tiêu được giao trong phong trào này."),
        Heading("II. SỐ LIỆU BÁO CÁO"),
        values_table(unit, reported) if reported else Paragraph("Đơn vị không có số liệu phải báo cáo."),
        Heading("III. KẾT QUẢ THỰC HIỆN CÁC NỘI DUNG"),
    ]
    for number, section in enumerate(sections, start=1):
        blocks.append(Heading(f"{number}. {section.title}", level=2))
        blocks += narrative_blocks(unit, section, narratives.get(section.pk, ""))
    commendations = list(report.commendations.all())
    blocks += [
        Heading("IV. ĐỀ NGHỊ KHEN THƯỞNG"),
        commendations_table(unit, commendations)
        if commendations
        else Paragraph("Đơn vị không có đề nghị khen thưởng."),
        Paragraph(f"Trên đây là báo cáo kết quả thực hiện phong trào thi đua của {body_name}./.", style="last"),
    ]

    date = timezone.localdate(report.submitted_at) if report.submitted_at else (today or timezone.localdate())
    parent, issuer = unit_issuer(unit, campaign)
    summary_line = f"Kết quả {campaign_title}"
    header = Header(
        parent=parent,
        issuer_lines=issuer,
        number_line=document_number_line("", report_symbol(unit)),
        place_date=place_and_date(unit_place(unit, campaign), date),
        doc_type="BÁO CÁO",
        summary_line=summary_line,
        draft_mark="" if report.status in COUNTED_STATUSES else "(Dự thảo — báo cáo chưa gửi Sở Nội vụ)",
    )
    closing = Closing(
        recipients=recipient_lines(RECIPIENTS),
        authority_lines=authority_lines(report, unit),
        name=signer_name(report, unit),
    )
    return Document(
        title=f"Báo cáo {body_name}",
        subject=summary_line,
        author=body_name,
        header=header,
        body=blocks,
        closing=closing,
    )


def unit_report_pdf(report):
    """The unit's report as PDF bytes."""
    from .pdf import html_to_pdf
    from .summary.html import document_html

    return html_to_pdf(document_html(unit_report_document(report)))


def unit_report_files(report, *, created=None):
    """The unit's report as (PDF bytes, .docx bytes), both from one reading of the report."""
    from .pdf import html_to_pdf
    from .summary.docx import document_docx
    from .summary.html import document_html

    document = unit_report_document(report)
    return html_to_pdf(document_html(document)), document_docx(document, created=created)
