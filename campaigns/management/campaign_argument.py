"""The CAMPAIGN argument the reporting commands share."""

from django.core.management.base import CommandError

from campaigns.models import Campaign


def add_campaign_argument(parser):
    parser.add_argument("campaign", help="mã phong trào, ví dụ 1908-UBND-KSTT")


def campaign_from_code(code):
    """The campaign with this code, or a CommandError naming it."""
    campaign = Campaign.objects.filter(code=code).first()
    if campaign is None:
        raise CommandError(f"Không có phong trào mã '{code}'.")
    return campaign
