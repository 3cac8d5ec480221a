"""Who someone is in the portal. Views ask these functions, never the profile directly."""

from .models import Role


def role_of(user):
    """The user's role, or None for anonymous users and accounts without a profile.
    Superusers without a profile act as administrators."""
    if not user.is_authenticated:
        return None
    profile = getattr(user, "profile", None)
    if profile is not None:
        return profile.role
    return Role.ADMINISTRATOR if user.is_superuser else None


def unit_of(user):
    """The officer's unit (None for other roles)."""
    if role_of(user) != Role.OFFICER:
        return None
    return user.profile.unit


def is_officer(user):
    return role_of(user) == Role.OFFICER


def is_reviewer(user):
    """Sở Nội vụ staff (and administrators) review reports and compile the summary."""
    return role_of(user) in (Role.REVIEWER, Role.ADMINISTRATOR)


def is_leader(user):
    return role_of(user) == Role.LEADER


def can_read_province(user):
    """Reviewers, leaders and administrators read every unit's report and the dashboards."""
    return role_of(user) in (Role.REVIEWER, Role.LEADER, Role.ADMINISTRATOR)
