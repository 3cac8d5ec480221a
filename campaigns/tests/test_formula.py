"""The safe formula evaluator."""

from decimal import Decimal

import pytest

from campaigns.formula import Formula, FormulaError


def evaluate(source, **values):
    return Formula.parse(source, target="t").evaluate({k: Decimal(str(v)) for k, v in values.items()})


@pytest.mark.parametrize(
    "source, values, expected",
    [
        ("a + b", {"a": 1, "b": 2}, Decimal(3)),
        ("a - b * 2", {"a": 10, "b": 3}, Decimal(4)),
        ("(a - b) / c * 100", {"a": 3000, "b": 2500, "c": 12000}, Decimal(500) / Decimal(12000) * 100),
        ("-a + 5", {"a": 2}, Decimal(3)),
        ("a / 3", {"a": 1}, Decimal(1) / Decimal(3)),
        ("a * 1.5", {"a": 2}, Decimal("3.0")),
    ],
)
def test_arithmetic_on_measure_codes(source, values, expected):
    assert abs(evaluate(source, **values) - expected) < Decimal("1e-20")


def test_decimal_exactness():
    # 0.1 + 0.2 is exactly 0.3 in Decimal, not 0.30000000000000004.
    assert evaluate("a + b", a="0.1", b="0.2") == Decimal("0.3")
    assert evaluate("a * 100", a="0.853") == Decimal("85.300")


def test_division_by_zero_is_no_data():
    assert evaluate("a / b * 100", a=5, b=0) is None


def test_missing_measure_is_no_data():
    assert Formula.parse("a / b", target="t").evaluate({"a": Decimal(1)}) is None


@pytest.mark.parametrize(
    "source, fragment",
    [
        ("__import__('os').system('ls')", "lời gọi hàm"),
        ("abs(a)", "lời gọi hàm"),
        ("a.real", "thuộc tính"),
        ("a ** 2", "lũy thừa"),
        ("'text'", "chỉ được chứa số"),
        ("a > b", "so sánh"),
        ("a[0]", "chỉ mục"),
        ("a % 2", "chia lấy dư"),
        ("a // 2", "chia nguyên"),
        ("a and b", "logic"),
        ("lambda: 1", "lambda"),
        ("True + a", "chỉ được chứa số"),
        ("a +", "sai cú pháp"),
        ("", "trống"),
    ],
)
def test_refused_constructs_name_the_target(source, fragment):
    with pytest.raises(FormulaError) as exc:
        Formula.parse(source, target="poverty_reduction")
    assert "poverty_reduction" in str(exc.value)
    assert fragment in str(exc.value)


def test_unknown_measure_names_are_refused():
    with pytest.raises(FormulaError) as exc:
        Formula.parse("records_online / recordz_total", known={"records_online", "records_total"}, target="x")
    assert "recordz_total" in str(exc.value)


def test_formula_in_words():
    formula = Formula.parse("(a - b) / c * 100", target="t")
    assert formula.in_words({"a": "Đầu kỳ", "b": "Cuối kỳ", "c": "Tổng"}) == "(Đầu kỳ − Cuối kỳ) ÷ Tổng × 100"
