"""What helps a reviewer decide on a report sent again: what the unit changed since the report
was returned (or reopened), field by field, folded from the report's event history."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import EventAction, ReportStatus
from .services import report_measures

# The events after which the unit edits a report the province had already looked at.
SENT_BACK = (EventAction.RETURNED, EventAction.REOPENED)


@dataclass
class ChangesSinceReturn:
    """Since when (`at`, the return or reopening) and what changed: `rows` of label, old,
    new; `edited` when only the fact of an edit is known (older history)."""

    at: object
    rows: list = field(default_factory=list)


def changes_since_return(report, measures=None):
    """Every field the unit changed since the report was last sent back, old → new as it was
    at the return and as it is now, in the directive's order (figures, "no data" marks and
    notes by measure, then narratives by section, then commendation proposals). A field
    changed and changed back is left out. None when the report was never sent back.
    Two or three queries, whatever the history."""
    events = list(report.events.order_by("pk").only("pk", "action", "at", "changes"))
    starts = [index for index, event in enumerate(events) if event.action in SENT_BACK]
    if not starts:
        return None
    anchor = events[starts[-1]]
    folded = {}
    for event in events[starts[-1] + 1 :]:
        for change in event.changes:
            key = _key(change)
            if key is None:
                continue
            old, new = change.get("old"), change.get("new")
            if key not in folded:
                folded[key] = {"old": old, "new": new, "edited": key[0] == "section" and "new" not in change}
            else:
                folded[key]["new"] = new
                folded[key]["edited"] |= key[0] == "section" and "new" not in change
    measures = report_measures(report) if measures is None else measures
    return ChangesSinceReturn(at=anchor.at, rows=_rows(report, folded, measures))


def _key(change):
    for kind in ("measure", "no_data", "note", "section", "commendation"):
        if kind in change:
            return (kind, change[kind])
    return None


MEASURE_PARTS = ("measure", "no_data", "note")


def _rows(report, folded, measures):
    names = {measure.code: measure.name for measure in measures}
    order = {measure.code: index for index, measure in enumerate(measures)}
    sections = {}
    if any(kind == "section" for kind, _code in folded):
        sections = {code: index for index, code in enumerate(report.campaign.sections.values_list("code", flat=True))}
    rows = []
    for (kind, code), change in folded.items():
        if kind == "commendation":
            # Folded by name: "old" says whether the proposal was there at the return,
            # "new" whether it is there now; present at both ends means it was edited.
            present_before, present_now = change["old"] is not None, change["new"] is not None
            if not (present_before or present_now):
                continue
            change = {
                "old": code if present_before else None,
                "new": code if present_now else None,
                "edited": present_before and present_now,
            }
        elif not change["edited"] and change["old"] == change["new"]:
            continue
        if kind in MEASURE_PARTS:
            sort = (0, order.get(code, len(order)), MEASURE_PARTS.index(kind))
        elif kind == "section":
            sort = (1, sections.get(code, len(sections)), 0)
        else:
            sort = (2, 0, 0)
        rows.append((sort, {**change, **_describe(kind, code, change, names)}))
    rows.sort(key=lambda pair: pair[0])
    return [row for _sort, row in rows]


def _describe(kind, code, change, names):
    name = names.get(code, code)
    if kind == "measure":
        return {"label": name}
    if kind == "no_data":
        return {"label": _("%(name)s — không có số liệu") % {"name": name}, **_yes_no(change)}
    if kind == "note":
        return {"label": _("%(name)s — ghi chú") % {"name": name}}
    if kind == "section":
        return {"label": _("Nội dung phần %(code)s") % {"code": code}, "long": True}
    return {"label": _("Đề nghị khen thưởng: %(name)s") % {"name": code}}


def _yes_no(change):
    return {key: _("có") if change[key] else _("không") for key in ("old", "new")}


def flag_change_row(change, names):
    """A history row for a note or "no data" change (reports.services records them)."""
    kind = "note" if "note" in change else "no_data"
    return {**change, **_describe(kind, change[kind], change, names)}


def shows_changes_since_return(report):
    """The block is for a report sent again after a return, while it waits for review."""
    return report.status == ReportStatus.SUBMITTED
