"""Server-rendered SVG charts: accessible, escaped, no inline styles, and well-formed XML
(so the PDF can embed the same markup)."""

import xml.etree.ElementTree as ET
from decimal import Decimal

from reports.charts import BAR, BAR_REACHED, bar_chart, progress_bar

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup):
    return ET.fromstring(markup)


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
    assert len(root.findall(f".//{SVG}rect")) == 2
    # the goal line is drawn dashed across the plot
    assert any(line.get("stroke-dasharray") for line in root.iter(f"{SVG}line"))


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
    assert [rect.get("fill") for rect in root.iter(f"{SVG}rect")] == [BAR_REACHED, BAR]
    assert "Mức chỉ tiêu: ≤ 5,0." in root.find(f"{SVG}desc").text
    assert any(line.get("stroke-dasharray") for line in root.iter(f"{SVG}line"))  # the ceiling is still drawn
    # rows of different targets each carry their own goal and direction
    mixed = parse(bar_chart(title="T", items=[("a", Decimal(7), Decimal(5), "at_most"), ("b", Decimal(7), Decimal(5))]))
    assert [rect.get("fill") for rect in mixed.iter(f"{SVG}rect")] == [BAR, BAR_REACHED]
    assert "a: 7 (mức ≤ 5); b: 7 (mức ≥ 5)." in mixed.find(f"{SVG}desc").text


def test_bars_scale_to_the_largest_value_or_goal_and_negative_values_draw_nothing():
    root = parse(bar_chart(title="T", items=[("a", Decimal(50)), ("b", Decimal(-3))], goal=Decimal(100), width=640))
    widths = [float(rect.get("width")) for rect in root.iter(f"{SVG}rect")]
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
