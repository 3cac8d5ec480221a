from django.http import Http404
from django.shortcuts import render

from campaigns.models import Campaign, CampaignStatus
from campaigns.roles import is_officer, is_reviewer, unit_of

from .models import UnitReport


def my_unit(request):
    """An officer's page: the campaigns the unit reports in and where each report stands."""
    if not is_officer(request.user):
        raise Http404
    unit = unit_of(request.user)
    campaigns = [
        campaign
        for campaign in Campaign.objects.exclude(status=CampaignStatus.DRAFT)
        if campaign.participants().filter(pk=unit.pk).exists()
    ]
    reports = {report.campaign_id: report for report in UnitReport.objects.filter(unit=unit, campaign__in=campaigns)}
    rows = [(campaign, reports.get(campaign.pk)) for campaign in campaigns]
    return render(request, "reports/my_unit.html", {"unit": unit, "rows": rows})


def review_queue(request):
    """Reviewers' queue of reports."""
    if not is_reviewer(request.user):
        raise Http404
    reports = UnitReport.objects.select_related("campaign", "unit").order_by("-submitted_at")
    return render(request, "reports/review_queue.html", {"reports": reports})
