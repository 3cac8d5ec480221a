import pytest
from django.contrib.auth.models import User


@pytest.fixture
def two_factor_on(settings):
    """The project's own two-factor rule, which the root conftest switches off for the
    rest of the suite."""
    settings.TWO_FACTOR_ENFORCED = True
    assert set(settings.TWO_FACTOR_REQUIRED_ROLES) == {"reviewer", "leader", "administrator"}
    return settings


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.vn", "x-Very-long-pass-1")
