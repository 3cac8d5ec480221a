from decimal import Decimal

import pytest

from campaigns.numbers import NumberError, format_vn_number, parse_machine_number, parse_vn_number


@pytest.mark.parametrize(
    "text, expected",
    [
        ("3.868.370", Decimal(3868370)),
        ("4,5", Decimal("4.5")),
        ("85,3", Decimal("85.3")),
        ("1234", Decimal(1234)),
        ("1.234,56", Decimal("1234.56")),
        (" 12 ", Decimal(12)),
        ("-3", Decimal(-3)),
    ],
)
def test_vietnamese_input(text, expected):
    assert parse_vn_number(text) == expected


@pytest.mark.parametrize("text", ["abc", "4.5", "1,2,3", "3.86.370", "12a"])
def test_vietnamese_input_refusals(text):
    with pytest.raises(NumberError):
        parse_vn_number(text)


def test_machine_numbers_refuse_grouping_with_a_hint():
    assert parse_machine_number("3868370") == Decimal(3868370)
    assert parse_machine_number("85.3") == Decimal("85.3")
    with pytest.raises(NumberError) as exc:
        parse_machine_number("3.868.370")
    assert "không phân nhóm" in str(exc.value)
    with pytest.raises(NumberError):
        parse_machine_number("85,3")


@pytest.mark.parametrize(
    "value, places, text",
    [
        (Decimal(3868370), None, "3.868.370"),
        (Decimal("85.25"), 1, "85,3"),
        (Decimal("85.24"), 1, "85,2"),
        (Decimal("4.0000"), None, "4"),
        (Decimal("5.5000"), None, "5,5"),
        (Decimal("-1234.5"), 1, "-1.234,5"),
        (None, None, ""),
    ],
)
def test_vietnamese_output_rounds_half_up(value, places, text):
    assert format_vn_number(value, places) == text
