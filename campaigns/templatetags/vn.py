"""Template filters that show numbers and dates the Vietnamese way."""

from django import template

from campaigns.numbers import format_vn_date, format_vn_datetime, format_vn_number

register = template.Library()


@register.filter
def vn_number(value, places=None):
    """`{{ value|vn_number }}` → 3.868.370; `{{ value|vn_number:1 }}` → 85,3."""
    return format_vn_number(value, None if places in (None, "") else int(places))


@register.filter
def vn_date(value):
    """`15/11/2024`; a datetime shows its day in the portal's time zone."""
    return format_vn_date(value)


@register.filter
def vn_datetime(value):
    """`01/12/2024 05:34` in the portal's time zone."""
    return format_vn_datetime(value)
