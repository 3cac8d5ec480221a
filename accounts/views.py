"""The account pages: "Tài khoản", password change and reset, two-factor sign-in."""

import math

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice

from campaigns.models import Role
from campaigns.roles import role_of, unit_of
from emulation.middleware import client_ip

from .forms import CodeForm, PortalPasswordChangeForm, PortalPasswordResetForm, PortalSetPasswordForm, SetupCodeForm
from .services import (
    device_for_code,
    normalise_code,
    password_changed,
    password_reset_allowed,
    recovery_codes_issue,
    recovery_codes_left,
    totp_config_url,
    totp_device_confirm,
    totp_device_of,
    totp_key_base32,
    totp_key_new,
    two_factor_disable,
    two_factor_enabled,
    two_factor_required,
)

SETUP_KEY = "accounts_totp_setup_key"


def account(request):
    user = request.user
    role = role_of(user)
    return render(
        request,
        "accounts/account.html",
        {
            "role_label": Role(role).label if role else "",
            "unit": unit_of(user),
            "device": totp_device_of(user),
            "required": two_factor_required(user),
            "codes_left": recovery_codes_left(user),
        },
    )


# --- passwords --------------------------------------------------------------------------
class PasswordChosenMixin:
    """A password its owner chose: the forced change is lifted (accounts.services)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed(user=form.user)
        return response


class PasswordChangeView(PasswordChosenMixin, auth_views.PasswordChangeView):
    form_class = PortalPasswordChangeForm
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    """The same answer whether or not an account has the address (Django sends mail only to
    active accounts with that address and a usable password)."""

    form_class = PortalPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        """Past a limit (accounts.services.password_reset_allowed) nothing is sent, and the
        answer is the same as when a link went out."""
        if password_reset_allowed(email=form.cleaned_data["email"], address=client_ip(self.request)):
            return super().form_valid(form)
        return redirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    pass


class PasswordResetConfirmView(PasswordChosenMixin, auth_views.PasswordResetConfirmView):
    form_class = PortalSetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    pass


# --- two-factor -------------------------------------------------------------------------
def _next_url(request):
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("home")


def two_factor_verify(request):
    """After the password: a code from the authenticator app or a recovery code."""
    user = request.user
    next_url = _next_url(request)
    if not two_factor_enabled(user):
        return redirect("accounts:two_factor_setup" if two_factor_required(user) else "accounts:account")
    if user.is_verified():
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = normalise_code(form.cleaned_data["code"])
        device = device_for_code(user, code)
        allowed, refusal = device.verify_is_allowed() if device is not None else (True, None)
        if not allowed:
            seconds = math.ceil((refusal["locked_until"] - timezone.now()).total_seconds())
            form.add_error(
                "code",
                _("Đã nhập sai nhiều lần. Vui lòng đợi %(seconds)s giây rồi thử lại.") % {"seconds": max(seconds, 1)},
            )
        elif device is not None and verify_token(user, device.persistent_id, code):
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                messages.warning(
                    request,
                    _(
                        "Bạn vừa dùng một mã khôi phục, còn %(left)s mã. Nếu mất điện thoại, hãy tạo mã mới "
                        "hoặc nhờ quản trị gỡ ứng dụng cũ để thiết lập lại."
                    )
                    % {"left": recovery_codes_left(user)},
                )
            return redirect(next_url)
        else:
            form.add_error("code", _("Mã không đúng hoặc đã được dùng."))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


def _qr_svg(data):
    qr = segno.make(data, error="m")
    # segno writes attributes only (no style), which the Content-Security-Policy allows.
    return mark_safe(qr.svg_inline(scale=5, dark="#000", light="#fff", omitsize=True, svgclass="totp-qr"))


def two_factor_setup(request):
    """Set up an authenticator app: a QR code and the secret as text; the first code it shows
    confirms it. Then the recovery codes, shown once. A user who already has an app signs in
    with it first, then may replace it (a new phone)."""
    user = request.user
    if two_factor_enabled(user) and not user.is_verified():
        return redirect(f"{reverse('accounts:two_factor_verify')}?next={reverse('accounts:two_factor_setup')}")
    key = request.session.get(SETUP_KEY) or totp_key_new()
    request.session[SETUP_KEY] = key
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = totp_device_confirm(user=user, key=key, code=form.cleaned_data["code"])
        if confirmed is not None:
            device, codes = confirmed
            del request.session[SETUP_KEY]
            otp_login(request, device)
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "enrolled": True, "next": _next_url(request)}
            )
        form.add_error("code", _("Mã không khớp. Kiểm tra giờ trên điện thoại và nhập mã đang hiển thị (6 chữ số)."))
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr": _qr_svg(totp_config_url(user=user, key=key)),
            "secret": totp_key_base32(key),
            "replacing": two_factor_enabled(user),
            "required": two_factor_required(user),
            "next": _next_url(request),
        },
    )


@require_POST
def recovery_codes(request):
    """New recovery codes in place of the old ones, shown once."""
    user = request.user
    if not two_factor_enabled(user):
        return redirect("accounts:two_factor_setup")
    if not user.is_verified():
        return redirect("accounts:two_factor_verify")
    codes = recovery_codes_issue(user=user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("accounts:account")})


@require_POST
def two_factor_off(request):
    """Turn two-factor sign-in off, for roles that do not require it."""
    user = request.user
    if two_factor_required(user):
        messages.error(request, _("Vai trò của bạn bắt buộc đăng nhập bằng xác thực hai bước."))
    elif two_factor_enabled(user):
        if not user.is_verified():
            return redirect("accounts:two_factor_verify")
        two_factor_disable(user=user)
        messages.success(request, _("Đã tắt xác thực hai bước."))
    return redirect("accounts:account")
