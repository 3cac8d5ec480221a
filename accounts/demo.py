"""The demo's two-factor sign-in: reviewers, leaders and administrators must enter a code
after their password, and a developer trying the demo has no phone set up for them. Each
such demo account gets an authenticator-app secret (kept across runs, so an app it was
added to keeps working) and a few fresh one-time recovery codes on every run."""

from django.contrib.auth.models import User
from django_otp.plugins.otp_totp.models import TOTPDevice

from .services import TOTP_DEVICE_NAME, recovery_codes_issue, totp_device_of, totp_key_base32, two_factor_required

DEMO_RECOVERY_CODES = 5


def demo_two_factor(*, usernames):
    """For each of `usernames` whose role requires two-factor sign-in: (username, secret in
    base32, recovery codes). Creates the authenticator device if missing."""
    rows = []
    users = {user.username: user for user in User.objects.filter(username__in=usernames).select_related("profile")}
    for user in (users[name] for name in usernames if name in users):
        if not two_factor_required(user):
            continue
        device = totp_device_of(user) or TOTPDevice.objects.create(
            user=user, name=str(TOTP_DEVICE_NAME), confirmed=True
        )
        codes = recovery_codes_issue(user=user, count=DEMO_RECOVERY_CODES)
        rows.append((user.username, totp_key_base32(device.key), codes))
    return rows
