"""The commendation documents as `reports.summary.document.Document` objects: the Sở Nội vụ's
Tờ trình proposing the list and the draft Quyết định of the Chủ tịch UBND tỉnh, each with the
list (Danh sách) attached as a Phụ lục. They are rendered by the summary's own renderers
(reports.summary.html + reports.pdf for the PDF, reports.summary.docx for Word), so the two
files of a document say the same thing and follow Nghị định 30/2020/NĐ-CP the same way.

Input is the decision's list, `campaign_list(campaign)`: the approved proposals grouped by
award form in catalogue order (commendations.selectors.decision_list), units named as in the
campaign. A document is marked DỰ THẢO until its
own number is entered on the decision (the Tờ trình's, the Quyết định's).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from campaigns.models import Unit
from campaigns.numbers import format_vn_date, format_vn_number
from reports.models import COUNTED_STATUSES, Commendation, CommendationKind, CouncilResult, ReviewStatus
from reports.pdf import (
    BLANK_NUMBER,
    UBND,
    html_to_pdf,
    lowercase_first,
    place_and_date,
    province_short,
    recipient_lines,
)
from reports.summary.document import Appendix, Closing, Document, Header, Heading, Paragraph, Table

from .selectors import decision_list

SUBMISSION_SYMBOL = "TTr-SNV"
DECISION_SYMBOL = "QĐ-UBND"
DRAFT_MARK = "DỰ THẢO"
DEPARTMENT = "SỞ NỘI VỤ"

LIST_HEADERS = ("STT", "Tên tập thể, cá nhân", "Chức vụ, đơn vị", "Đơn vị đề nghị")
LIST_WIDTHS = (1.3, 5.9, 5.3, 4.0)
LIST_ALIGN = ("center", "", "", "")
COUNT_HEADERS = ("STT", "Hình thức khen thưởng", "Tập thể", "Cá nhân", "Hộ gia đình", "Cộng")
COUNT_WIDTHS = (1.3, 6.8, 2.1, 2.1, 2.1, 2.1)
COUNT_ALIGN = ("center", "", "right", "right", "right", "right")

KIND_LABELS = {
    CommendationKind.COLLECTIVE: "Tập thể",
    CommendationKind.INDIVIDUAL: "Cá nhân",
    CommendationKind.HOUSEHOLD: "Hộ gia đình",
}
KIND_WORDS = {  # "2 tập thể, 3 cá nhân và 1 hộ gia đình"
    CommendationKind.COLLECTIVE: "tập thể",
    CommendationKind.INDIVIDUAL: "cá nhân",
    CommendationKind.HOUSEHOLD: "hộ gia đình",
}
KINDS = (CommendationKind.COLLECTIVE, CommendationKind.INDIVIDUAL, CommendationKind.HOUSEHOLD)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")

SUBMISSION_RECIPIENTS = ("Như trên", "Lãnh đạo UBND tỉnh", "Giám đốc Sở", "Lưu: VT, TĐKT")
DECISION_RECIPIENTS = (
    "Như Điều 3",
    "Ban Thi đua - Khen thưởng Trung ương",
    "Thường trực Tỉnh ủy (b/c)",
    "Thường trực HĐND tỉnh (b/c)",
    "Lãnh đạo UBND tỉnh",
    "Sở Nội vụ (Ban Thi đua - Khen thưởng)",
    "Lưu: VT, KSTT",
)


def campaign_list(campaign):
    """The decision's list (`decision_list`) with each proposing unit named as it was during
    the campaign: what every page, print and export of the decision shows."""
    groups = decision_list(campaign)
    units = {unit.pk: unit for unit in Unit.objects.as_in(campaign, participants_only=False)}
    for group in groups:
        for proposal in group.proposals:
            proposal.report.unit = units.get(proposal.report.unit_id, proposal.report.unit)
    return groups


def roman(number):
    return ROMAN[number - 1] if number <= len(ROMAN) else str(number)


def two_digits(number):
    """Counts in running text as official letters write them: 02 tập thể, 12 cá nhân."""
    return f"{number:02d}" if number < 10 else format_vn_number(number)


def full_number(number, symbol):
    """`Số: 123/QĐ-UBND` when entered, else the blank the clerk fills: `Số:        /QĐ-UBND`."""
    number = (number or "").strip()
    return f"Số: {number}" if number else f"Số: {BLANK_NUMBER}/{symbol}"


def cited_number(number, symbol):
    """`số 123/QĐ-UBND` in running text, `số …/QĐ-UBND` before it is entered."""
    number = (number or "").strip()
    return f"số {number}" if number else f"số …/{symbol}"


def cited_date(date):
    return f"ngày {format_vn_date(date)}" if date else "ngày …/…/…"


def basis_text(item):
    """One legal basis of the catalogue as a decision cites it: a law by its name and date
    ("Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022"), any other document by kind,
    number, date, issuer and what it is about ("Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12
    năm 2023 của Chính phủ quy định chi tiết …"). A mapping without a number, or a string,
    is cited as written."""
    if not isinstance(item, dict):
        return str(item or "").strip()
    kind, number, name = (str(item.get(key) or "").strip() for key in ("kind", "number", "name"))
    if kind and name:
        dated = f" {spelled_date(item['date'])}" if item.get("date") else ""
        if kind == "Luật" or not number:
            return f"{name}{dated}"
        about = name[len(kind) :].strip() if name.startswith(kind) else name
        issuer = f" của {item['issuer']}" if item.get("issuer") else ""
        return f"{kind} số {number}{dated}{issuer} {lowercase_first(about)}".strip()
    for key in ("citation", "title", "name", "text"):
        if item.get(key):
            return str(item[key]).strip()
    return ""


def lapsed_bases(catalogue, on):
    """The catalogue's legal documents no longer in force on the date `on` (their `until`
    is before it), each as (kind and number, last day in force): a decision signed then must not
    cite them, so the catalogue to use is a newer one."""
    lapsed = []
    for item in catalogue.legal_basis if catalogue else []:
        if isinstance(item, dict) and item.get("until"):
            until = datetime.date.fromisoformat(str(item["until"]))
            if until < on:
                label = (
                    f"{item['kind']} {item['number']}" if item.get("kind") and item.get("number") else basis_text(item)
                )
                lapsed.append((label, until))
    return lapsed


def spelled_date(value):
    """`ngày 15 tháng 6 năm 2022`, as documents cite each other (value: a date or ISO text)."""
    day = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))
    return f"ngày {day.day} tháng {day.month} năm {day.year}"


def basis_lines(catalogue):
    """`Căn cứ …;` for each legal basis of the catalogue, in its order."""
    texts = [basis_text(item) for item in (catalogue.legal_basis if catalogue else [])]
    lines = []
    for text in filter(None, texts):
        text = text.rstrip(" ;.")
        lines.append(text if text.lower().startswith("căn cứ") else f"Căn cứ {text}")
    return [f"{line};" for line in lines]


def kind_counts_text(counts):
    """`02 tập thể, 03 cá nhân và 01 hộ gia đình` (kinds with none left out)."""
    parts = [f"{two_digits(counts[kind])} {KIND_WORDS[kind]}" for kind in KINDS if counts.get(kind)]
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " và " + parts[-1]
    return parts[0] if parts else "0"


def group_kind_counts(group):
    counts = dict.fromkeys(KINDS, 0)
    for proposal in group.proposals:
        counts[proposal.kind] = counts.get(proposal.kind, 0) + 1
    return counts


def position_and_unit(proposal):
    """`Chức vụ, đơn vị` of the list: a person's position and work unit, a collective's unit."""
    parts = [text.strip() for text in (proposal.position, proposal.work_unit) if text and text.strip()]
    return ", ".join(parts)


def kind_groups(group):
    """(kind, proposals) of an award form in the list's order: the order the list gives
    (collectives first), each kind once."""
    by_kind = {}
    for proposal in group.proposals:
        by_kind.setdefault(proposal.kind, []).append(proposal)
    return list(by_kind.items())


def list_blocks(groups):
    """The Danh sách: a part per award form (I. Cờ thi đua …, II. Bằng khen …), under it an
    item per kind (1. Tập thể, 2. Cá nhân …), each a table numbered from 1."""
    blocks = []
    for number, group in enumerate(groups, start=1):
        counts = kind_counts_text(group_kind_counts(group))
        blocks.append(Heading(f"{roman(number)}. {group.form.name.upper()} ({counts})"))
        for item, (kind, proposals) in enumerate(kind_groups(group), start=1):
            blocks.append(Heading(f"{item}. {KIND_LABELS.get(kind, kind)}", level=2))
            rows = [
                (str(index), proposal.name, position_and_unit(proposal), proposal.report.unit.name)
                for index, proposal in enumerate(proposals, start=1)
            ]
            sources = [(proposal.report.unit.name, f"đề nghị khen thưởng “{proposal.name}”") for proposal in proposals]
            blocks.append(Table(LIST_HEADERS, rows, LIST_WIDTHS, LIST_ALIGN, row_sources=sources))
    if not blocks:
        blocks.append(Paragraph("Chưa có tập thể, cá nhân nào được đồng ý đề nghị khen thưởng.", style="plain"))
    return blocks


def list_appendix(groups, reference, *, proposed):
    """The Danh sách attached to the Tờ trình (`proposed`: names proposed) or the Quyết định."""
    return Appendix(
        anchor="danh-sach",
        label="DANH SÁCH",
        title=f"TẬP THỂ, CÁ NHÂN {'ĐƯỢC ĐỀ NGHỊ' if proposed else 'ĐƯỢC'} KHEN THƯỞNG",
        reference=reference,
        blocks=list_blocks(groups),
    )


@dataclass
class ReviewCounts:
    """How the Sở Nội vụ's review and the council ended, for the Tờ trình."""

    received: int
    units: int
    agreed: int
    more: int
    disagreed: int
    waiting: int
    voted_passed: int
    voted_failed: int
    listed: int


def review_counts(campaign, groups):
    """Counted over the proposals of the campaign's counted reports (submitted, accepted)."""
    proposals = Commendation.objects.filter(report__campaign=campaign, report__status__in=COUNTED_STATUSES)
    figures = proposals.aggregate(
        received=Count("pk"),
        units=Count("report__unit", distinct=True),
        agreed=Count("pk", filter=Q(review_status=ReviewStatus.AGREED)),
        more=Count("pk", filter=Q(review_status=ReviewStatus.MORE_REQUESTED)),
        disagreed=Count("pk", filter=Q(review_status=ReviewStatus.DISAGREED)),
        waiting=Count("pk", filter=Q(review_status__in=(ReviewStatus.PENDING, ReviewStatus.RESUBMITTED))),
        voted_passed=Count("pk", filter=Q(council_result=CouncilResult.PASSED)),
        voted_failed=Count("pk", filter=Q(council_result=CouncilResult.FAILED)),
    )
    return ReviewCounts(listed=sum(len(group.proposals) for group in groups), **figures)


def counts_table(groups):
    """Part II of the Tờ trình: per award form, how many of each kind, and the totals."""
    rows, totals = [], dict.fromkeys(KINDS, 0)
    for number, group in enumerate(groups, start=1):
        counts = group_kind_counts(group)
        for kind in KINDS:
            totals[kind] += counts[kind]
        rows.append(
            (
                str(number),
                group.form.name,
                *(format_vn_number(counts[kind]) for kind in KINDS),
                str(len(group.proposals)),
            )
        )
    rows.append(("", "Tổng cộng", *(format_vn_number(totals[kind]) for kind in KINDS), str(sum(totals.values()))))
    return Table(COUNT_HEADERS, rows, COUNT_WIDTHS, COUNT_ALIGN)


def campaign_reference(campaign):
    """`Công văn số 1908/UBND-KSTT ngày 24/04/2024 của UBND tỉnh Điện Biên về việc …`."""
    return (
        f"{campaign.directive_citation} ngày {format_vn_date(campaign.directive_date)} của UBND tỉnh "
        f"{campaign.province} về việc {lowercase_first(campaign.title).rstrip('.')}"
    )


def dated(campaign, date, today=None):
    """`Điện Biên, ngày 20 tháng 12 năm 2024`; before the date is entered, the day and month
    left blank for the clerk (`Điện Biên, ngày      tháng      năm 2024`)."""
    if date:
        return place_and_date(campaign.place, date)
    year = (today or timezone.localdate()).year
    return f"{campaign.place}, ngày {BLANK_NUMBER} tháng {BLANK_NUMBER} năm {year}"


def subject_of(campaign):
    """What the list is for: `tập thể, cá nhân có thành tích xuất sắc trong thực hiện Công văn
    số 1908/UBND-KSTT của UBND tỉnh Điện Biên`."""
    return (
        f"tập thể, cá nhân có thành tích xuất sắc trong thực hiện {campaign.directive_citation} "
        f"của UBND tỉnh {campaign.province}"
    )


def submission_document(campaign, decision, groups, *, counts=None, today=None):
    """The Sở Nội vụ's Tờ trình to the UBND tỉnh proposing the list (Danh sách attached)."""
    counts = counts or review_counts(campaign, groups)
    number, date = decision.submission_number, decision.submission_date
    subject = f"V/v đề nghị khen thưởng {subject_of(campaign)}"
    body = [Paragraph(line, style="body") for line in basis_lines(campaign.award_catalogue)]
    body.append(Paragraph(f"Thực hiện {campaign_reference(campaign)};"))
    body.append(
        Paragraph(
            "Sở Nội vụ (Ban Thi đua - Khen thưởng) đã tổng hợp, thẩm định hồ sơ đề nghị khen thưởng "
            "của các cơ quan, đơn vị, địa phương và kính trình Ủy ban nhân dân tỉnh như sau:"
        )
    )
    council = ""
    if counts.voted_passed or counts.voted_failed:
        council = (
            f" Hội đồng Thi đua - Khen thưởng tỉnh đã bỏ phiếu: {two_digits(counts.voted_passed)} trường hợp đạt, "
            f"{two_digits(counts.voted_failed)} trường hợp không đạt tỷ lệ phiếu đồng ý theo quy định."
        )
    body += [
        Heading("I. KẾT QUẢ THẨM ĐỊNH"),
        Paragraph(
            f"Sở Nội vụ nhận được {two_digits(counts.received)} hồ sơ đề nghị khen thưởng của "
            f"{two_digits(counts.units)} cơ quan, đơn vị. Qua thẩm định: {two_digits(counts.agreed)} hồ sơ "
            f"đủ điều kiện, tiêu chuẩn; {two_digits(counts.more)} hồ sơ phải bổ sung; "
            f"{two_digits(counts.disagreed)} hồ sơ không đủ điều kiện; {two_digits(counts.waiting)} hồ sơ "
            f"đang xem xét.{council}"
        ),
        Heading("II. ĐỀ NGHỊ KHEN THƯỞNG"),
        Paragraph(
            f"Sở Nội vụ đề nghị Chủ tịch Ủy ban nhân dân tỉnh khen thưởng {two_digits(counts.listed)} tập thể, "
            "cá nhân, hộ gia đình có thành tích xuất sắc, cụ thể:"
        ),
        counts_table(groups),
        Paragraph("(Có danh sách kèm theo)", style="plain"),
        Paragraph("Sở Nội vụ kính trình Ủy ban nhân dân tỉnh xem xét, quyết định./.", style="last"),
    ]
    reference = f"(Kèm theo Tờ trình {cited_number(number, SUBMISSION_SYMBOL)} {cited_date(date)} của Sở Nội vụ)"
    header = Header(
        parent=province_short(campaign),
        issuer_lines=[DEPARTMENT],
        number_line=full_number(number, SUBMISSION_SYMBOL),
        place_date=dated(campaign, date, today),
        doc_type="TỜ TRÌNH",
        summary_line=subject,
        draft_mark="" if number else DRAFT_MARK,
    )
    closing = Closing(
        recipients=recipient_lines(SUBMISSION_RECIPIENTS),
        authority_lines=["GIÁM ĐỐC"],
        name="",
    )
    body.insert(0, Paragraph("Kính gửi: Ủy ban nhân dân tỉnh.", style="center"))
    return Document(
        title=f"Tờ trình đề nghị khen thưởng — {campaign.directive_number}",
        subject=subject,
        author="Sở Nội vụ",
        header=header,
        body=body,
        closing=closing,
        appendices=[list_appendix(groups, reference, proposed=True)],
    )


def decision_authority(decision):
    """The signature block of the Chủ tịch's decision: `CHỦ TỊCH`, or `KT. CHỦ TỊCH` over
    `PHÓ CHỦ TỊCH` when a vice-chair signs."""
    title = (decision.signer_title or "").strip().upper() or "CHỦ TỊCH"
    if title == "CHỦ TỊCH":
        return ["CHỦ TỊCH"]
    return ["KT. CHỦ TỊCH", title]


def award_clause(groups):
    """Điều 1's list of awards: `Cờ thi đua … cho 02 tập thể; Bằng khen … cho 03 tập thể, 02 cá nhân`."""
    return "; ".join(f"{group.form.name} cho {kind_counts_text(group_kind_counts(group))}" for group in groups)


def decision_document(campaign, decision, groups, *, today=None):
    """The draft Quyết định khen thưởng of the Chủ tịch UBND tỉnh, Danh sách attached."""
    province = campaign.province
    number, date = decision.number, decision.signed_on
    title = f"Về việc khen thưởng {subject_of(campaign)}"
    authority = f"CHỦ TỊCH {UBND} TỈNH {province.upper()}"
    body = [Paragraph(authority, style="center")]
    body += [Paragraph(line) for line in basis_lines(campaign.award_catalogue)]
    body.append(
        Paragraph(
            f"Xét đề nghị của Giám đốc Sở Nội vụ tại Tờ trình "
            f"{cited_number(decision.submission_number, SUBMISSION_SYMBOL)} {cited_date(decision.submission_date)}."
        )
    )
    body.append(Paragraph("QUYẾT ĐỊNH:", style="center"))
    if groups:
        article_1 = (
            f"Điều 1. Tặng {award_clause(groups)} (có danh sách kèm theo), đã có thành tích xuất sắc trong "
            f"thực hiện {campaign.directive_citation} ngày {format_vn_date(campaign.directive_date)} "
            f"của UBND tỉnh {province}."
        )
    else:
        article_1 = "Điều 1. (Chưa có tập thể, cá nhân nào được đồng ý đề nghị khen thưởng.)"
    body += [
        Paragraph(article_1),
        Paragraph("Điều 2. Quyết định này có hiệu lực kể từ ngày ký."),
        Paragraph(
            "Điều 3. Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Sở Nội vụ, Thủ trưởng các cơ quan, đơn vị "
            "có liên quan và các tập thể, cá nhân, hộ gia đình có tên tại Điều 1 chịu trách nhiệm thi hành "
            "Quyết định này./.",
            style="last",
        ),
    ]
    reference = (
        f"(Kèm theo Quyết định {cited_number(number, DECISION_SYMBOL)} {cited_date(date)} "
        f"của Chủ tịch UBND tỉnh {province})"
    )
    header = Header(
        parent="",
        issuer_lines=[UBND, f"TỈNH {province.upper()}"],
        number_line=full_number(number, DECISION_SYMBOL),
        place_date=dated(campaign, date, today),
        doc_type="QUYẾT ĐỊNH",
        summary_line=title,
        draft_mark="" if number else DRAFT_MARK,
    )
    closing = Closing(
        recipients=recipient_lines(DECISION_RECIPIENTS),
        authority_lines=decision_authority(decision),
        name=(decision.signer_name or "").strip(),
    )
    return Document(
        title=f"Quyết định khen thưởng — {campaign.directive_number}",
        subject=title,
        author=f"UBND tỉnh {province}",
        header=header,
        body=body,
        closing=closing,
        appendices=[list_appendix(groups, reference, proposed=False)],
    )


def printed_names(groups):
    """What a print holds, kept on its row (`CommendationPrint.names`)."""
    return [
        {
            "id": proposal.pk,
            "name": proposal.name,
            "kind": proposal.kind,
            "form": group.form.code,
            "unit": proposal.report.unit.name,
        }
        for group in groups
        for proposal in group.proposals
    ]


def document_files(document, *, created=None):
    """(PDF bytes, .docx bytes) of a Document, through the summary's own renderers."""
    from reports.summary.docx import document_docx
    from reports.summary.html import document_html

    return html_to_pdf(document_html(document)), document_docx(document, created=created)
