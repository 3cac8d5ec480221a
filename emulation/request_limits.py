"""Request bodies bounded before they are read: an anonymous 300 MB POST to the login page or
an officer's 400 MB "evidence" is refused at once with a 413 page, not received, parsed and
spooled first."""

import tempfile

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

CHUNK_BYTES = 64 * 1024
MB = 1024 * 1024


class RequestSizeLimitMiddleware:
    """Refuse a request whose body is larger than its route allows, with a 413 page, before
    anything reads the body.

    The limits (settings, read at every request): REQUEST_MAX_BYTES_ANONYMOUS for a visitor
    who is not signed in (the login form is tiny); REQUEST_MAX_BYTES_UPLOAD for a signed-in
    person on a route named in REQUEST_UPLOAD_ROUTES (a file and its form);
    REQUEST_MAX_BYTES for anything else a signed-in person sends.

    Where it sits, and why that is early enough. The check is a `process_view`: Django calls
    the middlewares' process_view hooks, in MIDDLEWARE order, after every middleware's request
    phase has run and the URL is resolved. By then AuthenticationMiddleware has set
    request.user ("signed in" must be the session's user: the presence of a session cookie
    proves nothing) and request.resolver_match names the route. The body is first read by
    CsrfViewMiddleware.process_view (request.POST) or by the view, so this middleware is
    listed before CsrfViewMiddleware. No request phase of the middleware in settings reads
    the body (security, static files, sessions, language, CommonMiddleware and CSRF's
    process_request look at headers and cookies only); a middleware added later must not
    either (tests/test_attack_limits.py sends bodies that fail if read). A URL that resolves
    to nothing reaches no view, and its body is never read.

    How the size is known. From Content-Length: refused without reading a byte (Django's WSGI
    request never reads past Content-Length, so a body longer than it declares is cut there).
    A body sent chunked, without Content-Length, is read only where the server marks the
    stream as ending (`wsgi.input_terminated`; gunicorn de-chunks it): here, up to the limit,
    spooled to disk past FILE_UPLOAD_MAX_MEMORY_SIZE, and handed on with its length; a chunk
    past the limit and it is refused, having read no more than the limit and that chunk.
    Elsewhere (runserver) Django reads such a body as empty.

    nginx's client_max_body_size, slightly above the largest limit, refuses larger bodies
    before they reach the portal at all (README, Production).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        spooled = getattr(request, "_spooled_body", None)
        if spooled is not None:
            spooled.close()
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        length = declared_length(request)
        if length is not None and length <= settings.REQUEST_MAX_BYTES_ANONYMOUS:
            return None  # within every limit: no need to know who sends it
        limit = request_limit(request)
        if length is not None:
            return too_large(request, limit) if length > limit else None
        if is_chunked(request):
            body, size = spooled_body(request.environ["wsgi.input"], limit)
            if body is None:
                return too_large(request, limit)
            request._spooled_body = body
            request._stream = LimitedStream(body, size)
            request.META["CONTENT_LENGTH"] = str(size)
        return None


def declared_length(request):
    """The Content-Length, or None when the request does not give one. A length that is not a
    number counts as 0: Django then reads nothing of the body."""
    value = request.META.get("CONTENT_LENGTH")
    if value in (None, ""):
        return None
    try:
        return max(int(value), 0)
    except ValueError:
        return 0


def is_chunked(request):
    return "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower() and bool(
        request.META.get("wsgi.input_terminated")
    )


def request_limit(request):
    """The largest body, in bytes, `request` may send to its route."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return settings.REQUEST_MAX_BYTES_ANONYMOUS
    match = request.resolver_match
    if match is not None and match.view_name in settings.REQUEST_UPLOAD_ROUTES:
        return settings.REQUEST_MAX_BYTES_UPLOAD
    return settings.REQUEST_MAX_BYTES


def spooled_body(stream, limit):
    """(a file holding what `stream` sends, its size) read to the end, or (None, bytes read)
    as soon as more than `limit` bytes came."""
    body = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)
    size = 0
    while chunk := stream.read(CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            body.close()
            return None, size
        body.write(chunk)
    body.seek(0)
    return body, size


def size_text(limit):
    """A limit as people read it: whole megabytes, or kilobytes below one megabyte (with a
    no-break space, so the number never ends a line without its unit)."""
    return f"{limit // MB}\u00a0MB" if limit >= MB else f"{max(limit // 1024, 1)}\u00a0KB"


def too_large(request, limit):
    """The 413 page: what was refused and the limit, with a way back to the page it came
    from. Rendered without the request's context processors, like the other error pages. An
    htmx request (the evidence form) gets the message alone, put at the top of the part of
    the page it was to replace (static/js/report_edit.js lets htmx show a 413)."""
    context = {"limit": size_text(limit), "back": same_site_referer(request)}
    if request.headers.get("HX-Request"):
        response = HttpResponse(loader.render_to_string("errors/_too_large.html", context), status=413)
        response["HX-Reswap"] = "afterbegin"
        return response
    return HttpResponse(loader.render_to_string("413.html", context), status=413)


def same_site_referer(request):
    referer = request.META.get("HTTP_REFERER", "")
    try:
        hosts = {request.get_host()}
    except DisallowedHost:
        return ""
    return referer if url_has_allowed_host_and_scheme(referer, hosts, require_https=request.is_secure()) else ""
