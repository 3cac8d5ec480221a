"""Two gates every signed-in request passes, after Django's AuthenticationMiddleware and
django-otp's OTPMiddleware:

1. PasswordChangeRequiredMiddleware — an account whose password an administrator set goes
   to the password change page until its owner has chosen one.
2. TwoFactorRequiredMiddleware — a user with an authenticator app enters a code before
   anything else; a user whose role requires one and has none sets one up first.

The second gate comes first in effect: the password change page sits behind it, while its
own pages (the code, the set-up) are open to the first gate, so someone holding only a
temporary password of a protected account cannot even set a new one. Pages that must stay
reachable — signing out, the language switch, static files, the login and reset pages —
pass both. htmx requests get HX-Redirect instead of a redirect that would be swapped into
the page."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .services import must_change_password, two_factor_enabled, two_factor_required

# URL names both gates let through: leaving, the language, and the pages for people who
# are not signed in (a signed-in visitor is sent on from them anyway).
OPEN = {
    "logout",
    "set_language",
    "login",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
}
TWO_FACTOR_PAGES = {"accounts:two_factor_verify", "accounts:two_factor_setup"}
PASSWORD_PAGES = {"accounts:password_change", "accounts:password_change_done"}


def _url_name(request):
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return match.view_name


def _is_static(request):
    return request.path_info.startswith((settings.STATIC_URL, settings.MEDIA_URL))


def _send_to(request, url, message, keep_next=True):
    """Redirect (or HX-Redirect for htmx) to `url`, remembering where the user was going."""
    if keep_next and request.method == "GET" and not request.headers.get("HX-Request"):
        url = f"{url}?{urlencode({'next': request.get_full_path()})}"
    if message and not request.headers.get("HX-Request"):
        messages.warning(request, message, fail_silently=True)
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not _is_static(request) and must_change_password(user):
            name = _url_name(request)
            if name not in OPEN | PASSWORD_PAGES | TWO_FACTOR_PAGES:
                return _send_to(
                    request,
                    reverse("accounts:password_change"),
                    _("Mật khẩu của tài khoản này do quản trị đặt. Vui lòng đổi mật khẩu trước khi tiếp tục."),
                    keep_next=False,
                )
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if settings.TWO_FACTOR_ENFORCED and user.is_authenticated and not user.is_verified():
            if not _is_static(request) and _url_name(request) not in OPEN | TWO_FACTOR_PAGES:
                if two_factor_enabled(user):
                    return _send_to(request, reverse("accounts:two_factor_verify"), None)
                if two_factor_required(user):
                    # The set-up page itself says the role requires it.
                    return _send_to(request, reverse("accounts:two_factor_setup"), None)
        return self.get_response(request)
