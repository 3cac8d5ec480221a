from django import template

from reports.excel_views import may_upload_xlsx

register = template.Library()


@register.filter
def xlsx_upload_allowed(report, user):
    """{% if report|xlsx_upload_allowed:user %}: the unit's officer, report editable."""
    return may_upload_xlsx(user, report)
