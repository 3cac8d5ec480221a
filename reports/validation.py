"""The rules a unit's figures must follow, wherever they come from (web form, the unit's
Excel upload, `import_results`). Messages are in the active language and name the measure."""

from decimal import Decimal

from django.utils.translation import gettext as _

from campaigns.models import ValueType
from campaigns.numbers import format_vn_number


def check_value(measure, value):
    """The message for one value that breaks its measure's own rules, or None."""
    if value is None:
        return None
    value = Decimal(value)
    about = {"measure": measure.name, "value": format_vn_number(value)}
    if value < 0:
        if measure.value_type == ValueType.INTEGER:
            return _("%(measure)s: số đếm không được âm (%(value)s).") % about
        return _("%(measure)s: giá trị không được âm (%(value)s).") % about
    if measure.value_type == ValueType.INTEGER and value != value.to_integral_value():
        return _("%(measure)s: phải là số nguyên (%(unit)s), không có phần thập phân.") % {
            "measure": measure.name,
            "unit": measure.unit_of_measure or _("đơn vị"),
        }
    if measure.value_type == ValueType.PERCENT and value > 100:
        return _("%(measure)s: tỷ lệ phần trăm không được vượt quá 100 (đang nhập %(value)s).") % about
    if measure.value_type == ValueType.BOOLEAN and value not in (0, 1):
        return _("%(measure)s: chỉ nhận 1 (có) hoặc 0 (không).") % about
    if abs(value) >= Decimal("1e15"):
        return _("%(measure)s: giá trị quá lớn.") % about
    return None


def check_parts(measures, values):
    """Messages (measure code → text) for every part larger than its whole. `values` maps
    code → Decimal or None; a pair is checked only when both are known."""
    by_id = {measure.pk: measure for measure in measures}
    problems = {}
    for measure in measures:
        whole = by_id.get(measure.part_of_id)
        if whole is None:
            continue
        part_value, whole_value = values.get(measure.code), values.get(whole.code)
        if part_value is None or whole_value is None:
            continue
        if Decimal(part_value) > Decimal(whole_value):
            problems[measure.code] = _("%(part)s (%(part_value)s) không được lớn hơn %(whole)s (%(whole_value)s).") % {
                "part": measure.name,
                "part_value": format_vn_number(part_value),
                "whole": whole.name,
                "whole_value": format_vn_number(whole_value),
            }
    return problems


def check_unit_values(measures, values, *, require_all=False, no_data=()):
    """Check a unit's full set of values. `measures` are the measures the unit reports;
    `values` maps code → Decimal or None. With `require_all` (submitting), every measure
    needs a value or an explicit "no data" (`no_data`: codes). Returns code → message."""
    problems = {}
    for measure in measures:
        message = check_value(measure, values.get(measure.code))
        if message:
            problems[measure.code] = message
    for code, message in check_parts(measures, values).items():
        problems.setdefault(code, message)
    if require_all:
        for measure in measures:
            if values.get(measure.code) is None and measure.code not in no_data:
                problems.setdefault(
                    measure.code,
                    _("%(measure)s: cần nhập số liệu trước khi gửi, hoặc đánh dấu “không có số liệu” và ghi rõ lý do.")
                    % {"measure": measure.name},
                )
    return problems
