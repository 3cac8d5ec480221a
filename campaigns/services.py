"""Domain actions on campaigns outside a campaign file."""

from django.db import transaction

from .models import CampaignUnit
from .structure import structure_bump


@transaction.atomic
def campaign_set_participants(*, campaign, units):
    """Make exactly `units` report in `campaign`, each as it is now (name, kind, head title,
    parent); units the campaign already knows keep what its file said of them. For synthetic
    provinces (benchmarks, tests) that no campaign file describes."""
    campaign.units.update(participant=False)
    known = set(campaign.units.filter(unit__in=units).values_list("unit_id", flat=True))
    campaign.units.filter(unit_id__in=known).update(participant=True)
    CampaignUnit.objects.bulk_create(
        CampaignUnit(
            campaign=campaign,
            unit=unit,
            name=unit.name,
            kind=unit.kind,
            head_title=unit.head_title,
            parent_id=unit.parent_id,
            participant=True,
        )
        for unit in units
        if unit.pk not in known
    )
    structure_bump(campaign=campaign)
