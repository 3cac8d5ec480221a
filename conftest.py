"""Actors and factories shared by every test.

Actors: an officer of a district (unit A), an officer of a department (unit B), a reviewer
(Sở Nội vụ), a leader. Campaign 1908 is loaded from its real campaign file.
"""

from pathlib import Path

import pytest
from django.contrib.auth.models import User

from campaigns.loader import campaign_load
from campaigns.models import Profile, Role, Unit
from commendations.catalogue import SHIPPED_CATALOGUE, catalogue_load

CAMPAIGN_FILE = Path(__file__).parent / "campaigns" / "campaign_files" / "1908-UBND-KSTT.yaml"
PASSWORD = "Thidua@2024-demo"


@pytest.fixture(autouse=True)
def _media_and_eager(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.AXES_ENABLED = False
    # Tests sign reviewers in with force_login; the two-factor tests turn the check back on.
    settings.TWO_FACTOR_ENFORCED = False
    # Laying out a unit's annex pages on every submission would make each test a print job;
    # the tests of that feature turn it back on.
    settings.SUMMARY_ANNEX_AHEAD = False
    # The production hasher costs ~0,5 s a user; tests create hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True, scope="session")
def _keep_the_test_connection_open():
    """Closing a response a test holds fires request_finished, whose close_old_connections
    would close the test's own connection, with its transaction, on PostgreSQL. Django's test
    client avoids it during a request; this does the same for a test's explicit close()."""
    from django.db.backends.base.base import BaseDatabaseWrapper

    original = BaseDatabaseWrapper.close_if_unusable_or_obsolete

    def keep_inside_a_transaction(connection):
        if not connection.in_atomic_block:
            original(connection)

    BaseDatabaseWrapper.close_if_unusable_or_obsolete = keep_inside_a_transaction
    yield
    BaseDatabaseWrapper.close_if_unusable_or_obsolete = original


@pytest.fixture
def award_catalogue(db):
    """The shipped award catalogue, which the demo campaign files name (campaign.awards)."""
    return catalogue_load(path=SHIPPED_CATALOGUE).catalogue


@pytest.fixture
def campaign(award_catalogue):
    return campaign_load(path=CAMPAIGN_FILE).campaign


def make_user(username, role, unit=None, **extra):
    user = User.objects.create_user(username=username, password=PASSWORD, email=f"{username}@example.vn", **extra)
    Profile.objects.create(user=user, role=role, unit=unit)
    return user


@pytest.fixture
def unit_a(campaign):
    return Unit.objects.get(code="h-muong-ang")


@pytest.fixture
def unit_b(campaign):
    return Unit.objects.get(code="so-vhttdl")


@pytest.fixture
def officer_a(unit_a):
    return make_user("alice", Role.OFFICER, unit_a, first_name="Alice")


@pytest.fixture
def officer_b(unit_b):
    return make_user("bob", Role.OFFICER, unit_b, first_name="Bob")


@pytest.fixture
def reviewer(campaign):
    return make_user("rita", Role.REVIEWER, Unit.objects.get(code="so-noi-vu"))


@pytest.fixture
def leader(campaign):
    return make_user("leo", Role.LEADER)


@pytest.fixture
def actors(officer_a, officer_b, reviewer, leader):
    return {"officer_a": officer_a, "officer_b": officer_b, "reviewer": reviewer, "leader": leader}


@pytest.fixture
def client_for(client):
    """client_for(user) → a test client signed in as user (None: anonymous)."""
    from django.test import Client

    def _client(user):
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return _client
