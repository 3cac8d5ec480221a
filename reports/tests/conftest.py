"""Fixtures the reports tests share."""

import pytest

from campaigns.demo import demo_accounts
from reports.demo import demo_reports


@pytest.fixture
def demo(campaign):
    """Campaign 1908 with the demo's accounts and reports (every status, real history)."""
    demo_accounts(campaigns=[campaign])
    demo_reports(campaign=campaign)
    return campaign
