"""The PDF renderer: a `Document` as the HTML WeasyPrint lays out (templates/pdf/document.html
with templates/pdf/print.css). Blocks are written here, escaped, rather than in a template
loop: Phụ lục I of a large province holds thousands of table rows.

A summary is laid out in parts (see reports.summary.compile): the body, the appendices'
frame (their own blocks, without the unit sections) and the unit sections, each of which
`section_html` gives alone so that its pages can be kept and reused.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from reports.pdf import render_html

from .document import TEXT_WIDTH_CM

FRAME_BODY = "body"  # the report itself, page numbers from page 2
FRAME_APPENDICES = "appendices"  # the appendices' own pages, without the unit sections
WHOLE = ""  # everything in one document (the command line's and the naive render's)

_ALIGN_CLASS = {"center": "mid", "right": "num"}
_PARAGRAPH_CLASS = {
    "body": "",
    "meta": "unit-meta",
    "caption": "small italic no-indent",
    "plain": "no-indent",
    "last": "last-line",
    "center": "center bold",
}


def _lines(text):
    return "<br>".join(escape(line) for line in str(text).split("\n"))


def paragraph_html(block):
    css = _PARAGRAPH_CLASS[block.style]
    opening = f'<p class="{css}">' if css else "<p>"
    lead = f'<span class="who">{escape(block.lead)}</span>' if block.lead else ""
    return f"{opening}{lead}{_lines(block.text)}</p>"


def heading_html(block):
    tag, css = {1: ("h2", "part"), 2: ("h3", "item"), 3: ("h4", "subitem")}[block.level]
    return f'<{tag} class="{css}">{escape(block.text)}</{tag}>'


def table_html(block):
    columns = "".join(f'<col style="width:{100 * width / TEXT_WIDTH_CM:.2f}%">' for width in block.widths)
    header = "".join(f"<th>{_lines(text)}</th>" for text in block.headers)
    classes = [_ALIGN_CLASS.get(align, "") for align in block.align]
    rows = "".join(
        "<tr>"
        + "".join(
            f'<td class="{css}">{_lines(text)}</td>' if css else f"<td>{_lines(text)}</td>"
            for text, css in zip(row, classes, strict=True)
        )
        + "</tr>"
        for row in block.rows
    )
    return (
        f'<table class="data"><colgroup>{columns}</colgroup><thead><tr>{header}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def chart_html(block):
    caption = f'<p class="small italic no-indent">{escape(block.caption)}</p>' if block.caption else ""
    return f'<div class="chart">{block.svg}{caption}</div>'  # the SVG is escaped by reports.charts


_WRITERS = {"paragraph": paragraph_html, "heading": heading_html, "table": table_html, "chart": chart_html}


def blocks_html(blocks):
    return mark_safe("".join(_WRITERS[block.kind](block) for block in blocks))  # noqa: S308 - escaped above


def section_html(section):
    """A unit's section of Phụ lục I, on its own page: the fragment cached per unit."""
    return mark_safe(  # noqa: S308 - escaped above
        f'<section class="annex-unit bare" id="{escape(section.anchor)}">{blocks_html(section.blocks)}</section>'
    )


def document_html(document, part=WHOLE, sections=True):
    """The document's HTML: WHOLE, or one frame part (FRAME_BODY, FRAME_APPENDICES). With
    `sections=False` the appendices leave out their unit sections (laid out apart)."""
    appendices = [
        {
            "appendix": appendix,
            "blocks": blocks_html(appendix.blocks),
            "sections": mark_safe("".join(section_html(s) for s in appendix.sections)) if sections else "",  # noqa: S308
        }
        for appendix in document.appendices
    ]
    context = {
        "document": document,
        "body": blocks_html(document.body),
        "appendices": appendices,
        "part": part,
    }
    return render_html("pdf/document.html", context)


def sections_document_html(fragments, title):
    """Unit sections laid out together, outside the document (a part of Phụ lục I)."""
    fragments = [mark_safe(fragment) for fragment in fragments]  # noqa: S308 - section_html's own output
    return render_html("pdf/annex_part.html", {"unit_fragments": fragments, "title": title})
