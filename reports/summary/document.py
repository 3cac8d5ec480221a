"""The document model of a printed report: what it says, in order, with no notion of paper.

A `Document` is built once from one snapshot of the reports (`reports.summary.content` for
the provincial summary, `reports.unit_document.unit_report_document` for a unit's own report); the PDF
renderer (`reports.summary.html`) and the Word renderer (`reports.summary.docx`) both read it
and nothing else, so the two files cannot say different things. Every text here is plain
text: each renderer escapes it for its own format.
"""

from dataclasses import dataclass, field

# The text width of an A4 page with the ND 30 margins (30 mm left, 15 mm right), in cm.
TEXT_WIDTH_CM = 16.5


@dataclass
class Paragraph:
    """A paragraph of running text. `lead` is printed in italics before the text (an
    attribution, "UBND xã Thanh Nưa: "); `style` is one of STYLES."""

    text: str
    lead: str = ""
    style: str = "body"
    source: tuple = ()  # (unit, field) whose text this is, named if it cannot be written

    kind = "paragraph"

    @property
    def full_text(self):
        return f"{self.lead}{self.text}"


STYLES = (
    "body",  # justified, first line indented
    "meta",  # small italic line under a unit's heading
    "caption",  # small italic line under a chart
    "plain",  # no indent
    "last",  # the closing sentence ("Trên đây là báo cáo …./."): kept on the page of the signature
    "center",  # centred, bold, no indent: a decision's authority line and its "QUYẾT ĐỊNH:"
)


@dataclass
class Heading:
    """A part (level 1: "I. CÔNG TÁC …", printed in capitals), an item (level 2: "1. …") or
    a sub-item (level 3: "a) …")."""

    text: str
    level: int = 1

    kind = "heading"


@dataclass
class Table:
    """A bordered table whose header row repeats on each page and whose rows never split.
    `rows` hold cell texts, a cell's lines separated by "\\n"; `widths` are in cm and add up
    to the text width; `align` is "center", "right" or "" per column."""

    headers: tuple
    rows: list
    widths: tuple
    align: tuple = ()
    row_sources: list = field(default_factory=list)  # per row (unit, what the row is), for errors

    kind = "table"

    def __post_init__(self):
        if not self.align:
            self.align = ("center",) + ("",) * (len(self.headers) - 1)


@dataclass
class Chart:
    """A bar chart: the SVG markup (escaped by reports.charts; it draws its own title, labels
    and values) and the line printed under it. The Word file carries it as a picture whose
    alternative text is the title."""

    title: str
    svg: str
    caption: str = ""

    kind = "chart"


@dataclass
class Section:
    """A unit's pages in Phụ lục I: starts on a page of its own; `anchor` names it."""

    anchor: str
    title: str
    blocks: list


@dataclass
class Appendix:
    """A phụ lục: label ("Phụ lục I"), title, the reference to the report it is attached to,
    its own blocks, then its sections (each on a new page). Its pages are numbered on their
    own, from the second."""

    anchor: str
    label: str
    title: str
    reference: str
    blocks: list
    sections: list = field(default_factory=list)


@dataclass
class Header:
    """The ND 30 header: issuing body left (under its parent body, if any), national motto
    right, then the number and the place and date, the kind of document and its summary."""

    parent: str
    issuer_lines: list
    number_line: str
    place_date: str
    doc_type: str
    summary_line: str
    draft_mark: str = ""


@dataclass
class Closing:
    """Recipients bottom left, the signature block bottom right: the authority lines
    ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), room for the signature and seal, the name."""

    recipients: list
    authority_lines: list
    name: str


@dataclass
class Document:
    """One printed report. `title`, `subject`, `author` become the files' properties."""

    title: str
    subject: str
    author: str
    header: Header
    body: list
    closing: Closing
    appendices: list = field(default_factory=list)
    lang: str = "vi"

    def texts(self):
        """Every text a reader meets, in order: what both files must say (the parity tests)."""
        header = self.header
        yield from [header.parent, *header.issuer_lines, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]
        yield from ["Độc lập - Tự do - Hạnh phúc", header.number_line, header.place_date, header.draft_mark]
        yield from [header.doc_type, header.summary_line]
        yield from blocks_texts(self.body)
        yield from ["Nơi nhận:", *self.closing.recipients, *self.closing.authority_lines, self.closing.name]
        for appendix in self.appendices:
            yield from [appendix.label, appendix.title, appendix.reference]
            yield from blocks_texts(appendix.blocks)
            for section in appendix.sections:
                yield from blocks_texts(section.blocks)


def blocks_texts(blocks):
    for block in blocks:
        if block.kind == "paragraph":
            yield block.full_text
        elif block.kind == "heading":
            yield block.text
        elif block.kind == "table":
            yield from block.headers
            for row in block.rows:
                yield from row
        elif block.kind == "chart":
            yield block.caption
