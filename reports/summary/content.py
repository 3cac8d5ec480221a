"""The provincial summary as a `Document`, built once from one snapshot and the drafted prose:
what the PDF and the Word file both say."""

from functools import partial

from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from campaigns.models import UnitKind
from campaigns.numbers import format_vn_date
from reports.aggregation import format_goal, format_value
from reports.pdf import (
    document_number_line,
    issuer_lines,
    lowercase_first,
    place_and_date,
    province_name,
    recipient_lines,
)

from .collect import LATE, MISSING, NOT_ACCEPTED, ON_TIME, RETURNED
from .document import Appendix, Chart, Closing, Document, Header, Heading, Paragraph, Section, Table
from .prose import draft_parts, paragraphs_of, shown

CHART_ROWS = 30  # an SVG chart cannot break across pages: longer lists continue in a second chart
ANNEX_1 = "annex-1"
ANNEX_2 = "annex-2"

RESULT_HEADERS = ("STT", "Chỉ tiêu", "Đơn vị tính", "Mức", "Kết quả", "Đánh giá")
RESULT_WIDTHS = (1.3, 5.7, 1.7, 2.8, 2.2, 2.8)  # the goal: "≥ 3.868.370" on one line
RESULT_ALIGN = ("center", "", "center", "right", "right", "center")
ROWS_HEADERS = ("STT", "Số liệu báo cáo", "Đơn vị tính", "Số liệu", "Ghi chú")
ROWS_WIDTHS = (1.3, 8.0, 1.7, 2.3, 3.2)
ROWS_ALIGN = ("center", "", "center", "right", "")
OVERVIEW_HEADERS = ("STT", "Đơn vị", "Loại", "Báo cáo", "Ngày gửi", "Chỉ tiêu đạt / có mức")
OVERVIEW_WIDTHS = (1.3, 5.0, 2.8, 3.0, 2.3, 2.1)
OVERVIEW_ALIGN = ("center", "", "", "", "center", "center")
PROPOSAL_HEADERS = ("STT", "Đơn vị đề nghị", "Đối tượng", "Tên tập thể, cá nhân", "Thành tích", "Hình thức")
PROPOSAL_WIDTHS = (1.3, 3.1, 1.9, 3.1, 4.0, 3.1)


def results_table(results):
    rows = [
        (
            str(index),
            f"{result.target.name}\n({result.coverage_text})" if result.coverage_text else result.target.name,
            result.target.unit_of_measure,
            "—" if result.goal is None else format_goal(result.target, result.goal, result.due),
            result.display_value,
            str(result.status.text),
        )
        for index, result in enumerate(results, start=1)
    ]
    return Table(RESULT_HEADERS, rows, RESULT_WIDTHS, RESULT_ALIGN)


def prose_blocks(text):
    """A drafted part's paragraphs; a line "Tên đơn vị: “…”" keeps the name as its lead."""
    blocks = []
    for line in paragraphs_of(text):
        who, colon, said = line.partition(": “")
        if colon and said.endswith("”") and len(who) < 160:
            blocks.append(Paragraph(said[:-1].join("“”"), lead=f"{who}: "))
        else:
            blocks.append(Paragraph(line))
    return blocks


# --- who reported ------------------------------------------------------------------------------
def reporting_blocks(campaign, collected):
    """Part I's facts: how many reported, how many of those reports were accepted, who was
    late, whose report was sent back and not sent again, who sent nothing."""
    units = collected.units
    by_standing = {}
    for section in units:
        by_standing.setdefault(section.standing, []).append(section.unit)
    counted = collected.counted
    accepted = sum(1 for section in counted if section.accepted)
    sentence = f"Có {len(counted)}/{len(units)} đơn vị gửi báo cáo kết quả thực hiện phong trào"
    sentence += f" (hạn {format_vn_date(campaign.unit_deadline)})"
    if collected.accepted_only:
        sentence += f", được tổng hợp vì báo cáo đã được thẩm định ({len(counted)} báo cáo)"
    else:
        sentence += f": {len(counted)} báo cáo, trong đó {accepted} đã được thẩm định"
    late = len(by_standing.get(LATE, []))
    sentence += f"; {len(counted) - late} đơn vị gửi đúng hạn, {late} đơn vị gửi muộn"
    others = [
        (NOT_ACCEPTED, "đơn vị đã gửi nhưng báo cáo chưa được thẩm định nên chưa tổng hợp"),
        (RETURNED, "đơn vị có báo cáo bị trả lại, chưa gửi lại"),
        (MISSING, "đơn vị chưa gửi báo cáo"),
    ]
    for standing, words in others:
        if by_standing.get(standing):
            sentence += f"; {len(by_standing[standing])} {words}"
    blocks = [Paragraph(sentence + ".")]
    for standing, label in (
        (ON_TIME, "Các đơn vị gửi báo cáo đúng hạn: "),
        (LATE, "Các đơn vị gửi báo cáo muộn: "),
        (NOT_ACCEPTED, "Các đơn vị có báo cáo chưa được thẩm định: "),
        (RETURNED, "Các đơn vị có báo cáo bị trả lại, chưa gửi lại: "),
        (MISSING, "Các đơn vị chưa gửi báo cáo: "),
    ):
        if by_standing.get(standing):
            blocks.append(Paragraph(", ".join(unit.name for unit in by_standing[standing]) + ".", lead=label))
    return blocks


# --- Phụ lục I ------------------------------------------------------------------------------------
def unit_meta(section):
    """The line under a unit's heading in Phụ lục I."""
    line = f"Báo cáo phiên bản {section.report.version}, gửi ngày {section.sent_on}"
    if section.report.is_late:
        line += " (gửi muộn)"
    if section.resent_on:
        line += f", gửi lại ngày {section.resent_on}"
    status = "đã được thẩm định" if section.accepted else "chưa được thẩm định"
    return f"{line}; {status}."


def annex_sections(units):
    """The unit sections of Phụ lục I, each with its number: the unit's row in the overview
    table, which lists every participant. A unit that reports late therefore does not
    renumber (and so re-render) the sections after it."""
    return [(index, section) for index, section in enumerate(units, start=1) if section.counted]


def unit_section(index, section):
    rows = [
        (str(number), row["measure"].name, row["measure"].unit_of_measure, row["value"], row["note"])
        for number, row in enumerate(section.rows, start=1)
    ]
    blocks = [
        Heading(f"{index}. {section.unit.name}", level=2),
        Paragraph(unit_meta(section), style="meta"),
        results_table(section.results),
        Table(ROWS_HEADERS, rows, ROWS_WIDTHS, ROWS_ALIGN),
    ]
    return Section(anchor=f"unit-{section.unit.code}", title=f"{index}. {section.unit.name}", blocks=blocks)


def overview_table(units):
    kinds = dict(UnitKind.choices)
    rows = [
        (
            str(index),
            section.unit.name,
            str(kinds.get(section.unit.kind, section.unit.kind)),
            section.standing,
            f"{section.sent_on}\ngửi lại {section.resent_on}" if section.resent_on else section.sent_on,
            f"{section.reached}/{section.with_goal}" if section.counted else "",
        )
        for index, section in enumerate(units, start=1)
    ]
    return Table(OVERVIEW_HEADERS, rows, OVERVIEW_WIDTHS, OVERVIEW_ALIGN)


# --- Phụ lục II -----------------------------------------------------------------------------------
def _chart_pieces(title, items, unit, description, direction="at_least", coverage="", format_value=None):
    """The chart in pieces of CHART_ROWS bars; `coverage` is printed under the last piece."""
    from reports.charts import bar_chart

    pieces = []
    for start in range(0, len(items), CHART_ROWS):
        piece_title = title if start == 0 else f"{title} (tiếp theo)"
        svg = bar_chart(
            title=piece_title,
            items=items[start : start + CHART_ROWS],
            goal=None,
            unit=unit,
            description=description,
            width=640,
            font_family="Liberation Serif",
            direction=direction,
            format_value=format_value,
        )
        pieces.append(Chart(title=piece_title, svg=mark_safe(svg)))  # noqa: S308 - bar_chart escapes its text
    if pieces:
        pieces[-1].caption = coverage
    return pieces


def _coverage_line(labelled):
    """What each bar of a chart rests on: "Số liệu: Cụm 1: 3/4 đơn vị có đủ số liệu; …"."""
    parts = [f"{label}: {result.coverage_text}" for label, result in labelled if result.coverage_text]
    return f"Số liệu: {'; '.join(parts)}." if parts else ""


def summary_charts(collected):
    """Phụ lục II: each key target by emulation cluster and block (by unit kind when the
    units belong to no group) against its goal, beside the province's figure; the targets a
    single unit reports (the projects) together in one chart of the province's figures.
    Unit-by-unit figures are in Phụ lục I. Values are rounded as the tables round them."""
    snapshot = collected.snapshot
    kinds = dict(UnitKind.choices)
    charts, province_rows = [], []
    for result in collected.province:
        target = result.target
        if not target.headline:
            continue
        labelled = [
            (group.name, group_result)
            for group in snapshot.groups
            for group_result in [snapshot.group_result(target, group)]
            if group_result.value is not None
        ]
        if not labelled:
            labelled = [
                (kinds[kind], kind_result)
                for kind in (target.over_kinds or list(kinds))
                for kind_result in [snapshot.kind_result(target, kind)]
                if kind_result.value is not None
            ]
        if len(labelled) >= 2:
            labelled.append(("Toàn tỉnh", result))
            charts.extend(
                _chart_pieces(
                    f"{target.name} ({target.unit_of_measure})",
                    [(label, row.value, row.goal) for label, row in labelled],
                    target.unit_of_measure,
                    f"Kết quả theo cụm, khối thi đua; toàn tỉnh đạt {shown(target, result.value)}.",
                    target.direction,
                    coverage=_coverage_line(labelled),
                    format_value=partial(format_value, target),
                )
            )
        elif target.unit_of_measure == "%":
            province_rows.append((target.name, result))
    if province_rows:
        charts.extend(
            _chart_pieces(
                "Các chỉ tiêu chủ yếu của toàn tỉnh (%)",
                [
                    (label, row.value, row.goal, row.target.direction, partial(format_value, row.target))
                    for label, row in province_rows
                ],
                "%",
                "Kết quả toàn tỉnh so với mức.",
                coverage=_coverage_line(province_rows),
            )
        )
    return charts


# --- the document --------------------------------------------------------------------------------
def summary_header(summary, campaign):
    date = summary.document_date or timezone.localdate()
    return Header(
        parent=campaign.issuer_parent.upper(),
        issuer_lines=issuer_lines(campaign.issuer),
        number_line=document_number_line(summary.document_number, campaign.summary_symbol),
        place_date=place_and_date(campaign.place, date),
        doc_type="BÁO CÁO",
        summary_line=f"Kết quả {lowercase_first(campaign.title)}",
    )


@translation.override("vi")
def summary_document(summary, collected, prose):
    """The summary `summary` says, from the snapshot `collected` and the drafted `prose`
    (part key → text; reports.summary.prose)."""
    campaign = summary.campaign
    province = province_name(campaign)
    header = summary_header(summary, campaign)
    parts = {part.key: part for part in draft_parts(campaign)}

    def drafted(key):
        return prose_blocks(prose.get(key, ""))

    implements = f" (thực hiện {campaign.implements})" if campaign.implements else ""
    body = [
        Paragraph(
            f"Thực hiện {campaign.directive_citation} ngày {format_vn_date(campaign.directive_date)} của {province} "
            f"về việc {lowercase_first(campaign.title)}{implements}, {province} báo cáo kết quả thực hiện như sau:"
        ),
        Heading("I. CÔNG TÁC TỔ CHỨC, TRIỂN KHAI"),
        *drafted("organisation"),
        *reporting_blocks(campaign, collected),
        Heading("II. KẾT QUẢ THỰC HIỆN CÁC NỘI DUNG"),
    ]
    for number, section in enumerate(campaign.sections.order_by("order"), start=1):
        results = [r for r in collected.province if r.target.section_id == section.pk]
        body.append(Heading(f"{number}. {section.title}", level=2))
        if results:
            body.append(results_table(results))
        text = drafted(f"section:{section.code}")
        body.extend(text or ([] if results else [Paragraph("Chưa có đơn vị báo cáo nội dung này.")]))

    body += [Heading("III. CÔNG TÁC KHEN THƯỞNG"), *drafted("commendation")]
    rows, sources = [], []
    groups = {}
    for item in collected.commendations:
        groups.setdefault(item.report.unit_id, []).append(item)
    for group_index, items in enumerate(groups.values(), start=1):
        for index, item in enumerate(items, start=1):
            rows.append(
                (
                    f"{group_index}.{index}",
                    item.report.unit.name if index == 1 else "",
                    item.get_kind_display(),
                    item.recipient,
                    item.achievement,
                    item.award,
                )
            )
            sources.append((item.report.unit.name, f"đề nghị khen thưởng số {len(rows)}"))
    if rows:
        body.append(Table(PROPOSAL_HEADERS, rows, PROPOSAL_WIDTHS, row_sources=sources))

    body.append(Heading("IV. ĐÁNH GIÁ CHUNG"))
    for number, key in enumerate(("strengths", "weaknesses", "causes", "lessons"), start=1):
        text = drafted(key)
        if text:
            body += [Heading(f"{number}. {parts[key].title}", level=2), *text]
    body.append(Heading("V. PHƯƠNG HƯỚNG, NHIỆM VỤ VÀ KIẾN NGHỊ"))
    for number, key in enumerate(("directions", "recommendations"), start=1):
        text = drafted(key)
        if text:
            body += [Heading(f"{number}. {parts[key].title}", level=2), *text]
    body.append(Paragraph(f"Trên đây là báo cáo kết quả thực hiện phong trào thi đua của {province}./.", style="last"))

    date = summary.document_date or timezone.localdate()
    reference = (
        f"(Kèm theo Báo cáo số {header.number_line.removeprefix('Số: ')} ngày {format_vn_date(date)} của {province})"
    )
    charts = summary_charts(collected)
    appendices = [
        Appendix(
            anchor=ANNEX_1,
            label="Phụ lục I",
            title="KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CỦA TỪNG ĐƠN VỊ",
            reference=reference,
            blocks=[overview_table(collected.units)],
            sections=[unit_section(index, section) for index, section in annex_sections(collected.units)],
        ),
        Appendix(
            anchor=ANNEX_2,
            label="Phụ lục II",
            title="BIỂU ĐỒ CÁC CHỈ TIÊU CHỦ YẾU",
            reference=reference,
            blocks=charts or [Paragraph("Chưa có số liệu để vẽ biểu đồ.")],
        ),
    ]
    closing = Closing(
        recipients=recipient_lines(campaign.recipients),
        authority_lines=[line.upper() for line in (campaign.signer_authority, campaign.signer_title) if line],
        name=campaign.signer_name,
    )
    return Document(
        title=f"Báo cáo kết quả {lowercase_first(campaign.title)}",
        subject=f"{campaign.directive_citation}: báo cáo tổng hợp kết quả thực hiện",
        author=" ".join(header.issuer_lines).title().replace("Ủy Ban Nhân Dân", "Ủy ban nhân dân"),
        header=header,
        body=body,
        closing=closing,
        appendices=appendices,
    )
