"""Saving one officer's edits into a report that colleagues may be editing at the same time.

The report form carries the report as it was when the officer opened it, its *base*, signed
with django.core.signing so that it cannot be forged. A save writes only what the officer
changed relative to that base:

- a field the officer did not change is never written, so a save never undoes what a
  colleague saved meanwhile;
- a field the officer changed that nobody else changed is written;
- a field both changed, to different values, is a conflict: nothing is saved until the
  officer chooses, field by field, to keep theirs or to use their own.

Every field is merged on its own. Keys:

    figure:<measure>     the figure: a number (canonical string), NO_DATA, or None (blank)
    note:<measure>       the note beside the figure
    narrative:<section>  a section's narrative
    commendation:<pk>    a commendation proposal [kind, name, achievement, award, position,
                         work_unit, award_form] (award_form: the code of the form chosen from
                         the campaign's catalogue, "" for free text); None: removed
    commendation:+<n>    a proposal this form adds
    signer:name          who signs the printed report; signer:title their title;
    signer:deputy        whether a deputy signs for the head (True/False)

A figure and its "no data" mark are one field: a cell holds a number, "no data" or nothing,
and merging them apart could leave a number marked "no data".

The version column and its conditional UPDATE (`bump_version`) stay the last guard: a save
that loses the race to another is merged again against what that one stored.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Max

from campaigns.numbers import format_vn_number
from campaigns.structure import campaign_structure
from commendations.awards import campaign_forms, row_problems, with_award

from .models import Commendation, EventAction, MeasureValue, Narrative, ReportEvent
from .services import (
    ConcurrentEdit,
    ReportError,
    bump_version,
    commendations_problem,
    report_measures,
    report_reread,
    text_problems,
)
from .validation import check_unit_values

FIGURE, NOTE, NARRATIVE, COMMENDATION, SIGNER = "figure", "note", "narrative", "commendation", "signer"
NO_DATA = "no-data"
COMMENDATION_FIELDS = ("kind", "name", "achievement", "award", "position", "work_unit", "award_form")
# signer:<name> → the report's column.
SIGNER_FIELDS = {"name": "signer_name", "title": "signer_title", "deputy": "signer_is_deputy"}
BASE_SALT = "reports.report-form.base"
# A save that keeps losing the race to other saves gives up after this many merges.
MERGE_ATTEMPTS = 3


def key(kind, name):
    return f"{kind}:{name}"


def split(field_key):
    kind, _, name = field_key.partition(":")
    return kind, name


def blank(field_key):
    """What a field holds when the report has nothing for it."""
    if field_key == key(SIGNER, "deputy"):
        return False
    return "" if field_key.startswith((NOTE + ":", NARRATIVE + ":", SIGNER + ":")) else None


def canonical(number):
    """One spelling per number (`1000`, `85.3`), so equal figures compare equal."""
    return None if number is None else format(Decimal(number).normalize(), "f")


def figure(value, no_data):
    if value is not None:
        return canonical(value)
    return NO_DATA if no_data else None


def figure_number(value):
    """The Decimal of a figure, or None for blank and "no data"."""
    return None if value in (None, NO_DATA) else Decimal(value)


class Unparsed:
    """What was typed into a field that does not parse or breaks its own rule: it is a
    change, equal to nothing stored, and never written."""

    def __init__(self, text=""):
        self.text = text

    def __repr__(self):
        return f"Unparsed({self.text!r})"


def _text(value):
    return str(value).replace("\r\n", "\n").strip()


def commendation_value(row):
    """A stored proposal as its merge value."""
    values = [getattr(row, name) for name in COMMENDATION_FIELDS[:-1]]
    return [*values, row.award_form.code if row.award_form_id else ""]


def commendation_row(value):
    """A proposal's merge value as a dict of its fields. A value written before a field
    existed (a base signed by an older form) reads that field as blank."""
    value = list(value) + [""] * (len(COMMENDATION_FIELDS) - len(value))
    return dict(zip(COMMENDATION_FIELDS, value, strict=True))


def _complete(field_key, value):
    """A proposal's value with every field (see commendation_row); other values as they are."""
    if split(field_key)[0] == COMMENDATION and isinstance(value, (list, tuple)):
        return [commendation_row(value)[name] for name in COMMENDATION_FIELDS]
    return value


def same(a, b):
    """Whether two values of a field mean the same (texts compared without their line-ending
    style and surrounding blanks, which a browser's text area changes)."""
    if isinstance(a, Unparsed) or isinstance(b, Unparsed):
        return False
    if isinstance(a, str) and isinstance(b, str):
        return _text(a) == _text(b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def report_state(report):
    """The report's mergeable fields as stored now (blank fields left out)."""
    state = {}
    for stored in report.values.select_related("measure"):
        state[key(FIGURE, stored.measure.code)] = figure(stored.value, stored.no_data)
        state[key(NOTE, stored.measure.code)] = stored.note
    for narrative in report.narratives.select_related("section"):
        state[key(NARRATIVE, narrative.section.code)] = narrative.text
    for row in report.commendations.select_related("award_form"):
        state[key(COMMENDATION, row.pk)] = commendation_value(row)
    for name, column in SIGNER_FIELDS.items():
        state[key(SIGNER, name)] = getattr(report, column)
    return {field_key: value for field_key, value in state.items() if not same(value, blank(field_key))}


# --- the base a form carries --------------------------------------------------------------
@dataclass(frozen=True)
class Base:
    """The report as a form loaded it. `pending`: fields shown as conflicts, on which the
    officer must choose. `known` is false when the form carried no readable base: then no
    field can be told unchanged, and every difference from what is stored is a conflict."""

    version: int
    state: dict
    pending: frozenset = frozenset()
    known: bool = True

    def get(self, field_key):
        return self.state.get(field_key, blank(field_key))


def base_token(report_pk, version, state, pending=()):
    """The signed text a form carries as its base."""
    payload = {"report": report_pk, "version": version, "state": state, "pending": sorted(pending)}
    return signing.dumps(payload, salt=BASE_SALT, compress=True)


def base_from_token(token, report_pk):
    """The Base a form carried, or None when it is missing, forged or another report's."""
    try:
        payload = signing.loads(token or "", salt=BASE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("report") != report_pk:
        return None
    state = {field_key: _complete(field_key, value) for field_key, value in dict(payload["state"]).items()}
    return Base(version=int(payload["version"]), state=state, pending=frozenset(payload.get("pending", ())))


# --- the merge ----------------------------------------------------------------------------
@dataclass
class Conflict:
    """A field both sides changed, to different values."""

    key: str
    base: object
    theirs: object
    mine: object


def merge(base, mine, theirs, unresolved=()):
    """What of `mine` (field → value, only the fields the form carried) to write over
    `theirs` (the stored state), and the conflicts. Fields in `unresolved` are conflicts
    waiting for the officer's choice: any difference from theirs is still a conflict."""
    writes, conflicts = {}, []
    for field_key, value in mine.items():
        was, now = base.get(field_key), theirs.get(field_key, blank(field_key))
        if field_key in unresolved or not base.known:
            if not same(value, now):
                conflicts.append(Conflict(field_key, was, now, value))
        elif same(value, was):
            continue  # not changed here: whatever is stored stays
        elif same(now, was):
            writes[field_key] = value
        elif not same(now, value):
            conflicts.append(Conflict(field_key, was, now, value))
    return writes, conflicts


class Outcome:
    """What a save did. `state`/`version`: the report as stored afterwards (`state` is read
    when first asked for: a save that goes on to a redirect never needs it). `written`: the
    fields saved (none when nothing was). `held`: field → why it was not saved (a rule the
    merged report would break). `created`: new commendation key → its pk. `merged_with`:
    the version merged with when others had saved since the base; `others` their events."""

    def __init__(self, *, version, state=None, report=None, others=None):
        self.version = version
        self._state = state
        self._report = report
        self.written = set()
        self.conflicts = []
        self.held = {}
        self.created = {}
        self.merged_with = None
        self.others = others if others is not None else []

    @property
    def state(self):
        if self._state is None:
            self._state = report_state(self._report)
        return self._state

    @property
    def saved(self):
        return bool(self.written)


def report_save_edits(*, report, by, base, mine, unresolved=(), submit=False):
    """Save into `report` what `by` changed since `base` (see the module's rules).

    `mine`: field key → the form's value, for the fields it carried; Unparsed for what did
    not parse. A draft (`submit` false) saves every change that keeps the report within its
    rules; the others are held back with their message. Submitting saves all or nothing,
    with every measure required. Conflicts save nothing. Returns an Outcome; raises
    ReportError when the report is not editable, ConcurrentEdit when others kept saving
    while this one merged.
    """
    if not report.editable:
        raise ReportError("Báo cáo đã gửi, không sửa được. Chờ Sở Nội vụ trả lại nếu cần điều chỉnh.")
    measures = report_measures(report)
    mine = {field_key: _complete(field_key, value) for field_key, value in mine.items()}
    for attempt in range(MERGE_ATTEMPTS):
        if attempt:
            report_reread(report)
            if not report.editable:
                raise ReportError("Báo cáo đã gửi, không sửa được. Chờ Sở Nội vụ trả lại nếu cần điều chỉnh.")
        version = report.version
        if base.known and version == base.version:
            # Nobody saved since the form was opened: what is stored is the base the form
            # carried (signed, so as read then). The conditional UPDATE below checks it.
            outcome = Outcome(version=version, state=dict(base.state))
        else:
            others = list(report.events.filter(version__gt=base.version).select_related("by").order_by("at", "pk"))
            outcome = Outcome(version=version, state=report_state(report), others=others)
        theirs = outcome.state
        writes, outcome.conflicts = merge(base, mine, theirs, unresolved)
        if outcome.conflicts:
            return outcome
        unparsed = {field_key for field_key, value in writes.items() if isinstance(value, Unparsed)}
        writes = {field_key: value for field_key, value in writes.items() if field_key not in unparsed}
        too_long = _hold_text_breakers(report, measures, theirs, writes)
        if submit:
            outcome.held = {**_rule_breakers(measures, {**theirs, **writes}, require_all=True), **too_long}
            if outcome.held or unparsed:
                return outcome
        else:
            outcome.held = {**too_long, **_hold_rule_breakers(measures, theirs, writes)}
        if not writes:
            return outcome
        try:
            with transaction.atomic():
                outcome.created, changes, signer = _write(report, measures, theirs, writes)
                bump_version(report, expected_version=version, by=by, **signer)
                if version != base.version:
                    changes.append({"merged_with_version": version, "base_version": base.version})
                    outcome.merged_with = version
                ReportEvent.objects.create(
                    report=report, action=EventAction.SAVED, by=by, version=report.version, changes=changes
                )
        except ConcurrentEdit:
            if attempt + 1 == MERGE_ATTEMPTS:
                raise
            continue
        outcome.version, outcome.written = report.version, set(writes)
        outcome._state, outcome._report = None, report
        return outcome
    raise AssertionError("unreachable")


# --- the rules, on the merged report ------------------------------------------------------
def _rule_breakers(measures, state, *, require_all=False):
    """figure/note key → message for every rule the state breaks."""
    values = {m.code: figure_number(state.get(key(FIGURE, m.code))) for m in measures}
    no_data = {m.code for m in measures if state.get(key(FIGURE, m.code)) == NO_DATA}
    problems = {
        key(FIGURE, code): message
        for code, message in check_unit_values(measures, values, require_all=require_all, no_data=no_data).items()
    }
    for measure in measures:
        if measure.code in no_data and not _text(state.get(key(NOTE, measure.code), "")):
            problems.setdefault(
                key(FIGURE, measure.code), f"{measure.name}: ghi rõ lý do khi đánh dấu “không có số liệu”."
            )
    return problems


def _hold_rule_breakers(measures, theirs, writes):
    """Take out of `writes` (in place) the changes that would make the report break a rule;
    return field → message. A part larger than its whole holds the part first, then the
    whole; a "no data" mark without a reason holds the mark, then the emptied note."""
    wholes = {m.code: next((w.code for w in measures if w.pk == m.part_of_id), None) for m in measures}
    held = {}
    while True:
        for problem_key, message in _rule_breakers(measures, {**theirs, **writes}).items():
            code = split(problem_key)[1]
            candidates = [key(FIGURE, code), key(NOTE, code), key(FIGURE, wholes.get(code))]
            culprit = next((candidate for candidate in candidates if candidate in writes), None)
            if culprit is not None:
                # One at a time: taking this change out may be all it takes.
                held[culprit] = message
                del writes[culprit]
                break
        else:
            return held


def _hold_text_breakers(report, measures, theirs, writes):
    """Take out of `writes` (in place) the narratives and proposals the report may not hold
    (texts over their limits or with control characters, proposals beyond
    REPORT_COMMENDATIONS_MAX); return field → message. The form checks the same rules;
    this is where they hold for every caller."""
    narratives = {split(k)[1]: v for k, v in writes.items() if split(k)[0] == NARRATIVE and isinstance(v, str)}
    held = {}
    for field, message in text_problems(report, measures=measures, narratives=narratives).items():
        field_key = key(NARRATIVE, field.removeprefix("narrative_"))
        held[field_key] = message
        del writes[field_key]
    forms = None
    if any(split(field_key)[0] == COMMENDATION for field_key in writes):
        forms = campaign_forms(report.campaign)
    for field_key, value in list(writes.items()):
        if split(field_key)[0] == COMMENDATION and value is not None:
            row = {name: _text(part) for name, part in commendation_row(value).items()}
            problems = row_problems(row, forms=forms)
            if problems:
                held[field_key] = "; ".join(problems.values())
                del writes[field_key]
    existing = [field_key for field_key in theirs if split(field_key)[0] == COMMENDATION]
    remaining = sum(1 for field_key in existing if not (field_key in writes and writes[field_key] is None))
    added = [
        field_key
        for field_key, value in sorted(writes.items(), key=_write_order)
        if split(field_key)[0] == COMMENDATION and field_key not in theirs and value is not None
    ]
    room = max(0, settings.REPORT_COMMENDATIONS_MAX - remaining)
    for field_key in added[room:]:  # the last ones typed wait
        held[field_key] = commendations_problem(remaining + len(added))
        del writes[field_key]
    return held


# --- writing ------------------------------------------------------------------------------
def _write(report, measures, theirs, writes):
    """Write the fields over `theirs` (the stored state); return (new commendation key → pk,
    the history's change entries, the signer's columns for the version's UPDATE). Figures and
    notes are written in one statement, narratives in another, whatever their number."""
    by_code = {measure.code: measure for measure in measures}
    sections = campaign_structure(report.campaign).section_by_code
    changes, created, signer, figures, narratives = [], {}, {}, {}, {}
    forms = campaign_forms(report.campaign) if any(split(k)[0] == COMMENDATION for k in writes) else None
    for field_key, value in sorted(writes.items(), key=_write_order):
        kind, name = split(field_key)
        if kind in (FIGURE, NOTE):
            if name not in by_code:
                continue
            if kind == FIGURE:
                changes.append(_figure_change(name, theirs.get(field_key), value))
            else:
                changes.append({"note": name})
            figures[name] = None
        elif kind == NARRATIVE and name in sections:
            narratives[name] = _text(value)
            changes.append({"section": name, "narrative": True})
        elif kind == COMMENDATION:
            entry, pk = _write_commendation(report, name, value, forms)
            if entry:
                changes.append(entry)
            if pk is not None and name.startswith("+"):
                created[field_key] = pk
        elif kind == SIGNER and name in SIGNER_FIELDS:
            column = SIGNER_FIELDS[name]
            old, new = getattr(report, column), bool(value) if name == "deputy" else _text(value)
            signer[column] = new
            changes.append({"signer": name, "old": old, "new": new})
    if figures:
        rows = []
        for code in figures:
            figure_key, note_key = key(FIGURE, code), key(NOTE, code)
            value = writes[figure_key] if figure_key in writes else theirs.get(figure_key)
            note = _text(writes[note_key]) if note_key in writes else theirs.get(note_key, "")
            rows.append(
                MeasureValue(
                    report=report,
                    measure=by_code[code],
                    value=figure_number(value),
                    no_data=value == NO_DATA,
                    note=note,
                )
            )
        MeasureValue.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["report", "measure"], update_fields=["value", "no_data", "note"]
        )
    if narratives:
        Narrative.objects.bulk_create(
            [Narrative(report=report, section=sections[code], text=text) for code, text in narratives.items()],
            update_conflicts=True,
            unique_fields=["report", "section"],
            update_fields=["text"],
        )
    return created, changes, signer


def _write_order(item):
    # Existing proposals before new ones (kept in the order typed), the rest alphabetically.
    field_key = item[0]
    kind, name = split(field_key)
    if kind == COMMENDATION and name.startswith("+"):
        return (1, int(name[1:]) if name[1:].isdigit() else 0, field_key)
    return (0, 0, field_key)


def _write_commendation(report, name, value, forms):
    existing = None
    if not name.startswith("+"):
        existing = report.commendations.filter(pk=int(name)).first()
    if value is None:
        if existing is None:
            return None, None
        existing.delete()
        return {"commendation": existing.name, "old": existing.name, "new": None}, None
    fields = with_award({name: _text(part) for name, part in commendation_row(value).items()}, forms)
    code = fields.pop("award_form")
    fields["award_form"] = forms[code] if code else None
    if existing is None:
        order = (report.commendations.aggregate(last=Max("order"))["last"] or 0) + 1
        row = Commendation.objects.create(report=report, order=order, **fields)
        return {"commendation": row.name, "old": None, "new": row.name}, row.pk
    old_name = existing.name
    for attribute, text in fields.items():
        setattr(existing, attribute, text)
    existing.save()
    return {"commendation": existing.name, "old": old_name, "new": existing.name, "edited": True}, existing.pk


def _figure_change(code, old, new):
    change = {
        "measure": code,
        "old": None if figure_number(old) is None else format_vn_number(figure_number(old)),
        "new": None if figure_number(new) is None else format_vn_number(figure_number(new)),
    }
    if new == NO_DATA:
        change["no_data"] = True
    return change
