"""Helpers for tests that need a user past two-factor sign-in the way a person gets there:
a real authenticator device and the code it would show now, typed on the verify page."""

import time

from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import TOTP_DEVICE_NAME, recovery_codes_issue, totp_device_of


def enrol(user):
    """Give `user` a confirmed authenticator device and recovery codes; return the device."""
    device = TOTPDevice.objects.create(user=user, name=str(TOTP_DEVICE_NAME), confirmed=True)
    recovery_codes_issue(user=user)
    return device


def totp_code(device):
    """The six digits the device's app shows now. If this time step's code was already used
    to sign in (django-otp accepts each step once), the next step's, which is accepted
    within the one-step tolerance."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    while totp.t() <= device.last_t:
        totp.time += device.step
    return f"{totp.token():0{device.digits}d}"


def code_for_key(key_hex):
    """The code an app set up with the hex secret `key_hex` shows now."""
    return f"{TOTP(bytes.fromhex(key_hex)).token():06d}"


def verify(client, user, device=None):
    """Type the current code of `user`'s device (made if missing) on the verify page of a
    client already signed in as `user`. Returns the device."""
    device = device or totp_device_of(user) or enrol(user)
    response = client.post(reverse("accounts:two_factor_verify"), {"code": totp_code(device)})
    assert response.status_code == 302 and "/two-factor/" not in response["Location"], response
    return device


def sign_in_verified(client, user, device=None):
    """`client` signed in as `user` and verified with a real device's current code."""
    client.force_login(user)
    verify(client, user, device)
    return client
