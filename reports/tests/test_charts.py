"""Server-rendered SVG charts: accessible, escaped, no inline styles, and well-formed XML
(so the PDF can embed the same markup)."""

import xml.etree.ElementTree as ET
from decimal import Decimal

from reports.charts import BAR, BAR_REACHED, FONT_SIZE, bar_chart, progress_bar

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup):
    return ET.fromstring(markup)


def bars(root):
    return [rect for rect in root.iter(f"{SVG}rect") if "bar" in rect.get("class", "").split()]


def goal_line(root):
    return next(line for line in root.iter(f"{SVG}line") if line.get("class") == "goal-line")


def test_bar_chart_has_title_text_alternative_and_one_bar_per_value():
    markup = bar_chart(
        title="Hồ sơ xử lý trên môi trường mạng",
        items=[("Huyện Mường Ảng", Decimal("85.25")), ("Huyện Điện Biên", Decimal(70)), ("Huyện Nậm Pồ", None)],
        goal=Decimal(80),
        unit="%",
        description="Toàn tỉnh: 77,6%.",
    )
    root = parse(markup)
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title.text == "Hồ sơ xử lý trên môi trường mạng"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    # the text alternative says everything the bars say, the Vietnamese way
    assert "Toàn tỉnh: 77,6%." in desc.text
    assert "Mức chỉ tiêu: ≥ 80,0%" in desc.text
    assert "Huyện Mường Ảng: 85,3%" in desc.text
    assert "Huyện Nậm Pồ: chưa có số liệu" in desc.text
    assert len(bars(root)) == 2
    # the goal line is drawn dashed across the plot
    assert goal_line(root).get("stroke-dasharray")


def test_bar_chart_escapes_labels_and_titles():
    markup = bar_chart(title="<script>x</script>", items=[('Đơn vị "A" & <b>B</b>', Decimal(1))])
    assert "<script>" not in markup and "<b>" not in markup
    root = parse(markup)
    assert root.find(f"{SVG}title").text == "<script>x</script>"


def test_no_inline_styles_anywhere():
    markup = bar_chart(title="T", items=[("a", Decimal(5), Decimal(4)), ("b", Decimal(2), Decimal(4))])
    assert "style=" not in markup
    assert "style=" not in progress_bar(Decimal(40))


def test_per_row_goals_are_marked_on_their_rows():
    root = parse(bar_chart(title="T", items=[("a", Decimal(5), Decimal(4)), ("b", Decimal(2), Decimal("5.5"))]))
    marks = [line for line in root.iter(f"{SVG}line") if line.get("stroke-width") == "2"]
    assert len(marks) == 2
    assert "b: 2,0 (mức ≥ 5,5)" in root.find(f"{SVG}desc").text


def test_an_at_most_bar_is_reached_under_its_ceiling_and_not_over_it():
    root = parse(
        bar_chart(title="T", items=[("a", Decimal("3.8")), ("b", Decimal(7))], goal=Decimal(5), direction="at_most")
    )
    assert [rect.get("class") for rect in bars(root)] == ["bar bar-reached", "bar bar-short"]
    assert bars(root)[0].get("fill") == BAR_REACHED
    assert "Mức chỉ tiêu: ≤ 5,0." in root.find(f"{SVG}desc").text
    assert goal_line(root).get("stroke-dasharray")  # the ceiling is still drawn
    # rows of different targets each carry their own goal and direction
    mixed = parse(bar_chart(title="T", items=[("a", Decimal(7), Decimal(5), "at_most"), ("b", Decimal(7), Decimal(5))]))
    assert [rect.get("class") for rect in bars(mixed)] == ["bar bar-short", "bar bar-reached"]
    assert "a: 7 (mức ≤ 5); b: 7 (mức ≥ 5)." in mixed.find(f"{SVG}desc").text


def test_bars_scale_to_the_largest_value_or_goal_and_negative_values_draw_nothing():
    root = parse(bar_chart(title="T", items=[("a", Decimal(50)), ("b", Decimal(-3))], goal=Decimal(100), width=640))
    widths = [float(rect.get("width")) for rect in bars(root)]
    assert widths[1] == 0
    assert 0 < widths[0] < 300  # half the plot, the goal being the largest


def test_empty_chart_says_so():
    root = parse(bar_chart(title="T", items=[]))
    assert "Chưa có số liệu" in ET.tostring(root, encoding="unicode")


def test_progress_bar_is_labelled_and_clamped():
    root = parse(progress_bar(Decimal(150), width=100, label="Cây xanh"))
    assert root.get("aria-label") == "Cây xanh: 150%"
    assert float(root.findall(f"{SVG}rect")[1].get("width")) == 100
    assert parse(progress_bar(None)).get("aria-label") == "chưa có số liệu"


# --- read on a black-and-white print (the printed provincial summary) ---


def _extent(text):
    """The x-range a text may cover, measured as conservatively as the chart does (0.6 em a
    character), from its anchor."""
    x = float(text.get("x"))
    width = len(text.text) * 0.6 * float(text.get("font-size") or FONT_SIZE)
    anchor = text.get("text-anchor") or "start"
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return left, left + width


def test_no_goal_line_or_mark_crosses_a_value_label():
    # bars ending at, just short of and just past the goals: where the labels used to be drawn over
    root = parse(
        bar_chart(
            title="T",
            items=[
                ("a", Decimal("79.6"), Decimal(80)),
                ("b", Decimal(80), Decimal(80)),
                ("c", Decimal("81.2"), Decimal("81.5")),
                ("d", Decimal(100), Decimal(100)),
                ("e", None, Decimal(90)),
                ("f", Decimal("3"), Decimal("3.4")),
            ],
            goal=Decimal(80),
            unit="%",
        )
    )
    global_x = float(goal_line(root).get("x1"))
    rows = root.findall(f"{SVG}g[@class='bar-row']")
    assert len(rows) == 6
    for row in rows:
        label = row.find(f"{SVG}text[@class='bar-value']")
        left, right = _extent(label)
        marks = [float(line.get("x1")) for line in row.iter(f"{SVG}line") if line.get("class") == "goal-mark"]
        assert marks, "every row here has its own goal"
        for x in [*marks, global_x]:
            assert not left - 2 <= x <= right + 2, (label.text, x, left, right)
        # and the label stays inside the drawing
        assert right <= float(root.get("width"))


def test_value_labels_never_meet_a_goal_line_however_wide_the_figures():
    root = parse(
        bar_chart(
            title="T",
            items=[("a", Decimal(3868370), Decimal(3868370)), ("b", Decimal(1200000))],
            goal=Decimal(3000000),
            unit="cây",
            width=480,
        )
    )
    lines = [float(line.get("x1")) for line in root.iter(f"{SVG}line") if "goal" in line.get("class", "")]
    for label in root.iter(f"{SVG}text"):
        if label.get("class") == "bar-value":
            left, right = _extent(label)
            assert all(not left <= x <= right for x in lines)
            assert right <= 480


def _luminance(colour):
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_reached_and_short_bars_differ_without_colour():
    markup = bar_chart(
        title="Tỷ lệ", items=[("a", Decimal(90)), ("b", Decimal(60)), ("c", Decimal(85))], goal=Decimal(80), unit="%"
    )
    root = parse(markup)
    assert [rect.get("fill") for rect in bars(root)] == [BAR_REACHED, BAR, BAR_REACHED]
    # the two colours print as the same grey ...
    assert abs(_luminance(BAR) - _luminance(BAR_REACHED)) < 0.05
    # ... so the bar short of its goal is also struck through with light stripes: a pattern
    # defined in the chart itself and named after it, laid over the whole bar
    rows = root.findall(f"{SVG}g[@class='bar-row']")
    hatches = [row.find(f"{SVG}rect[@class='bar-hatch']") for row in rows]
    assert hatches[0] is None and hatches[2] is None
    short, hatch = bars(root)[1], hatches[1]
    assert all(hatch.get(key) == short.get(key) for key in ("x", "y", "width", "height"))
    fill = hatch.get("fill")
    assert fill.startswith("url(#") and fill.endswith(")")
    pattern = root.find(f"{SVG}defs/{SVG}pattern")
    assert pattern.get("id") == fill[5:-1]
    assert pattern.get("id").startswith(root.find(f"{SVG}title").get("id").removesuffix("-t"))
    stripes = pattern.find(f"{SVG}path")
    assert _luminance(stripes.get("stroke")) - _luminance(BAR_REACHED) > 0.5
    assert float(stripes.get("stroke-width")) >= 1.5  # wide enough to survive a print
    # the legend says which is which, in words, with swatches drawn as the bars are
    legend = root.find(f"{SVG}g[@class='bar-legend']")
    assert [text.text for text in legend.iter(f"{SVG}text")] == ["Đạt mức", "Chưa đạt mức"]
    assert [(rect.get("class"), rect.get("fill")) for rect in legend.iter(f"{SVG}rect")] == [
        ("legend legend-reached", BAR_REACHED),
        ("legend legend-short", BAR),
        ("legend-hatch", fill),
    ]
    assert "style=" not in markup


def test_two_charts_on_one_page_do_not_share_a_pattern_id():
    ids = set()
    for title in ("Chỉ tiêu 1", "Chỉ tiêu 2"):
        root = parse(bar_chart(title=title, items=[("a", Decimal(1))], goal=Decimal(2)))
        ids.add(root.find(f"{SVG}defs/{SVG}pattern").get("id"))
    assert len(ids) == 2


def test_a_bar_with_no_goal_among_judged_bars_is_light_and_named_in_the_legend():
    root = parse(bar_chart(title="T", items=[("a", Decimal(9), Decimal(5)), ("b", Decimal(3))]))
    reached, plain = bars(root)
    assert _luminance(plain.get("fill")) - _luminance(reached.get("fill")) > 0.2
    assert root.find(f".//{SVG}rect[@class='bar-hatch']") is None
    legend = root.find(f"{SVG}g[@class='bar-legend']")
    assert [text.text for text in legend.iter(f"{SVG}text")] == ["Đạt mức", "Chưa đạt mức", "Không đặt mức"]


def test_a_chart_without_goals_keeps_its_plain_bars_and_no_legend():
    root = parse(bar_chart(title="T", items=[("a", Decimal(9)), ("b", Decimal(3))]))
    assert [rect.get("fill") for rect in bars(root)] == [BAR, BAR]
    assert root.find(f"{SVG}g[@class='bar-legend']") is None
    assert root.find(f"{SVG}defs") is None


# --- the chart rounds as the tables do ---


def _values(root):
    return [text.text for text in root.iter(f"{SVG}text") if text.get("class") == "bar-value"]


def test_each_row_can_carry_its_own_places_rounded_half_up():
    root = parse(
        bar_chart(
            title="T",
            items=[
                ("a", Decimal("12.345"), Decimal("12.3"), None, 2),
                ("b", Decimal("3.25"), Decimal(4), "at_most", 1),
                ("c", Decimal("2.5"), None, None, 0),
            ],
        )
    )
    assert _values(root) == ["12,35", "3,3", "3"]
    desc = root.find(f"{SVG}desc").text
    assert "a: 12,35 (mức ≥ 12,30)" in desc
    assert "b: 3,3 (mức ≤ 4,0)" in desc


def test_places_for_the_whole_chart():
    root = parse(
        bar_chart(title="T", items=[("a", Decimal("12.345")), ("b", Decimal("3.25"))], goal=Decimal(5), places=2)
    )
    assert _values(root) == ["12,35", "3,25"]
    assert "Mức chỉ tiêu: ≥ 5,00." in root.find(f"{SVG}desc").text


def test_the_tables_formatter_prints_what_the_tables_print():
    from functools import partial
    from types import SimpleNamespace

    from reports.aggregation import format_value

    rate = SimpleNamespace(is_rate=True)
    count = SimpleNamespace(is_rate=False)
    root = parse(
        bar_chart(
            title="T",
            items=[("a", Decimal("3.25")), ("b", Decimal("84.95"))],
            goal=Decimal(85),
            unit="%",
            format_value=partial(format_value, rate),
        )
    )
    assert _values(root) == ["3,3%", "85,0%"]
    # rows of different targets, each with its own: a count stays whole, a rate shows one decimal
    mixed = parse(
        bar_chart(
            title="T",
            items=[
                ("cây", Decimal(3868370), None, None, partial(format_value, count)),
                ("tỷ lệ", Decimal("3.25"), None, None, partial(format_value, rate)),
            ],
        )
    )
    assert _values(mixed) == ["3.868.370", "3,3"]


def test_nothing_passed_keeps_the_charts_own_places():
    root = parse(bar_chart(title="T", items=[("a", Decimal("85.25")), ("b", Decimal(7))]))
    assert _values(root) == ["85,3", "7,0"]
    whole = parse(bar_chart(title="T", items=[("a", Decimal(85)), ("b", Decimal(7))]))
    assert _values(whole) == ["85", "7"]
