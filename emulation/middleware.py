from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

# Only the portal's own files: the portal runs on a closed network and loads nothing else.
DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class LanguageMiddleware:
    """The interface language: the one the user picked in the footer (the cookie Django's
    set_language view writes), otherwise Vietnamese. It stands in for Django's
    LocaleMiddleware, which would also follow the browser's Accept-Language: officials whose
    browser happens to ask for English first would get the portal in English although they
    read Vietnamese first. The portal has no per-language URLs, so nothing else is needed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


def chosen_language(request):
    """The language in the language cookie if the portal offers it, else LANGUAGE_CODE."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if code:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


def client_ip(request):
    """The client's address for login throttling. Behind `TRUSTED_PROXY_COUNT` reverse
    proxies (nginx), it is the address the outermost trusted proxy saw, read from the right
    of X-Forwarded-For so a client cannot forge it; otherwise REMOTE_ADDR."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
