"""Numbers and dates the Vietnamese way: `3.868.370`, `85,3`, `15/11/2024`.

The web form and the unit's own Excel template read and write this form. Long-form files
(`import_results`) use plain machine numbers and go through `parse_machine_number`, which
refuses grouped values as ambiguous.
"""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

VN_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
# Digits with dots that are not thousands groups (`12.50`, `1234.567`), perhaps a decimal part.
DOTTED = re.compile(r"^([+-]?)(\d+(?:\.\d+)+)(?:,(\d+))?$")
MACHINE_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
GROUPED = re.compile(r"^[+-]?\d{1,3}([.,]\d{3}){2,}([.,]\d+)?$")


class NumberError(ValueError):
    """Text that is not a number in the expected form; the message is in the active language."""


class AmbiguousNumber(NumberError):
    """Dots that are not thousands groups (`12.50`): `readings` are what the writer may have
    meant, written the Vietnamese way (`12,50`, `1.250`)."""

    def __init__(self, message, *, text, readings):
        super().__init__(message)
        self.text = text
        self.readings = readings


def parse_vn_number(text):
    """Parse a number typed the Vietnamese way: `.` groups thousands, `,` is the decimal
    mark. Spaces are ignored. Returns a Decimal or raises NumberError (AmbiguousNumber for
    dots that do not group thousands, such as `12.50`)."""
    cleaned = str(text).strip().replace(" ", "").replace("\u00a0", "")
    if not cleaned:
        raise NumberError(_("Chưa nhập giá trị."))
    if VN_NUMBER.match(cleaned):
        return Decimal(cleaned.replace(".", "").replace(",", "."))
    dotted = DOTTED.match(cleaned)
    if dotted:
        raise AmbiguousNumber(
            _(
                "“%(text)s” không đúng cách viết số: dùng dấu phẩy cho phần thập phân (ví dụ 85,3) "
                "và dấu chấm để phân nhóm hàng nghìn (ví dụ 3.868.370)."
            )
            % {"text": text},
            text=cleaned,
            readings=vn_readings(*dotted.groups()),
        )
    raise NumberError(_("“%(text)s” không phải là số.") % {"text": text})


def vn_readings(sign, dotted, fraction):
    """What dotted text may have meant: the dot as the decimal mark (`12.50` → `12,50`, when
    there is one dot and no comma) and the dots as thousands groups (→ `1.250`)."""
    readings = []
    if dotted.count(".") == 1 and fraction is None:
        readings.append(sign + dotted.replace(".", ","))
    grouped = sign + f"{int(dotted.replace('.', '')):,}".replace(",", ".")
    readings.append(f"{grouped},{fraction}" if fraction is not None else grouped)
    return list(dict.fromkeys(readings))


def parse_machine_number(text):
    """Parse a number from a file: digits with an optional `.` decimal point, no grouping."""
    cleaned = str(text).strip()
    if not cleaned:
        raise NumberError(_("giá trị trống"))
    if MACHINE_NUMBER.match(cleaned):
        return Decimal(cleaned)
    if GROUPED.match(cleaned) or re.match(r"^[+-]?\d+,\d+$", cleaned):
        raise NumberError(
            _(
                "giá trị '%(value)s' không rõ nghĩa: trong tệp ghi số không phân nhóm hàng nghìn, "
                "dấu chấm là dấu thập phân (ví dụ 3868370 hoặc 85.3)"
            )
            % {"value": cleaned}
        )
    raise NumberError(_("giá trị '%(value)s' không phải là số") % {"value": cleaned})


def round_half_up(value, places):
    quantum = Decimal(1).scaleb(-places)
    return Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)


def format_vn_number(value, places=None):
    """Format a number the Vietnamese way. `places=None` keeps the value's own decimals
    (without trailing zeros); otherwise it is rounded half-up to that many places."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if places is not None:
        number = round_half_up(number, places)
    elif number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    sign = "-" if number < 0 else ""
    digits = f"{abs(number):f}"
    whole, _, fraction = digits.partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def local(value):
    """An aware datetime in the portal's time zone (Asia/Ho_Chi_Minh); anything else as it is.
    A moment stored in UTC must never show the UTC day: 05:34 on 01/12 in Điện Biên is
    22:34 on 30/11 in UTC."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def format_vn_date(value):
    """`01/12/2024`: a date, or the local day of a datetime."""
    return local(value).strftime("%d/%m/%Y") if value else ""


def format_vn_datetime(value):
    """`01/12/2024 05:34` in the portal's time zone; a plain date without the time."""
    if not value:
        return ""
    if not isinstance(value, datetime.datetime):
        return format_vn_date(value)
    return local(value).strftime("%d/%m/%Y %H:%M")
