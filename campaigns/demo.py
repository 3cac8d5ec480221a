"""The demo: campaign 1908 (2024) and the 2026 plan of the reorganised province, one account
for each role, plus an officer for every unit of either."""

from pathlib import Path

from django.contrib.auth.models import User
from django.db import transaction

from commendations.catalogue import SHIPPED_CATALOGUE, catalogue_load

from .loader import campaign_load
from .models import Profile, Role, Unit

CAMPAIGN_FILES = [
    Path(__file__).parent / "campaign_files" / "1908-UBND-KSTT.yaml",
    Path(__file__).parent / "campaign_files" / "2026-KH-UBND.yaml",
]
# Long enough for the portal's own rule (12 characters), so the demo shows a password it would accept.
DEMO_PASSWORD = "Thidua@2024-demo"

# username, full name, role, unit code
NAMED_ACCOUNTS = [
    ("quantri", "Quản trị hệ thống", Role.ADMINISTRATOR, None),
    ("sonoivu", "Nguyễn Thị Hoa", Role.REVIEWER, "so-noi-vu"),
    ("lanhdao", "Lãnh đạo UBND tỉnh", Role.LEADER, None),
    ("canbo.tpdbp", "Lò Văn Minh", Role.OFFICER, "tp-dien-bien-phu"),
    ("canbo.muongang", "Quàng Thị Lan", Role.OFFICER, "h-muong-ang"),
    ("canbo.sovhttdl", "Trần Văn Nam", Role.OFFICER, "so-vhttdl"),
    ("canbo.sogtvt", "Phạm Thu Trang", Role.OFFICER, "so-gtvt"),
    ("canbo.pdbp", "Lường Thị Thu", Role.OFFICER, "p-dien-bien-phu"),
]


def demo_accounts(*, campaigns):
    """Create the demo accounts (idempotent). Returns the named ones as (username, role
    label, unit name) rows; every other participant unit gets an officer `cb.<unit code>`."""
    rows = []
    with transaction.atomic():
        for username, full_name, role, unit_code in NAMED_ACCOUNTS:
            unit = Unit.objects.filter(code=unit_code).first() if unit_code else None
            if unit_code and unit is None:
                continue
            _account(username, full_name, role, unit)
            rows.append((username, Role(role).label, unit.name if unit else ""))
        named_units = {code for *_, code in NAMED_ACCOUNTS if code}
        for campaign in campaigns:
            for unit in campaign.participants():
                if unit.code not in named_units:
                    named_units.add(unit.code)
                    _account(f"cb.{unit.code}", f"Cán bộ {unit.name}", Role.OFFICER, unit)
    return rows


def _account(username, full_name, role, unit):
    # A Vietnamese name is written whole, family name first: keep it as one string.
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": full_name,
            "last_name": "",
            "email": f"{username}@dienbien.gov.vn",
            "is_staff": role == Role.ADMINISTRATOR,
            "is_superuser": role == Role.ADMINISTRATOR,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    phone = f"0215 3{sum(map(ord, username)) % 1000000:06d}"
    Profile.objects.update_or_create(user=user, defaults={"role": role, "unit": unit, "phone": phone})
    return user


def demo_campaigns():
    """Load the award catalogue both demo campaigns name, then the campaigns, the earlier first."""
    catalogue_load(path=SHIPPED_CATALOGUE)
    return [campaign_load(path=path).campaign for path in CAMPAIGN_FILES]
