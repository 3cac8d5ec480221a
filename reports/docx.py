"""The provincial summary as an editable Word document (python-docx): the same text and
figures as the PDF, from the same content (reports.summary.summary_content), because
officials correct the wording before the leader signs.

Every text goes through `reports.text.clean_text` (python-docx refuses control characters, and
one unit's stray character must not fail the province's document); should a unit's text still
fail, the error names the unit and the field."""

import io
from xml.sax.saxutils import escape

from django.utils import translation
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm, Mm, Pt

from .aggregation import format_goal
from .summary import annex_sections
from .text import DocumentTextError, clean_text, writing

FONT = "Times New Roman"
RESULT_HEADERS = ("STT", "Chỉ tiêu", "Đơn vị tính", "Mức", "Kết quả", "Đánh giá")
RESULT_WIDTHS = (1.2, 5.8, 1.7, 2.7, 2.3, 2.8)  # the goal: "≥ 3.868.370" on one line


def _setup(document):
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15


def _format(paragraph, text, *, bold=False, italic=False, size=None, align=None, upper=False):
    text = clean_text(text)
    if text:
        run = paragraph.add_run(text.upper() if upper else text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
    if align in ALIGN:
        paragraph.alignment = ALIGN[align]
    return paragraph


def _paragraph(container, text="", *, indent=False, **style):
    paragraph = _format(container.add_paragraph(), text, **style)
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1)
    return paragraph


def _body(document, text):
    return _paragraph(document, text, align="justify", indent=True)


def _cell_text(cell, text, **style):
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    return _format(paragraph, text, **style)


ALIGN = {
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


class TableCellError(Exception):
    """A cell's text could not be written; `row` (0 for the first body row) and `column` say which."""

    def __init__(self, row, column, error):
        self.row, self.column, self.error = row, column, error
        super().__init__(f"row {row}, column {column}: {error}")


def _cell_xml(text, width, *, bold=False, jc=None):
    """One table cell; the lines of a text are kept as line breaks."""
    justify = f'<w:jc w:val="{JUSTIFY[jc]}"/>' if jc else ""
    weight = "<w:b/>" if bold else ""
    lines = "<w:br/>".join(
        f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in clean_text(str(text)).split("\n")
    )
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
        f'<w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>{justify}</w:pPr>'
        f'<w:r><w:rPr>{weight}<w:sz w:val="23"/></w:rPr>{lines}</w:r>'
        "</w:p></w:tc>"
    )


def _table(document, headers, rows, widths, *, align=None):
    """A bordered table whose header row repeats on each page. Built as one XML fragment:
    python-docx's cell-by-cell API takes seconds for the hundreds of tables of Phụ lục I.
    Raises TableCellError naming the body cell whose text cannot be written."""
    align = align or ("center",) + (None,) * (len(headers) - 1)
    twips = [int(Cm(width).twips) for width in widths]
    header = "".join(_cell_xml(text, width, bold=True, jc="center") for text, width in zip(headers, twips, strict=True))
    cells = [[_cell_xml(text, width, jc=jc) for text, width, jc in zip(row, twips, align, strict=True)] for row in rows]
    body = "".join("<w:tr>" + "".join(row) + "</w:tr>" for row in cells)
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in twips)
    try:
        table = parse_xml(
            f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>'
            f'<w:jc w:val="center"/>{BORDERS}<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
            f"<w:tr><w:trPr><w:tblHeader/></w:trPr>{header}</w:tr>{body}</w:tbl>"
        )
    except Exception as exc:
        _raise_for_cell(cells, exc)
        raise
    document.element.body.sectPr.addprevious(table)
    return table


def _raise_for_cell(cells, error):
    """Find the body cell the XML parser refused (only ever run after a failure)."""
    for row_index, row in enumerate(cells):
        for column, xml in enumerate(row):
            try:
                parse_xml(f"<w:tbl {nsdecls('w')}><w:tr>{xml}</w:tr></w:tbl>")
            except Exception:  # noqa: BLE001 - this is the cell to name
                raise TableCellError(row_index, column, error) from error


JUSTIFY = {"center": "center", "right": "right"}
BORDERS = (
    "<w:tblBorders>"
    + "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    + "</w:tblBorders>"
)


def _results_rows(results):
    return [
        (
            str(index),
            f"{result.target.name}\n({result.coverage_text})" if result.coverage_text else result.target.name,
            result.target.unit_of_measure,
            "—" if result.goal is None else format_goal(result.target, result.goal, result.due),
            result.display_value,
            result.status.text,
        )
        for index, result in enumerate(results, start=1)
    ]


def _header(document, doc):
    table = document.add_table(rows=2, cols=2)
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Cm(6.5), Cm(9.5)
    first = True
    if doc["parent"]:
        _cell_text(left, doc["parent"], size=12.5, align="center")
        first = False
    for line in doc["issuer_lines"]:
        if first:
            _cell_text(left, line, bold=True, size=12.5, align="center")
            first = False
        else:
            _paragraph(left, line, bold=True, size=12.5, align="center").paragraph_format.space_after = Pt(0)
    _cell_text(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12.5, align="center")
    motto = _paragraph(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13.5, align="center")
    motto.runs[0].underline = True
    number, place = table.rows[1].cells
    _cell_text(number, doc["number_line"], size=13, align="center")
    _cell_text(place, doc["place_date"], italic=True, size=13.5, align="center")
    if doc.get("draft_mark"):
        _paragraph(document, doc["draft_mark"], bold=True, align="center")
    _paragraph(document, doc["doc_type"], bold=True, size=14, align="center").paragraph_format.space_after = Pt(0)
    _paragraph(document, doc["summary_line"], bold=True, size=13.5, align="center")


def _closing(document, doc):
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    _cell_text(left, "Nơi nhận:", bold=True, italic=True, size=12)
    for line in doc["recipients"]:
        _paragraph(left, line, size=11).paragraph_format.space_after = Pt(0)
    lines = doc["signature"]["authority_lines"]
    _cell_text(right, lines[0] if lines else "", bold=True, size=13.5, align="center")
    for line in lines[1:]:
        _paragraph(right, line, bold=True, size=13.5, align="center").paragraph_format.space_after = Pt(0)
    for _blank in range(4):
        _paragraph(right, "")
    _paragraph(right, doc["signature"]["name"], bold=True, size=13.5, align="center")


def _annex_heading(document, label, title, reference):
    paragraph = document.add_paragraph()
    paragraph.add_run().add_break(WD_BREAK.PAGE)
    _paragraph(document, label, bold=True, size=13.5, align="center").paragraph_format.space_after = Pt(0)
    _paragraph(document, title, bold=True, align="center", upper=True).paragraph_format.space_after = Pt(0)
    _paragraph(document, reference, italic=True, align="center")


@translation.override("vi")  # the document is Vietnamese whoever compiles it
def summary_docx(content):
    """The summary as DOCX bytes, wrapped for a FileField (a ContentFile), always in Vietnamese
    like the PDF."""
    from django.core.files.base import ContentFile

    with translation.override("vi"):
        document = _summary_document(content)
    buffer = io.BytesIO()
    document.save(buffer)
    return ContentFile(buffer.getvalue())


def _summary_document(content):
    document = Document()
    _setup(document)
    doc, campaign = content["doc"], content["campaign"]
    _header(document, doc)
    _body(
        document,
        f"Thực hiện {campaign.directive_citation} ngày {campaign.directive_date:%d/%m/%Y} của "
        f"{content['province']} về việc {content['campaign_title']}, {content['province']} báo cáo kết quả "
        "thực hiện như sau:",
    )

    _paragraph(document, "I. Công tác tổ chức, triển khai", bold=True, upper=True)
    _body(
        document,
        f"Có {content['reported']}/{content['participants']} đơn vị gửi báo cáo kết quả thực hiện phong trào "
        f"(hạn {campaign.unit_deadline:%d/%m/%Y}), trong đó {len(content['on_time'])} đơn vị gửi đúng hạn và "
        f"{len(content['late'])} đơn vị gửi muộn; {len(content['missing'])} đơn vị chưa gửi báo cáo.",
    )
    for label, units in (
        ("Các đơn vị gửi báo cáo đúng hạn", content["on_time"]),
        ("Các đơn vị gửi báo cáo muộn", content["late"]),
        ("Các đơn vị chưa gửi báo cáo", content["missing"]),
    ):
        if units:
            _body(document, f"{label}: {', '.join(unit.name for unit in units)}.")

    _paragraph(document, "II. Kết quả thực hiện các nội dung", bold=True, upper=True)
    for number, item in enumerate(content["sections"], start=1):
        _paragraph(document, f"{number}. {item['section'].title}", bold=True)
        if item["results"]:
            _table(document, RESULT_HEADERS, _results_rows(item["results"]), RESULT_WIDTHS, align=_RESULT_ALIGN)
        for who, text in item["points"]:
            with writing(who, f"nội dung phần {item['section'].code}"):
                paragraph = _body(document, "")
                paragraph.add_run(f"{clean_text(who)}: ").italic = True
                paragraph.add_run(clean_text(text))

    _paragraph(document, "III. Đề nghị khen thưởng", bold=True, upper=True)
    proposals = [(group["unit"], item) for group in content["commendations"] for item in group["items"]]
    rows = [
        (
            f"{group_index}.{index}",
            group["unit"].name if index == 1 else "",
            item.get_kind_display(),
            item.name,
            item.achievement,
            item.award,
        )
        for group_index, group in enumerate(content["commendations"], start=1)
        for index, item in enumerate(group["items"], start=1)
    ]
    if rows:
        headers = ("STT", "Đơn vị đề nghị", "Đối tượng", "Tên tập thể, cá nhân", "Thành tích", "Hình thức")
        try:
            _table(document, headers, rows, (1.2, 3.2, 1.8, 3.2, 3.8, 3.3))
        except TableCellError as exc:
            unit, _item = proposals[exc.row]
            field = f"đề nghị khen thưởng số {exc.row + 1}: {headers[exc.column]}"
            raise DocumentTextError(unit.name, field, exc.error) from exc.error
    else:
        _body(document, "Chưa có đơn vị đề nghị khen thưởng.")

    _paragraph(document, "IV. Đánh giá chung và kiến nghị", bold=True, upper=True)
    _paragraph(document, "1. Đánh giá chung", bold=True)
    for sentence in content["assessment"]:
        _body(document, sentence)
    _paragraph(document, "2. Kiến nghị, đề xuất", bold=True)
    for line in content["recommendations"] or ["Không có kiến nghị."]:
        _body(document, line)
    _body(document, f"Trên đây là báo cáo kết quả thực hiện phong trào thi đua của {content['province']}./.")
    _closing(document, doc)

    _annex_heading(document, "Phụ lục I", "Kết quả thực hiện các chỉ tiêu của từng đơn vị", content["annex_reference"])
    overview = [
        (
            str(index),
            section.unit.name,
            section.unit.get_kind_display(),
            section.standing,
            f"{section.sent_on}\ngửi lại {section.resent_on}" if section.resent_on else section.sent_on,
            f"{section.reached}/{section.with_goal}" if section.counted else "",
        )
        for index, section in enumerate(content["units"], start=1)
    ]
    _table(document, OVERVIEW_HEADERS, overview, OVERVIEW_WIDTHS, align=_OVERVIEW_ALIGN)
    for index, section in annex_sections(content["units"]):
        _paragraph(document, f"{index}. {section.unit.name}", bold=True)
        _paragraph(document, _unit_meta(section), italic=True, size=11.5)
        _table(document, RESULT_HEADERS, _results_rows(section.results), RESULT_WIDTHS, align=_RESULT_ALIGN)

    _annex_heading(document, "Phụ lục II", "Số liệu các chỉ tiêu chủ yếu", content["annex_reference"])
    headline = [result for item in content["sections"] for result in item["results"] if result.target.headline]
    if headline:
        _table(document, RESULT_HEADERS, _results_rows(headline), RESULT_WIDTHS, align=_RESULT_ALIGN)
    return document


def _unit_meta(section):
    """The line under a unit's heading in Phụ lục I, as the PDF prints it."""
    line = f"Báo cáo phiên bản {section.report.version}, gửi ngày {section.sent_on}"
    if section.report.is_late:
        line += " (gửi muộn)"
    if section.resent_on:
        line += f", gửi lại ngày {section.resent_on}"
    return line + "."


_RESULT_ALIGN = ("center", None, "center", "right", "right", "center")
OVERVIEW_HEADERS = ("STT", "Đơn vị", "Loại", "Báo cáo", "Ngày gửi", "Chỉ tiêu đạt / có mức")
OVERVIEW_WIDTHS = (1.2, 5.3, 2.6, 2.2, 2.8, 2.4)
_OVERVIEW_ALIGN = ("center", None, None, None, "center", "center")
