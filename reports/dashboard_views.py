"""Dashboards: thin views over the selectors in `reports.dashboards`.

Reviewers, leaders and administrators read every dashboard; officers and accounts without
a role get 404. Acting (reminding units) is for reviewers only; leaders read.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from campaigns.models import Campaign, CampaignStatus
from campaigns.roles import can_read_province, is_reviewer

from . import dashboards
from .aggregation import STATUSES
from .excel import XLSX_CONTENT_TYPE, workbook_bytes, write_table_sheet


def _campaign_for(request, code):
    if not can_read_province(request.user):
        raise Http404
    return get_object_or_404(Campaign, code=code)


def _dashboard_data(request, campaign):
    params = {"kind": request.GET.get("kind", ""), "group": request.GET.get("group", "")}
    try:
        return dashboards.reviewer_dashboard(campaign=campaign, **params)
    except dashboards.FilterError as exc:
        messages.warning(request, str(exc))
        return dashboards.reviewer_dashboard(campaign=campaign)


@require_GET
def dashboard(request, code):
    """The reviewer dashboard: who has reported, who has not, and the target table."""
    campaign = _campaign_for(request, code)
    data = _dashboard_data(request, campaign)
    data.update(can_act=is_reviewer(request.user), statuses=STATUSES)
    return render(request, "reports/dashboard/dashboard.html", data)


@require_GET
def dashboard_xlsx(request, code):
    """The dashboard as an Excel workbook, with the filters of the page."""
    campaign = _campaign_for(request, code)
    data = _dashboard_data(request, campaign)
    workbook = Workbook()
    for title, headers, rows in dashboards.dashboard_tables(data):
        write_table_sheet(workbook, title, headers, rows)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(workbook_bytes(workbook), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="bang-dieu-khien-{campaign.code}-{stamp}.xlsx"'
    return response


@require_GET
def target_detail(request, code, target):
    """One target across units, groups or unit kinds: chart and table."""
    campaign = _campaign_for(request, code)
    params = {key: request.GET.get(key, "") for key in ("kind", "group")}
    by = request.GET.get("by", dashboards.BY_UNIT)
    try:
        data = dashboards.target_drilldown(campaign=campaign, target_code=target, by=by, **params)
    except dashboards.FilterError as exc:
        messages.warning(request, str(exc))
        data = dashboards.target_drilldown(campaign=campaign, target_code=target, by=by)
    if data is None:
        raise Http404
    return render(request, "reports/dashboard/target_detail.html", data)


@require_GET
def ranking(request, code):
    """Units ranked within each emulation cluster and block."""
    campaign = _campaign_for(request, code)
    return render(request, "reports/dashboard/ranking.html", dashboards.cluster_ranking(campaign=campaign))


@require_GET
def current(request, page):
    """The page `page` (dashboard, overview) of the active campaign."""
    if not can_read_province(request.user):
        raise Http404
    campaign = Campaign.objects.filter(status=CampaignStatus.ACTIVE).first() or Campaign.objects.first()
    if campaign is None:
        return redirect("campaigns:list")
    return redirect(f"reports:{page}", code=campaign.code)


@require_GET
def overview(request, code):
    """The leader's overview: headline cards and the latest provincial summary."""
    campaign = _campaign_for(request, code)
    data = dashboards.leader_overview(campaign=campaign)
    data["can_act"] = is_reviewer(request.user)
    return render(request, "reports/dashboard/overview.html", data)
