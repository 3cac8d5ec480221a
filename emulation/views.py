"""The portal's error pages (handler400, handler403, handler404, handler500 in
emulation/urls.py). Each is rendered without the request's context processors: they need
the signed-in user and the database, and an error may come before the user is known (a
refused Host header) or from the database itself."""

import logging
import sys

from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils.html import escape
from django.utils.translation import gettext as _

from reports.errors import error_record, error_reference

logger = logging.getLogger(__name__)


def bad_request(request, exception):
    return error_page("400.html", status=400)


def permission_denied(request, exception):
    return error_page("403.html", status=403)


def page_not_found(request, exception):
    return error_page("404.html", status=404)


def error_page(template_name, *, status):
    """An error page in the active language, saying nothing of the request."""
    return HttpResponse(loader.get_template(template_name).render({}), status=status)


def server_error(request):
    """The 500 page (handler500): what happened in words and a reference code; the exception
    and its traceback are logged and recorded under that reference (reports.errors), never
    shown. Rendered without the request's context processors, which may need what just
    failed (the database); if even the template fails, a plain page still gives the reference."""
    error = sys.exc_info()[1]
    if error is None:
        reference = error_reference()
        logger.error("Error %s at %s %s (no exception to record)", reference, request.method, request.path)
    else:
        reference = error_record(
            error=error, where=f"{request.method} {request.path}"[:300], user_id=user_id_of(request)
        )
    try:
        page = loader.get_template("500.html").render({"reference": reference})
    except Exception:  # noqa: BLE001 - the reference must reach the person whatever else is broken
        logger.exception("The 500 page could not be rendered for %s", reference)
        page = (
            '<!doctype html><html lang="vi"><meta charset="utf-8"><title>{title}</title>'
            "<h1>{title}</h1><p>{reference_label}: <strong>{reference}</strong></p></html>"
        ).format(
            title=escape(_("Đã xảy ra lỗi hệ thống")), reference_label=escape(_("Mã tham chiếu")), reference=reference
        )
    return HttpResponseServerError(page)


def user_id_of(request):
    """The signed-in user's id, or None; never raises (the session store may be what failed)."""
    try:
        user = getattr(request, "user", None)
        return user.pk if user is not None and user.is_authenticated else None
    except Exception:  # noqa: BLE001
        return None
