"""What happens to an account: passwords an administrator set, two-factor devices and
recovery codes. Views and the admin call these; tests call them directly."""

from base64 import b32encode
from binascii import unhexlify
from datetime import timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from campaigns.models import Profile, Role
from campaigns.roles import role_of

from .models import PasswordResetRequest

TOTP_DEVICE_NAME = _("Ứng dụng xác thực")
RECOVERY_DEVICE_NAME = _("Mã khôi phục")


# --- passwords --------------------------------------------------------------------------
def password_change_require(*, user):
    """The account's password is one an administrator set (a new account, a reset in the
    admin): its owner must change it before anything else. Accounts without a profile
    (superusers made on the command line) have no portal role and are left alone."""
    Profile.objects.filter(user=user).update(must_change_password=True)


def password_changed(*, user):
    """The owner set a password of their own (changed it, or through an emailed reset link):
    the forced change is done, and a lock on wrong passwords for their name lifts."""
    Profile.objects.filter(user=user, must_change_password=True).update(must_change_password=False)
    axes_reset(username=user.get_username())


def must_change_password(user):
    profile = getattr(user, "profile", None)
    return bool(profile and profile.must_change_password)


# --- two-factor -------------------------------------------------------------------------
def two_factor_required(user):
    """Whether the user's role must sign in with a second factor (TWO_FACTOR_REQUIRED_ROLES).
    Superusers and staff count as administrators whatever their profile says."""
    required = set(settings.TWO_FACTOR_REQUIRED_ROLES)
    if user.is_superuser or user.is_staff:
        return Role.ADMINISTRATOR in required
    return role_of(user) in required


def totp_device_of(user):
    """The user's confirmed authenticator-app device, or None."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("-pk").first()


def recovery_device_of(user):
    return StaticDevice.objects.devices_for_user(user, confirmed=True).order_by("-pk").first()


def two_factor_enabled(user):
    """Whether the user has set up two-factor sign-in (an authenticator app)."""
    return totp_device_of(user) is not None


def totp_key_new():
    """A new secret for an authenticator app (hex, as django-otp stores it)."""
    return random_hex(20)


def totp_key_base32(key):
    """The secret as people type it into an authenticator app: base32 in groups of four."""
    text = b32encode(unhexlify(key)).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def totp_config_url(*, user, key):
    """The otpauth:// address the QR code carries (issuer OTP_TOTP_ISSUER, the username)."""
    return TOTPDevice(user=user, key=key).config_url


def totp_device_confirm(*, user, key, code):
    """Set up the authenticator app whose secret is `key` if `code` is the code it shows now
    (one step of clock difference either way is allowed). Replaces any earlier app of the
    user and issues new recovery codes. Returns (device, recovery codes), or None when the
    code does not match."""
    code = normalise_code(code)
    if not code.isdigit() or len(code) != 6:
        return None
    totp = TOTP(unhexlify(key))
    if not totp.verify(int(code), tolerance=1):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        # The code just typed cannot be used again to sign in.
        device = TOTPDevice.objects.create(
            user=user, name=str(TOTP_DEVICE_NAME), key=key, confirmed=True, last_t=totp.t(), drift=totp.drift
        )
        codes = recovery_codes_issue(user=user)
    return device, codes


def recovery_codes_issue(*, user, count=None):
    """Replace the user's recovery codes with `count` (TWO_FACTOR_RECOVERY_CODES) new ones,
    each usable once. Returns them: they are shown once and only their stored copies remain."""
    count = count or settings.TWO_FACTOR_RECOVERY_CODES
    with transaction.atomic():
        device = recovery_device_of(user)
        if device is None:
            device = StaticDevice.objects.create(user=user, name=str(RECOVERY_DEVICE_NAME), confirmed=True)
        device.token_set.all().delete()
        codes = []
        while len(codes) < count:
            token = StaticToken.random_token()
            if token not in codes:
                codes.append(token)
        StaticToken.objects.bulk_create(StaticToken(device=device, token=token) for token in codes)
    return codes


def recovery_codes_left(user):
    device = recovery_device_of(user)
    return device.token_set.count() if device else 0


def two_factor_disable(*, user):
    """Remove the user's authenticator app and recovery codes (only for roles that do not
    require two-factor sign-in; the view checks)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def normalise_code(code):
    """A code as typed: spaces and dashes dropped, lower case (recovery codes are base32)."""
    return "".join(ch for ch in (code or "") if ch not in " -\t").lower()


def device_for_code(user, code):
    """Which of the user's devices a typed code is for: six digits are an authenticator
    app's code, anything else a recovery code."""
    if code.isdigit() and len(code) == 6:
        return totp_device_of(user)
    return recovery_device_of(user)


def password_reset_allowed(*, email, address):
    """Record that a reset link was asked for `email` from `address`, and say whether one may
    be sent: not when the mailbox was asked for PASSWORD_RESET_RATE_LIMIT times in its window,
    nor when the address asked PASSWORD_RESET_ADDRESS_RATE_LIMIT times in its window (a refused
    request counts too, so hammering keeps the limit closed). Requests older than a day are
    forgotten."""
    now = timezone.now()
    email = email.strip().lower()
    address = address or None
    counted = [(settings.PASSWORD_RESET_RATE_LIMIT, Q(email=email))]
    if address:
        counted.append((settings.PASSWORD_RESET_ADDRESS_RATE_LIMIT, Q(address=address)))
    with transaction.atomic():
        PasswordResetRequest.objects.filter(created_at__lt=now - timedelta(days=1)).delete()
        allowed = all(
            limit is None
            or PasswordResetRequest.objects.filter(who, created_at__gte=now - timedelta(seconds=limit[1])).count()
            < limit[0]
            for limit, who in counted
        )
        PasswordResetRequest.objects.create(email=email, address=address)
    return allowed
