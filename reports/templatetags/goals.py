"""`{{ result|goal_text }}`: a goal with its direction and the year it is due, as every table
shows it (reports.aggregation.format_goal)."""

from django import template

from campaigns.models import Goal
from reports.aggregation import format_goal

register = template.Library()


@register.filter
def goal_text(item, option=""):
    """`{{ result|goal_text }}` → "≥ 80,0"; `{{ goal|goal_text:"unit" }}` → "≥ 3.868.370 cây
    (đến 2025)". Takes an aggregation Result or a campaign Goal."""
    if isinstance(item, Goal):
        return format_goal(item.target, item.value, item.due, with_unit=option == "unit")
    return format_goal(item.target, item.goal, item.due, with_unit=option == "unit")
