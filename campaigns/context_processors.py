from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from .models import Campaign, CampaignStatus
from .roles import can_read_province, is_leader, is_officer, is_reviewer, role_of, unit_of


def navigation(request):
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav_role": role_of(user),
        "nav_is_officer": is_officer(user),
        "nav_is_reviewer": is_reviewer(user),
        "nav_is_leader": is_leader(user),
        "nav_reads_province": can_read_province(user),
        "nav_unit": unit_of(user),
        "campaign_switch": SimpleLazyObject(lambda: campaign_switch(request)),
    }


def campaign_switch(request):
    """On a page of one campaign (its code in the URL), the same page of every other campaign:
    [(campaign, url, current)], empty when there is nothing to switch to. A target that the
    other campaign does not have leads to that campaign's dashboard."""
    match = request.resolver_match
    if match is None or "code" not in match.kwargs or request.method != "GET":
        return []
    campaigns = list(Campaign.objects.exclude(status=CampaignStatus.DRAFT).order_by("-directive_date"))
    if len(campaigns) < 2:
        return []
    targets = {}
    if "target" in match.kwargs:
        targets = set(Campaign.objects.filter(targets__code=match.kwargs["target"]).values_list("code", flat=True))
    rows = []
    for campaign in campaigns:
        kwargs = {**match.kwargs, "code": campaign.code}
        name = match.view_name
        if "target" in kwargs and campaign.code not in targets:
            name, kwargs = "reports:dashboard", {"code": campaign.code}
        try:
            url = reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
        rows.append((campaign, url, campaign.code == match.kwargs["code"]))
    return rows
