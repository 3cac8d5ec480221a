"""The Word renderer: a `Document` as a .docx an official can sign as it comes out (python-docx).

What makes it signable without reformatting: A4 with the ND 30 margins; Times New Roman 13;
the language vi-VN (no spelling marks on every word); the short rules under the issuing body
and the motto; the parts in Word's heading styles (the navigation pane lists them); page
numbers top centre from page 2, each appendix numbered on its own; table rows that never
split and header rows repeated on each page; the charts as pictures; the file's properties
(title, subject, author = the issuing body, created = compile time).

Every text goes through `reports.text.clean_text` (python-docx refuses control characters);
should a unit's text still fail, the error names the unit and the field (`source`).
"""

import io
from contextlib import nullcontext
from functools import lru_cache
from xml.sax.saxutils import escape

from django.utils import timezone
from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Mm, Pt, RGBColor

from reports.text import DocumentTextError, clean_text, writing

from .document import TEXT_WIDTH_CM, Paragraph

FONT = "Times New Roman"
LANGUAGE = "vi-VN"
CHART_DPI = 150
ALIGN = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}
HEADING_SIZE = 13  # parts, items and sub-items alike: bold (sub-items also italic), no colour


class TableCellError(Exception):
    """A cell's text could not be written; `row` (0 for the first body row) and `column` say which."""

    def __init__(self, row, column, error):
        self.row, self.column, self.error = row, column, error
        super().__init__(f"row {row}, column {column}: {error}")


# --- page and styles ----------------------------------------------------------------------------
def _set_fonts(rpr, size=None):
    """Times New Roman for every script, no theme font, the language vi-VN."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in list(fonts.attrib):
        if attribute.endswith("Theme"):
            del fonts.attrib[attribute]
    for name in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(name), FONT)
    language = rpr.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        rpr.append(language)
    language.set(qn("w:val"), LANGUAGE)
    language.set(qn("w:eastAsia"), LANGUAGE)


def _styles(document):
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    properties = defaults.find(qn("w:rPr"))
    if properties is None:
        properties = OxmlElement("w:rPr")
        defaults.append(properties)
    _set_fonts(properties)
    normal = document.styles["Normal"]
    normal.font.size = Pt(13)
    _set_fonts(normal.element.get_or_add_rPr())
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    for level in (1, 2, 3):
        style = document.styles[f"Heading {level}"]
        _set_fonts(style.element.get_or_add_rPr())
        style.font.size = Pt(HEADING_SIZE)
        style.font.bold = True
        style.font.italic = level == 3
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(8 if level == 1 else 6)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True


def _page(section):
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    section.different_first_page_header_footer = True  # no number on a first page


def _page_number_header(section):
    """The page number, top centre, on every page of the section but its first."""
    section.header.is_linked_to_previous = False
    section.first_page_header.is_linked_to_previous = False
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field_char(paragraph, "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    paragraph.add_run()._r.append(instruction)
    _field_char(paragraph, "separate")
    paragraph.add_run("2")  # what a reader that does not update fields shows
    _field_char(paragraph, "end")


def _field_char(paragraph, kind):
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    paragraph.add_run()._r.append(char)


def _restart_numbering(section):
    number_type = section._sectPr.find(qn("w:pgNumType"))
    if number_type is None:
        number_type = OxmlElement("w:pgNumType")
        section._sectPr.append(number_type)
    number_type.set(qn("w:start"), "1")


# --- paragraphs ----------------------------------------------------------------------------------
def _run(paragraph, text, *, bold=False, italic=False, size=None):
    text = clean_text(text)
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold or None, italic or None
        if size:
            run.font.size = Pt(size)
        return run
    return None


def _line(container, text="", *, bold=False, italic=False, size=None, align="center", after=0):
    paragraph = container.add_paragraph()
    _run(paragraph, text, bold=bold, italic=italic, size=size)
    paragraph.alignment = ALIGN.get(align)
    paragraph.paragraph_format.space_after = Pt(after)
    paragraph.paragraph_format.first_line_indent = Cm(0)
    return paragraph


def _first_line(cell, text, *, bold=False, italic=False, size=None, align="center"):
    """Write into a table cell's first (empty) paragraph."""
    paragraph = cell.paragraphs[0]
    _run(paragraph, text, bold=bold, italic=italic, size=size)
    paragraph.alignment = ALIGN.get(align)
    paragraph.paragraph_format.space_after = Pt(0)
    return paragraph


def _rule(container, width_cm, cell_width_cm):
    """A short solid rule, centred: a paragraph whose top border spans `width_cm`."""
    paragraph = container.add_paragraph()
    margin = max(0.0, (cell_width_cm - width_cm) / 2)
    paragraph.paragraph_format.left_indent = Cm(margin)
    paragraph.paragraph_format.right_indent = Cm(margin)
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = Pt(4)
    properties = paragraph._p.get_or_add_pPr()
    properties.append(
        parse_xml(f'<w:pBdr {nsdecls("w")}><w:top w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>')
    )
    return paragraph


def paragraph_block(document, block):
    paragraph = document.add_paragraph()
    with writing(*block.source) if block.source else nullcontext():
        _run(paragraph, block.lead, italic=True)
        _run(paragraph, block.text, italic=block.style in ("meta", "caption"))
    format_ = paragraph.paragraph_format
    if block.style == "last":
        format_.keep_with_next = True  # the signature block follows on the same page
    if block.style in ("body", "last"):
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        format_.first_line_indent = Cm(1)
    elif block.style == "center":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        format_.space_before = format_.space_after = Pt(6)
        for run in paragraph.runs:
            run.bold = True
    else:
        format_.space_after = Pt(4)
        if block.style in ("meta", "caption"):
            for run in paragraph.runs:
                run.font.size = Pt(11.5)
    return paragraph


def heading_block(document, block, *, new_page=False):
    paragraph = document.add_paragraph(style=f"Heading {block.level}")
    _run(paragraph, block.text)
    paragraph.paragraph_format.page_break_before = new_page or None
    return paragraph


# --- tables ----------------------------------------------------------------------------------
JUSTIFY = {"center": "center", "right": "right"}
BORDERS = (
    "<w:tblBorders>"
    + "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    + "</w:tblBorders>"
)


def _cell_xml(text, width, *, bold=False, jc=None):
    """One table cell; the lines of a text are kept as line breaks."""
    justify = f'<w:jc w:val="{JUSTIFY[jc]}"/>' if jc in JUSTIFY else ""
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


def table_block(document, block):
    """A bordered table, rows never split, the header row repeated on each page. Built as one
    XML fragment: python-docx's cell-by-cell API takes seconds for the hundreds of tables of
    Phụ lục I. A body cell whose text cannot be written is named with its row's source."""
    twips = [int(Cm(width).twips) for width in block.widths]
    header = "".join(
        _cell_xml(text, width, bold=True, jc="center") for text, width in zip(block.headers, twips, strict=True)
    )
    cells = [
        [_cell_xml(text, width, jc=jc) for text, width, jc in zip(row, twips, block.align, strict=True)]
        for row in block.rows
    ]
    body = "".join("<w:tr><w:trPr><w:cantSplit/></w:trPr>" + "".join(row) + "</w:tr>" for row in cells)
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in twips)
    try:
        table = parse_xml(
            f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="{sum(twips)}" w:type="dxa"/>'
            f'<w:jc w:val="center"/>{BORDERS}<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
            f"<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>{header}</w:tr>{body}</w:tbl>"
        )
    except Exception as exc:
        cell = _failed_cell(cells, exc)
        if cell and block.row_sources:
            unit, what = block.row_sources[cell.row]
            raise DocumentTextError(unit, f"{what}: {block.headers[cell.column]}", exc) from exc
        raise
    document.element.body.sectPr.addprevious(table)
    return table


def _failed_cell(cells, error):
    """Find the body cell the XML parser refused (only ever run after a failure)."""
    for row_index, row in enumerate(cells):
        for column, xml in enumerate(row):
            try:
                parse_xml(f"<w:tbl {nsdecls('w')}><w:tr>{xml}</w:tr></w:tbl>")
            except Exception:  # noqa: BLE001 - this is the cell to name
                return TableCellError(row_index, column, error)
    return None


# --- charts --------------------------------------------------------------------------------------
@lru_cache(maxsize=64)
def chart_png(svg):
    """The chart drawn as a PNG at CHART_DPI: laid out by WeasyPrint on a page of its own
    size, then rasterised by pdfium. Returns (png bytes, width in cm)."""
    import pypdfium2
    import weasyprint

    from reports.pdf import static_base_url

    width = float(svg.split('width="', 1)[1].split('"', 1)[0])
    height = float(svg.split('height="', 1)[1].split('"', 1)[0])
    html = (
        f"<html><head><style>@page {{ size: {width}px {height}px; margin: 0 }} body {{ margin: 0 }}"
        f"svg {{ display: block }}</style></head><body>{svg}</body></html>"
    )
    pdf = weasyprint.HTML(string=html, base_url=static_base_url()).write_pdf()
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=CHART_DPI / 72).to_pil()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue(), width * 2.54 / 96


def chart_block(document, block, text_width_cm):
    png, width_cm = chart_png(str(block.svg))
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = bool(block.caption)
    run = paragraph.add_run()
    run.add_picture(io.BytesIO(png), width=Cm(min(width_cm, text_width_cm)))
    properties = run._r.find(".//" + qn("wp:docPr"))
    properties.set("descr", clean_text(block.title))
    properties.set("title", clean_text(block.title))
    if block.caption:
        paragraph_block(document, Paragraph(block.caption, style="caption"))


# --- the document ----------------------------------------------------------------------------
LAYOUT_WIDTHS = (6.6, 9.9)  # cm: the issuing body's column and the motto's, as the PDF's 40/60


def _layout_table(document, rows):
    """A borderless two-column table that places the header and the closing blocks."""
    table = document.add_table(rows=rows, cols=2)
    table.autofit = False
    for column, width in zip(table.columns, LAYOUT_WIDTHS, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)
    return table


def _header(document, header):
    table = _layout_table(document, rows=2)
    left, right = table.rows[0].cells
    lines = ([(header.parent, False)] if header.parent else []) + [(line, True) for line in header.issuer_lines]
    for index, (text, bold) in enumerate(lines):
        if index == 0:
            _first_line(left, text, bold=bold, size=12.5)
        else:
            _line(left, text, bold=bold, size=12.5)
    _rule(left, 2.2, LAYOUT_WIDTHS[0])
    _first_line(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12.5)
    _line(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13.5)
    _rule(right, 6.2, LAYOUT_WIDTHS[1])  # as long as the motto
    number, place = table.rows[1].cells
    _first_line(number, header.number_line, size=13).paragraph_format.space_before = Pt(6)
    _first_line(place, header.place_date, italic=True, size=13.5).paragraph_format.space_before = Pt(6)
    if header.draft_mark:
        _line(document, header.draft_mark, bold=True, size=12, after=4).paragraph_format.space_before = Pt(6)
    _line(document, header.doc_type, bold=True, size=14).paragraph_format.space_before = Pt(12)
    _line(document, header.summary_line, bold=True, size=13.5)
    _rule(document, 4.0, TEXT_WIDTH_CM).paragraph_format.space_after = Pt(10)


def _closing(document, closing):
    table = _layout_table(document, rows=1)
    row = table.rows[0]
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    left, right = row.cells
    _first_line(left, "Nơi nhận:", bold=True, italic=True, size=12, align="")
    for line in closing.recipients:
        _line(left, line, size=11, align="")
    lines = closing.authority_lines or [""]
    _first_line(right, lines[0], bold=True, size=13.5)
    for line in lines[1:]:
        _line(right, line, bold=True, size=13.5)
    for _blank in range(4):
        _line(right, "")
    _line(right, closing.name, bold=True, size=13.5)


def _appendix(document, appendix, text_width_cm):
    section = document.add_section(WD_SECTION.NEW_PAGE)
    _restart_numbering(section)
    _line(document, appendix.label, bold=True, size=13.5)
    _line(document, appendix.title, bold=True, size=13)
    _line(document, appendix.reference, italic=True, size=13, after=10)
    _blocks(document, appendix.blocks, text_width_cm)
    for unit_section in appendix.sections:
        first, *rest = unit_section.blocks
        heading_block(document, first, new_page=True)
        _blocks(document, rest, text_width_cm)


def _blocks(document, blocks, text_width_cm):
    for block in blocks:
        if block.kind == "paragraph":
            paragraph_block(document, block)
        elif block.kind == "heading":
            heading_block(document, block)
        elif block.kind == "table":
            table_block(document, block)
        elif block.kind == "chart":
            chart_block(document, block, text_width_cm)


def _property(text, limit=255):
    """A core property's text: Word keeps at most 255 characters of each."""
    text = clean_text(text)
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _properties(document, model, created):
    properties = document.core_properties
    properties.title = _property(model.title)
    properties.subject = _property(model.subject)
    properties.author = properties.last_modified_by = _property(model.author)
    properties.language = LANGUAGE
    properties.keywords = ""
    properties.comments = ""
    properties.category = clean_text(model.header.doc_type.capitalize())
    properties.created = properties.modified = created
    properties.last_printed = created
    properties.revision = 1


def document_docx(model, *, created=None):
    """The `Document` as .docx bytes. `created` (default now) is the file's creation time."""
    document = WordDocument()
    _styles(document)
    first = document.sections[0]
    _page(first)
    _page_number_header(first)
    _header(document, model.header)
    _blocks(document, model.body, TEXT_WIDTH_CM)
    _closing(document, model.closing)
    for appendix in model.appendices:
        _appendix(document, appendix, TEXT_WIDTH_CM)
    _properties(document, model, (created or timezone.now()).replace(microsecond=0, tzinfo=None))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
