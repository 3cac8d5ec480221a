from django.contrib.auth.views import LoginView
from django.shortcuts import get_object_or_404, redirect, render

from .models import Campaign, CampaignStatus, GoalScope, UnitKind
from .roles import can_read_province, is_leader, is_officer


class PortalLoginView(LoginView):
    redirect_authenticated_user = True


def home(request):
    """Each role lands on its own entry point."""
    if is_officer(request.user):
        return redirect("reports:my_unit")
    if can_read_province(request.user):
        campaign = Campaign.objects.filter(status=CampaignStatus.ACTIVE).first() or Campaign.objects.first()
        if campaign is not None:
            page = "reports:overview" if is_leader(request.user) else "reports:dashboard"
            return redirect(page, code=campaign.code)
    return redirect("campaigns:list")


def campaign_list(request):
    campaigns = Campaign.objects.all()
    return render(request, "campaigns/campaign_list.html", {"campaigns": campaigns})


def campaign_detail(request, code):
    campaign = get_object_or_404(Campaign, code=code)
    sections = list(campaign.sections.all())
    targets = list(campaign.targets.select_related("section", "parent").prefetch_related("goals__group", "goals__unit"))
    for section in sections:
        section.target_list = [target for target in targets if target.section_id == section.pk]
        for target in section.target_list:
            order = {GoalScope.PROVINCE: 0, GoalScope.KIND: 1, GoalScope.GROUP: 2, GoalScope.UNIT: 3}
            target.over_labels = [UnitKind(kind).label for kind in target.over_kinds]
            target.goal_list = sorted(target.goals.all(), key=lambda goal: order[goal.scope])
    units = list(campaign.participants())
    unit_ids = {unit.pk for unit in units}
    groups = [
        group
        for group in campaign.groups.prefetch_related("units")
        if any(unit.pk in unit_ids for unit in group.units.all())
    ]
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "sections": sections,
            "units": units,
            "groups": groups,
        },
    )
