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
# A bar with no goal beside bars judged against theirs: a light tone, so that it cannot be
# taken for a dark, solid bar that reached its goal once printed in grey.
BAR_NO_GOAL = "#9dbde0"
# A bar short of its goal is blue struck through with white stripes (a pattern laid over its
# fill), so that on a black-and-white print it reads light and striped beside the solid, dark
# bars that reach it: the two colours alone print as the same grey.
HATCH = "#ffffff"
GOAL = "#b02a37"
TEXT = "#212529"
MUTED = "#6c757d"
GRID = "#dee2e6"

ROW = 24
TOP = 34
BOTTOM = 28
LEGEND = 22
LABEL_CHARS = 34
FONT_SIZE = 12
# Text is measured conservatively, as if every character were 0.6 em wide.
CHAR_WIDTH = 0.6 * FONT_SIZE
VALUE_WIDTH = 96
GAP = 8


def _number(value, places):
    return format_vn_number(value, places)


def _places(values):
    """Whole numbers stay whole; anything with a fraction shows one decimal."""
    return 0 if all(Decimal(v) == Decimal(v).to_integral_value() for v in values) else 1


def _formatter(spec):
    """A row's way of writing its numbers: a callable (value → text) as is, a number of
    decimal places (half-up, decimal comma), or None to leave it to the chart."""
    if spec is None or callable(spec):
        return spec
    places = int(spec)
    return lambda value: _number(value, places)


def _text_width(text, font_size=FONT_SIZE):
    return len(text) * 0.6 * font_size


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
    places=None,
    format_value=None,
):
    """A horizontal bar chart as SVG markup.

    `items`: (label, value) pairs, value a Decimal or None ("no data"); an item may carry a
    third element, its own goal, drawn as a short mark on its row, a fourth, its direction
    (None: the chart's), and a fifth, how its value and goal are written: a number of
    decimal places or a callable (value → text), as for `places` and `format_value`.
    `goal`: one goal for every row, drawn as a dashed vertical line. `direction` ("at least"
    or "at most") is every item's that does not give its own.

    Numbers are written the Vietnamese way, half-up: with `format_value` (a callable, value
    → text without the unit, e.g. `functools.partial(aggregation.format_value, target)`, so
    the chart prints what the tables print), else with `places` decimals, else with 0 or 1
    decimal for the whole chart (1 when any value or goal has a fraction).

    A bar that reaches its goal is solid green; one short of it (over an "at most" ceiling)
    is blue struck through with white stripes, so the two differ on a black-and-white print
    too, and a legend under the chart says which is which. A bar with no goal is solid blue
    (a light blue among judged bars, named in the legend). The values stand in a column right
    of the plot, where no goal line or mark can cross them; a faint dotted guide leads from a
    short bar to its figure. `unit` follows each value ("%", "cây"). `description` opens the
    text alternative, which then lists every row in words.
    """
    rows = [(item[0], item[1], item[2] if len(item) > 2 else None) for item in items]
    directions = [item[3] if len(item) > 3 and item[3] is not None else direction for item in items]
    values = [Decimal(value) for _label, value, _goal in rows if value is not None]
    goals = [Decimal(g) for g in [goal] + [row_goal for *_rest, row_goal in rows] if g is not None]
    auto_places = _places(values + goals) if values or goals else 0
    chart_format = _formatter(format_value) or _formatter(places) or _formatter(auto_places)
    row_formats = [(_formatter(item[4]) if len(item) > 4 else None) or chart_format for item in items]
    scale_max = max([Decimal(0)] + values + goals)
    if scale_max <= 0:
        scale_max = Decimal(1)
    suffix = f"\u00a0{unit}" if unit and unit != "%" else unit

    def goal_words(value, row_direction, write):
        return f"{Direction(row_direction).sign} {write(value)}{suffix}"

    shown_values = [
        _("chưa có số liệu") if value is None else write(value) + suffix
        for (_label, value, _goal), write in zip(rows, row_formats, strict=True)
    ]
    lines_in_words = []
    for (label, _value, row_goal), row_direction, write, said in zip(
        rows, directions, row_formats, shown_values, strict=True
    ):
        if row_goal is not None:
            said += " (" + _("mức") + " " + goal_words(row_goal, row_direction, write) + ")"
        lines_in_words.append(f"{label}: {said}")
    words = " ".join(part for part in [description] if part)
    if goal is not None:
        goal_said = goal_words(goal, direction, chart_format)
        words += (" " if words else "") + _("Mức chỉ tiêu: %(goal)s.") % {"goal": goal_said}
    words += (" " if words else "") + "; ".join(lines_in_words) + ("." if lines_in_words else "")

    # Each bar's state: reached, short of its goal, or not judged (no goal).
    states = []
    for (_label, value, row_goal), row_direction in zip(rows, directions, strict=True):
        judged_by = row_goal if row_goal is not None else goal
        if value is None:
            states.append(None)
        elif judged_by is None:
            states.append("plain")
        else:
            states.append("reached" if _reached(value, judged_by, row_direction) else "short")
    judged = any(state in ("reached", "short") for state in states)

    label_width = int(width * 0.38)
    value_width = max([VALUE_WIDTH] + [int(_text_width(text) + 2 * GAP) + 1 for text in shown_values])
    plot_left = label_width + GAP
    plot_width = max(40, width - plot_left - value_width)
    value_right = width - 2
    baseline_bottom = TOP + ROW * max(1, len(rows))
    below = BOTTOM if goal is not None else GAP  # room for the goal line's label
    height = baseline_bottom + below + (LEGEND if judged else 0)

    def x_of(value):
        share = max(Decimal(0), min(Decimal(1), Decimal(value) / scale_max))
        return plot_left + float(share) * plot_width

    chart_id = _chart_id(title, width, *rows, goal, *directions, *shown_values)
    hatch = f"{chart_id}-short"
    fills = {
        "reached": BAR_REACHED,
        "short": BAR,
        "plain": BAR_NO_GOAL if judged else BAR,  # alone in its chart, the usual blue
    }

    def bar(state, x, y, bar_width, bar_height, kind):
        drawn = (
            f'<rect class="{kind} {kind}-{state}" x="{x:.1f}" y="{y}" width="{bar_width:.1f}" '
            f'height="{bar_height}" fill="{fills[state]}" />'
        )
        if state == "short":
            drawn += (
                f'<rect class="{kind}-hatch" x="{x:.1f}" y="{y}" width="{bar_width:.1f}" height="{bar_height}" '
                f'fill="url(#{hatch})" />'
            )
        return drawn

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'font-family="{escape(font_family)}" font-size="{FONT_SIZE}">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(words)}</desc>',
    ]
    if judged:  # the hatch, for the bars short of their goal and the legend's swatch
        out.append(
            f'<defs><pattern id="{hatch}" patternUnits="userSpaceOnUse" width="6" height="6">'
            f'<path d="M0,6 L6,0 M-1.5,1.5 L1.5,-1.5 M4.5,7.5 L7.5,4.5" stroke="{HATCH}" stroke-width="2" />'
            "</pattern></defs>"
        )
    out.append(f'<text x="0" y="16" font-size="14" font-weight="bold" fill="{TEXT}">{escape(title)}</text>')
    out.append(f'<line x1="{plot_left}" y1="{TOP - 6}" x2="{plot_left}" y2="{baseline_bottom}" stroke="{GRID}" />')
    if not rows:
        out.append(f'<text x="{plot_left + 6}" y="{TOP + 16}" fill="{MUTED}">{escape(_("Chưa có số liệu"))}</text>')
    for index, (label, value, row_goal) in enumerate(rows):
        y = TOP + index * ROW
        out.append('<g class="bar-row">')
        out.append(f"<title>{escape(lines_in_words[index])}</title>")
        out.append(
            f'<text x="{label_width}" y="{y + 16}" text-anchor="end" fill="{TEXT}">{escape(_short(label))}</text>'
        )
        if value is None:
            out.append(
                f'<text class="bar-value" x="{value_right}" y="{y + 16}" text-anchor="end" fill="{MUTED}" '
                f'font-style="italic">{escape(shown_values[index])}</text>'
            )
        else:
            bar_end = x_of(value)
            out.append(bar(states[index], plot_left, y + 4, bar_end - plot_left, ROW - 8, "bar"))
            value_left = value_right - _text_width(shown_values[index])
            if value_left - bar_end > 3 * GAP:  # a faint guide leads a short bar's eye to its figure
                out.append(
                    f'<line class="bar-guide" x1="{bar_end + GAP:.1f}" y1="{y + 12}" x2="{value_left - GAP:.1f}" '
                    f'y2="{y + 12}" stroke="{GRID}" stroke-dasharray="1 3" />'
                )
            out.append(
                f'<text class="bar-value" x="{value_right}" y="{y + 16}" text-anchor="end" fill="{TEXT}">'
                f"{escape(shown_values[index])}</text>"
            )
        if row_goal is not None:
            gx = x_of(row_goal)
            out.append(
                f'<line class="goal-mark" x1="{gx:.1f}" y1="{y + 1}" x2="{gx:.1f}" y2="{y + ROW - 1}" '
                f'stroke="{GOAL}" stroke-width="2" />'
            )
        out.append("</g>")
    if goal is not None:
        gx = x_of(goal)
        out.append(
            f'<line class="goal-line" x1="{gx:.1f}" y1="{TOP - 6}" x2="{gx:.1f}" y2="{baseline_bottom}" '
            f'stroke="{GOAL}" stroke-width="2" stroke-dasharray="6 3" />'
        )
        out.append(
            f'<text x="{gx:.1f}" y="{baseline_bottom + 16}" text-anchor="middle" fill="{GOAL}">'
            f"{escape(_('Mức') + ' ' + goal_said)}</text>"
        )
    if judged:
        out.append(_legend(states, bar, x=plot_left, y=baseline_bottom + below + 4))
    out.append("</svg>")
    return "".join(out)


def _legend(states, bar, *, x, y):
    """What the bars' fills mean, drawn under the chart: the two states always, a bar with no
    goal only when there is one. `bar` draws a swatch as the chart draws its bars."""
    entries = [("reached", _("Đạt mức")), ("short", _("Chưa đạt mức"))]
    if "plain" in states:
        entries.append(("plain", _("Không đặt mức")))
    out = ['<g class="bar-legend">', f"<title>{escape(_('Chú giải'))}</title>"]
    for state, words in entries:
        out.append(bar(state, x, y, 16, 11, "legend"))
        out.append(f'<text x="{x + 21:.1f}" y="{y + 10}" fill="{TEXT}">{escape(words)}</text>')
        x += 21 + _text_width(words) + 16
    out.append("</g>")
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
