"""Errors shown as a reference, never as a traceback.

When something fails that the person waiting cannot fix (a print or summary job, an unexpected
exception in a page), they read what failed in words and a reference code
(“Mã tham chiếu: E-20261201-7F3A9C”). The exception, its message and traceback go to the log
under that reference and to an ErrorRecord row that administrators find by it in the admin.
"""

import logging
import secrets
import traceback

from django.db import IntegrityError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

MESSAGE_MAX_CHARS = 5_000
TRACEBACK_MAX_CHARS = 100_000


def error_reference(now=None):
    """A new reference: `E-`, the local date, six hexadecimal digits (E-20261201-7F3A9C)."""
    return f"E-{timezone.localtime(now):%Y%m%d}-{secrets.token_hex(3).upper()}"


def error_record(*, error, where, user_id=None):
    """Record `error` with its traceback as an ErrorRecord under a new reference, log it
    (with the traceback) under the same reference, and return the reference. `where` says
    what was running: a job (`Summary 12`) or a request (`POST /reports/5/edit/`).

    Never raises: when the row cannot be written (the database may be what failed), the log
    line still carries the reference and the traceback."""
    from .models import ErrorRecord

    reference = error_reference()
    try:
        fields = {
            "where": str(where)[:300],
            "user_id": user_id,
            "exception_type": f"{type(error).__module__}.{type(error).__qualname__}"[:200],
            "message": str(error)[:MESSAGE_MAX_CHARS],
            "traceback": "".join(traceback.format_exception(error))[-TRACEBACK_MAX_CHARS:],
        }
        for attempt in range(3):
            try:
                with transaction.atomic():
                    ErrorRecord.objects.create(reference=reference, **fields)
                break
            except IntegrityError:  # the same reference drawn twice in a day
                if attempt == 2:
                    raise
                reference = error_reference()
    except Exception:  # noqa: BLE001 - the log below still has the reference and the traceback
        logger.exception("Could not record error %s", reference)
    logger.error("Error %s at %s", reference, where, exc_info=error)
    return reference
