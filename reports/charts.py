"""Charts drawn on the server as SVG markup: no JavaScript, no inline `style` (the CSP forbids
it), only SVG presentation attributes, so the same string works in a web page and inside a
WeasyPrint PDF. Every chart has a <title> and a <desc> that says in words what it shows.

Labels and titles are escaped here: the result may be passed to `mark_safe`.
"""

import hashlib
from decimal import Decimal

from django.utils.html import escape
from django.utils.translation import gettext as _

from campaigns.models import Direction
from campaigns.numbers import format_vn_number, round_half_up

BAR = "#2f6fb3"
BAR_REACHED = "#1e7b4d"
GOAL = "#b02a37"
TEXT = "#212529"
MUTED = "#6c757d"
GRID = "#dee2e6"

ROW = 24
TOP = 34
BOTTOM = 28
LABEL_CHARS = 34


def _number(value, places):
    return format_vn_number(value, places)


def _places(values):
    """Whole numbers stay whole; anything with a fraction shows one decimal."""
    return 0 if all(Decimal(v) == Decimal(v).to_integral_value() for v in values) else 1


def _short(label):
    label = str(label)
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def _chart_id(*parts):
    return "chart-" + hashlib.sha1("|".join(str(part) for part in parts).encode()).hexdigest()[:10]


def _reached(value, goal, direction):
    """Judged as the status is (reports.aggregation): on the value shown to one decimal; an
    "at most" goal is reached at or under its ceiling."""
    if goal is None:
        return False
    shown, goal = round_half_up(value, 1), Decimal(goal)
    return shown <= goal if direction == Direction.AT_MOST else shown >= goal


def bar_chart(
    *,
    title,
    items,
    goal=None,
    unit="",
    description="",
    width=640,
    font_family="sans-serif",
    direction=Direction.AT_LEAST,
):
    """A horizontal bar chart as SVG markup.

    `items`: (label, value) pairs, value a Decimal or None ("no data"); an item may carry a
    third element, its own goal, drawn as a short mark on its row, and a fourth, its
    direction. `goal`: one goal for every row, drawn as a dashed vertical line. `direction`
    ("at least" or "at most") is every item's that does not give its own. A bar that
    reaches its goal is drawn green: over an "at most" ceiling it is not. `unit` follows
    each value ("%", "cây"). `description` opens the text alternative, which then lists
    every row in words.
    """
    rows = [(item[0], item[1], item[2] if len(item) > 2 else None) for item in items]
    directions = [item[3] if len(item) > 3 else direction for item in items]
    values = [Decimal(value) for _label, value, _goal in rows if value is not None]
    goals = [Decimal(g) for g in [goal] + [row_goal for *_rest, row_goal in rows] if g is not None]
    places = _places(values + goals) if values or goals else 0
    scale_max = max([Decimal(0)] + values + goals)
    if scale_max <= 0:
        scale_max = Decimal(1)

    label_width = int(width * 0.38)
    value_width = 96
    plot_left = label_width + 8
    plot_width = max(40, width - plot_left - value_width)
    height = TOP + ROW * max(1, len(rows)) + BOTTOM
    suffix = f"\u00a0{unit}" if unit and unit != "%" else unit

    def x_of(value):
        share = max(Decimal(0), min(Decimal(1), Decimal(value) / scale_max))
        return plot_left + float(share) * plot_width

    def goal_words(value, row_direction):
        return f"{Direction(row_direction).sign} {_number(value, places)}{suffix}"

    chart_id = _chart_id(title, width, *rows, goal, *directions)
    lines_in_words = []
    for (label, value, row_goal), row_direction in zip(rows, directions, strict=True):
        said = _("chưa có số liệu") if value is None else _number(value, places) + suffix
        if row_goal is not None:
            said += " (" + _("mức") + " " + goal_words(row_goal, row_direction) + ")"
        lines_in_words.append(f"{label}: {said}")
    words = " ".join(part for part in [description] if part)
    if goal is not None:
        words += (" " if words else "") + _("Mức chỉ tiêu: %(goal)s.") % {"goal": goal_words(goal, direction)}
    words += (" " if words else "") + "; ".join(lines_in_words) + ("." if lines_in_words else "")

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'font-family="{escape(font_family)}" font-size="12">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(words)}</desc>',
        f'<text x="0" y="16" font-size="14" font-weight="bold" fill="{TEXT}">{escape(title)}</text>',
    ]
    baseline_bottom = TOP + ROW * max(1, len(rows))
    out.append(f'<line x1="{plot_left}" y1="{TOP - 6}" x2="{plot_left}" y2="{baseline_bottom}" stroke="{GRID}" />')
    if not rows:
        out.append(f'<text x="{plot_left + 6}" y="{TOP + 16}" fill="{MUTED}">{escape(_("Chưa có số liệu"))}</text>')
    for index, (label, value, row_goal) in enumerate(rows):
        y = TOP + index * ROW
        out.append("<g>")
        out.append(f"<title>{escape(lines_in_words[index])}</title>")
        out.append(
            f'<text x="{label_width}" y="{y + 16}" text-anchor="end" fill="{TEXT}">{escape(_short(label))}</text>'
        )
        if value is None:
            out.append(
                f'<text x="{plot_left + 6}" y="{y + 16}" fill="{MUTED}" font-style="italic">'
                f"{escape(_('chưa có số liệu'))}</text>"
            )
        else:
            reached = _reached(value, row_goal if row_goal is not None else goal, directions[index])
            bar_end = x_of(value)
            out.append(
                f'<rect x="{plot_left}" y="{y + 4}" width="{bar_end - plot_left:.1f}" height="{ROW - 8}" '
                f'fill="{BAR_REACHED if reached else BAR}" />'
            )
            shown = escape(_number(value, places) + suffix)
            out.append(f'<text x="{bar_end + 4:.1f}" y="{y + 16}" fill="{TEXT}">{shown}</text>')
        if row_goal is not None:
            gx = x_of(row_goal)
            out.append(
                f'<line x1="{gx:.1f}" y1="{y + 1}" x2="{gx:.1f}" y2="{y + ROW - 1}" stroke="{GOAL}" stroke-width="2" />'
            )
        out.append("</g>")
    if goal is not None:
        gx = x_of(goal)
        out.append(
            f'<line x1="{gx:.1f}" y1="{TOP - 6}" x2="{gx:.1f}" y2="{baseline_bottom}" stroke="{GOAL}" '
            f'stroke-width="2" stroke-dasharray="6 3" />'
        )
        out.append(
            f'<text x="{gx:.1f}" y="{baseline_bottom + 16}" text-anchor="middle" fill="{GOAL}">'
            f"{escape(_('Mức') + ' ' + goal_words(goal, direction))}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def progress_bar(share, *, width=120, height=10, label=""):
    """A small progress bar as SVG (for print, where <progress> does not render). `share`
    is 0–100 or None (drawn empty, labelled as no data)."""
    said = _("chưa có số liệu") if share is None else format_vn_number(share, 0) + "%"
    filled = 0 if share is None else width * float(max(Decimal(0), min(Decimal(100), Decimal(share)))) / 100
    text = f"{label}: {said}" if label else said
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="progress-chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(text)}">'
        f"<title>{escape(text)}</title>"
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="{GRID}" />'
        f'<rect x="0" y="0" width="{filled:.1f}" height="{height}" fill="{BAR}" />'
        "</svg>"
    )
