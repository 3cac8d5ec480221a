"""Text a unit or a reviewer types: what it may hold, and how documents write it anyway.

One rule for every text field (narratives, notes, commendation proposals, reviewer comments,
evidence descriptions, imported cells): no control characters besides tab and line breaks
(a CR only as part of CRLF), and no longer than its limit. Forms and services use the same
`TextRule`; its messages name the field. Writers (DOCX, XLSX, PDF) pass every text through
`clean_text` all the same, so text stored before the rule, or through a path that skipped
it, can never make one unit's characters fail a provincial document.
"""

import re
import unicodedata
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

from campaigns.numbers import format_vn_number

# C0 and C1 controls but tab, LF and CR (CR is judged with what follows it), DEL, the
# surrogates (never valid on their own) and the two non-characters XML refuses.
_DISALLOWED = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
DISALLOWED = re.compile(f"[{_DISALLOWED}]|\r(?!\n)")
_CLEAN = re.compile(f"[{_DISALLOWED}]")


def clean_text(value):
    """`value` as a document may hold it: line breaks as LF, every other control character
    removed. Not text (None, numbers) is returned as it is."""
    if not isinstance(value, str):
        return value
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CLEAN.sub("", value)


# What a spreadsheet program reads as the start of a formula (OWASP's CSV-injection list, with
# LF: clean_text turns a lone CR into one). A text cell starting with one is written after a
# single quote, so a name or a note such as "=5 xã" is shown as typed and never computed.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def formula_neutralised(text):
    """`text` as a spreadsheet's text cell holds it: after a single quote when it starts the
    way a formula does (`=5 xã` → `'=5 xã`), otherwise unchanged."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def formula_restored(text):
    """The text a cell written by `formula_neutralised` stood for: the one quote it added is
    removed (`'=5 xã` → `=5 xã`); any other text is unchanged."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def character_name(char):
    """`U+000B` (with the character's Unicode name when it has one)."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}".strip()


def control_character_message(label, value):
    """The message for the first disallowed character of `value`, naming the field; or None."""
    if not isinstance(value, str):
        return None
    found = DISALLOWED.search(value)
    if found is None:
        return None
    return _(
        "“%(field)s” chứa ký tự điều khiển không hợp lệ (%(char)s) ở vị trí %(position)s; "
        "hãy xóa ký tự đó (thường do sao chép từ phần mềm khác)."
    ) % {"field": label, "char": character_name(found.group()[0]), "position": found.start() + 1}


def text_problem(label, value, *, max_chars=None):
    """What is wrong with a text `value` of the field `label`, or None: a disallowed
    character, or more than `max_chars` characters."""
    message = control_character_message(label, value)
    if message:
        return message
    if max_chars is not None and isinstance(value, str) and len(value) > max_chars:
        return _("“%(field)s” dài %(length)s ký tự, vượt giới hạn %(max)s ký tự.") % {
            "field": label,
            "length": format_vn_number(len(value)),
            "max": format_vn_number(max_chars),
        }
    return None


def narrative_max_chars():
    return settings.REPORT_NARRATIVE_MAX_CHARS


def achievement_max_chars():
    return settings.REPORT_ACHIEVEMENT_MAX_CHARS


LIMITS = {"narrative": narrative_max_chars, "achievement": achievement_max_chars}


@deconstructible
class TextRule:
    """The validator of a text field (forms and models): `label` names the field in the
    message; `limit` ("narrative", "achievement") reads its maximum from the settings when
    a value is checked, so it follows the deployment's environment."""

    def __init__(self, label, limit=None):
        self.label = label
        self.limit = limit

    def max_chars(self):
        return LIMITS[self.limit]() if self.limit else None

    def __call__(self, value):
        message = text_problem(str(self.label), value, max_chars=self.max_chars())
        if message:
            raise ValidationError(message, code="text")

    def __eq__(self, other):
        return isinstance(other, TextRule) and (self.label, self.limit) == (other.label, other.limit)


class DocumentTextError(Exception):
    """One unit's text could not be written into a document: names the unit and the field,
    so the reviewer knows whom to ask, with the writer's own error after it."""

    def __init__(self, unit, field, error):
        self.unit, self.field, self.error = unit, field, error
        super().__init__(
            _("Không ghi được “%(field)s” của %(unit)s vào tài liệu (%(error)s).")
            % {"field": field, "unit": unit, "error": f"{type(error).__name__}: {error}"[:300]}
        )


@contextmanager
def writing(unit, field):
    """Name `unit` and `field` in any error raised while their text is written."""
    try:
        yield
    except DocumentTextError:
        raise
    except Exception as exc:  # noqa: BLE001 - re-raised with the unit and field named
        raise DocumentTextError(unit, field, exc) from exc
