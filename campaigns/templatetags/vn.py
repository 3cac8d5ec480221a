"""Template filters that show numbers and dates the Vietnamese way."""

from django import template

from campaigns.numbers import format_vn_date, format_vn_number

register = template.Library()


@register.filter
def vn_number(value, places=None):
    """`{{ value|vn_number }}` → 3.868.370; `{{ value|vn_number:1 }}` → 85,3."""
    return format_vn_number(value, None if places in (None, "") else int(places))


@register.filter
def vn_date(value):
    return format_vn_date(value)
