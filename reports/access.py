"""The scoped lookups every view uses. Outsiders get 404, never a hint that a thing exists."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from campaigns.roles import can_read_province, is_officer, unit_of

from .models import UnitReport


def report_for_user(user, pk, write=False):
    """The report `pk` if `user` may see it (and, with `write`, edit it), else Http404.

    An officer sees and edits only the reports of the unit; reviewers and leaders read every
    report; nobody else sees any. Reviewers act on reports through the review actions, which
    check `can_review` themselves; `write` here means editing the unit's own figures.
    """
    report = get_object_or_404(
        UnitReport.objects.select_related("campaign", "submitted_by", "reviewed_by").units_joined(), pk=pk
    )
    if is_officer(user):
        if report.unit_id != unit_of(user).pk:
            raise Http404
        return report
    if write or not can_read_province(user):
        raise Http404
    return report


def reports_for_user(user):
    """Every report `user` may read."""
    queryset = UnitReport.objects.select_related("campaign", "unit")
    if is_officer(user):
        return queryset.filter(unit=unit_of(user))
    if can_read_province(user):
        return queryset
    return queryset.none()
