"""Domain actions on unit reports. Views, commands and tasks call these; tests call them
directly. Every change bumps the report's version with a conditional UPDATE (no lost
updates) and leaves a ReportEvent recording who, when and each old → new value."""

import logging
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from campaigns.numbers import format_vn_number
from campaigns.structure import campaign_structure

from .models import (
    COUNTED_STATUSES,
    Commendation,
    EventAction,
    MeasureValue,
    Narrative,
    ReportEvent,
    ReportStatus,
    UnitReport,
)
from .text import achievement_max_chars, narrative_max_chars, text_problem
from .validation import check_unit_values

logger = logging.getLogger(__name__)

EDITABLE_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)


class ReportError(Exception):
    """A domain rule refused the action. `problems` maps a field (measure code, or
    "__all__") to a message in the active language."""

    def __init__(self, problems):
        if isinstance(problems, str):
            problems = {"__all__": problems}
        self.problems = problems
        super().__init__("; ".join(problems.values()))


class ConcurrentEdit(ReportError):
    """Someone else saved the report since this edit began. `events` are their changes."""

    def __init__(self, report, events):
        self.report = report
        self.events = events
        who = ", ".join(sorted({str(event.by) for event in events if event.by})) or gettext("người khác")
        super().__init__(
            gettext(
                "Báo cáo đã được %(who)s lưu trong lúc bạn sửa (phiên bản %(version)s). "
                "Dữ liệu của bạn chưa được lưu; xem các thay đổi bên dưới rồi nhập lại."
            )
            % {"who": who, "version": report.version}
        )


def report_get_or_create(*, campaign, unit, by=None):
    """The unit's report in the campaign, created as a draft on first use."""
    report, created = UnitReport.objects.get_or_create(campaign=campaign, unit=unit, defaults={"updated_by": by})
    if created:
        ReportEvent.objects.create(report=report, action=EventAction.CREATED, by=by, version=report.version)
    return report


def report_lock(report):
    """The report's status and version read afresh inside the caller's transaction, the row
    locked until it ends (SELECT … FOR UPDATE; SQLite has no row locks, but the read still
    happens inside the transaction that writes). Every write path re-checks the status on
    it, so a report submitted or accepted while a file was being read is never changed."""
    return UnitReport.objects.select_for_update().filter(pk=report.pk).values("status", "version").get()


def report_refuse_locked(status):
    """The refusal for a change to a report that is no longer editable."""
    return ReportError(
        gettext(
            "Báo cáo đang ở trạng thái “%(status)s” (vừa được gửi hoặc xét trong lúc bạn thao tác) "
            "nên không sửa được; chưa có thay đổi nào được lưu. Chờ Sở Nội vụ trả lại nếu cần điều chỉnh."
        )
        % {"status": ReportStatus(status).label}
    )


def text_problems(report, *, measures, notes=None, narratives=None, commendations=None):
    """Messages (field → text) for the texts of a save that break the text rule: control
    characters, or longer than the limit. Each message names its field."""
    problems = {}
    names = {measure.code: measure.name for measure in measures}
    note_max = MeasureValue._meta.get_field("note").max_length
    for code, note in (notes or {}).items():
        label = gettext("Ghi chú của “%(measure)s”") % {"measure": names.get(code, code)}
        message = text_problem(label, note, max_chars=note_max)
        if message:
            problems[code] = message
    if narratives:
        titles = dict(report.campaign.sections.values_list("code", "title"))
        for code, text in narratives.items():
            label = gettext("Kết quả thực hiện: %(title)s") % {"title": titles.get(code, code)}
            message = text_problem(label, text, max_chars=narrative_max_chars())
            if message:
                problems[f"narrative_{code}"] = message
    for number, row in enumerate(commendations or (), start=1):
        for field, message in commendation_problems(row, number=number).items():
            problems[f"commendation_{number}_{field}"] = message
    return problems


def commendation_problems(row, *, number=None):
    """field → message for the texts of one commendation proposal (a dict with name,
    achievement, award, and for a person position and work_unit) that break the text rule;
    the messages name the proposal by its `number` on the form, else by its name."""
    problems = {}
    for field, name, max_chars in (
        ("name", gettext("Tên tập thể / cá nhân"), 255),
        ("position", gettext("Chức vụ"), 255),
        ("work_unit", gettext("Đơn vị công tác"), 255),
        ("achievement", gettext("Thành tích"), achievement_max_chars()),
        ("award", gettext("Hình thức khen thưởng đề nghị"), 255),
    ):
        if number is not None:
            label = gettext("Đề nghị khen thưởng số %(number)s: %(field)s") % {"number": number, "field": name}
        else:
            label = gettext("Đề nghị khen thưởng cho %(name)s: %(field)s") % {
                "name": str(row.get("name", ""))[:80],
                "field": name,
            }
        message = text_problem(label, row.get(field) or "", max_chars=max_chars)
        if message:
            problems[field] = message
    return problems


def commendations_problem(count):
    """The message when a report would hold `count` commendation proposals, more than
    REPORT_COMMENDATIONS_MAX; else None."""
    if count <= settings.REPORT_COMMENDATIONS_MAX:
        return None
    return gettext("Mỗi báo cáo có tối đa %(max)s đề nghị khen thưởng (lần lưu này thành %(count)s).") % {
        "max": format_vn_number(settings.REPORT_COMMENDATIONS_MAX),
        "count": format_vn_number(count),
    }


def report_measures(report):
    """The measures the report's unit reports in its campaign, in the directive's order (from
    the campaign's cached structure; shared objects, read only)."""
    return campaign_structure(report.campaign).measures_for_unit(report.unit)


def report_reread(report):
    """Read the report's own columns again (its status, version, who and when), keeping the
    campaign and the unit it was loaded with (the unit as it was in the campaign)."""
    report.refresh_from_db(fields=_OWN_COLUMNS)
    return report


_OWN_COLUMNS = [field.attname for field in UnitReport._meta.concrete_fields if not field.is_relation]


def current_values(report):
    """code → MeasureValue for the report."""
    return {mv.measure.code: mv for mv in report.values.select_related("measure")}


def bump_version(report, *, expected_version, by, **fields):
    """Conditional UPDATE: advance the version only if nobody else has. Raises
    ConcurrentEdit (with the other saves) when zero rows were updated."""
    now = timezone.now()
    updated = UnitReport.objects.filter(pk=report.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=now, updated_by=by, **fields
    )
    if not updated:
        report_reread(report)
        events = list(report.events.filter(version__gt=expected_version).select_related("by").order_by("at"))
        raise ConcurrentEdit(report, events)
    if any(hasattr(value, "resolve_expression") for value in fields.values()):
        report_reread(report)
    else:
        # The row is exactly what this UPDATE wrote over the version it expected: no need to read it.
        report.version, report.updated_at, report.updated_by = expected_version + 1, now, by
        for name, value in fields.items():
            setattr(report, name, value)
    if report.status in COUNTED_STATUSES:
        annex_schedule(report)
    return report


def annex_schedule(report):
    """Once the change is committed, lay out the unit's pages of the summary's Phụ lục I in
    the background (reports.summary.compile.annex_render_ahead), unless turned off
    (SUMMARY_ANNEX_AHEAD). It only saves time on the day of the compile: a broker that cannot
    take the job is logged, never the officer's or the reviewer's failure."""
    if not settings.SUMMARY_ANNEX_AHEAD:
        return

    def enqueue():
        from .tasks import render_annex_ahead

        try:
            render_annex_ahead.delay(report.pk)
        except Exception:  # noqa: BLE001 - the compile lays the unit out itself
            logger.warning("Could not queue the annex of report %s ahead", report.pk, exc_info=True)

    transaction.on_commit(enqueue)


def report_save_values(
    *,
    report,
    by,
    values,
    notes=None,
    no_data=(),
    narratives=None,
    commendations=None,
    expected_version=None,
    action=EventAction.SAVED,
    require_all=False,
    allow_locked=False,
):
    """Save a unit's figures (and narratives, and commendation proposals) into its report,
    all or nothing.

    `values`: code → Decimal or None (None clears). Codes left out keep their value.
    `notes`: code → text. `no_data`: codes explicitly marked "no data". `narratives`:
    section code → text. `commendations`: the full list of proposals as dicts with kind,
    name, achievement, award (None leaves them as they are). Refuses with ReportError
    (nothing saved) when the report is not editable, a value or a text breaks a rule, or,
    with `require_all`, a measure is missing. The status is checked again on the locked row
    inside the transaction; only `allow_locked` (the administrator's `import_results`)
    writes into a submitted or accepted report, and the history says so.
    """
    if not report.editable and not allow_locked:
        raise ReportError(gettext("Báo cáo đã gửi, không sửa được. Chờ Sở Nội vụ trả lại nếu cần điều chỉnh."))
    notes = notes or {}
    no_data = set(no_data)
    measures = report_measures(report)
    by_code = {measure.code: measure for measure in measures}
    unknown = [code for code in values if code not in by_code]
    if unknown:
        raise ReportError(
            {code: gettext("Đơn vị không báo cáo chỉ số '%(code)s'.") % {"code": code} for code in unknown}
        )

    existing = current_values(report)
    merged = {code: mv.value for code, mv in existing.items()}
    merged.update(values)
    merged_no_data = {code for code, mv in existing.items() if mv.no_data} - set(values)
    merged_no_data |= no_data
    problems = check_unit_values(measures, merged, require_all=require_all, no_data=merged_no_data)
    for code in no_data:
        note = notes[code] if code in notes else (existing[code].note if code in existing else "")
        if not note.strip():
            problems.setdefault(
                code,
                gettext("%(measure)s: ghi rõ lý do khi đánh dấu “không có số liệu”.") % {"measure": by_code[code].name},
            )
    for field, message in text_problems(
        report, measures=measures, notes=notes, narratives=narratives, commendations=commendations
    ).items():
        problems.setdefault(field, message)
    if commendations is not None and (message := commendations_problem(len(commendations))):
        problems.setdefault("commendations", message)
    if problems:
        raise ReportError(problems)

    with transaction.atomic():
        status = report_lock(report)["status"]
        if status not in EDITABLE_STATUSES and not allow_locked:
            raise report_refuse_locked(status)
        comment = "" if status in EDITABLE_STATUSES else _written_while_locked(status)
        version = report.version if expected_version is None else expected_version
        changes = []
        for code, value in values.items():
            measure = by_code[code]
            old = existing.get(code)
            new_value = None if value is None else Decimal(value)
            new_note = notes.get(code, old.note if old else "")
            new_no_data = code in no_data and new_value is None
            if old is None:
                if new_value is None and not new_no_data and not new_note:
                    continue
                MeasureValue.objects.create(
                    report=report, measure=measure, value=new_value, no_data=new_no_data, note=new_note
                )
                changes.extend(_value_changes(code, None, new_value, new_note, new_no_data))
            elif (old.value, old.note, old.no_data) != (new_value, new_note, new_no_data):
                changes.extend(_value_changes(code, old, new_value, new_note, new_no_data))
                old.value, old.note, old.no_data = new_value, new_note, new_no_data
                old.save(update_fields=["value", "note", "no_data"])
        for code in no_data - set(values):
            old = existing.get(code)
            if old is None:
                MeasureValue.objects.create(
                    report=report, measure=by_code[code], value=None, no_data=True, note=notes.get(code, "")
                )
                changes.extend(_value_changes(code, None, None, notes.get(code, ""), True))
            elif not old.no_data:
                changes.extend(_value_changes(code, old, None, notes.get(code, old.note), True))
                old.no_data, old.value = True, None
                old.note = notes.get(code, old.note)
                old.save(update_fields=["no_data", "value", "note"])
        for section_code, text in (narratives or {}).items():
            section = report.campaign.sections.get(code=section_code)
            narrative, _ = Narrative.objects.get_or_create(report=report, section=section)
            if narrative.text != text:
                changes.append({"section": section_code, "narrative": True, "old": narrative.text, "new": text})
                narrative.text = text
                narrative.save(update_fields=["text"])
        if commendations is not None:
            changes.extend(_replace_commendations(report, commendations))
        bump_version(report, expected_version=version, by=by)
        ReportEvent.objects.create(
            report=report, action=action, by=by, version=report.version, changes=changes, comment=comment
        )
    return report


def _written_while_locked(status):
    return gettext("Quản trị nhập số liệu vào báo cáo đang ở trạng thái “%(status)s”.") % {
        "status": ReportStatus(status).label
    }


def _change(code, old, new):
    return {
        "measure": code,
        "old": None if old is None else format_vn_number(old),
        "new": None if new is None else format_vn_number(new),
    }


def _value_changes(code, old, new_value, new_note, new_no_data):
    """The change entries of one measure: its value (old → new, as before; always on
    creation), and its note and "no data" mark when they change, under their own keys
    so readers that look for "measure" entries see value changes only."""
    entries = []
    old_value, old_note, old_no_data = (None, "", False) if old is None else (old.value, old.note, old.no_data)
    if old is None or old_value != new_value:
        entries.append(_change(code, old_value, new_value))
    if old_note != new_note:
        entries.append({"note": code, "old": old_note, "new": new_note})
    if old_no_data != new_no_data:
        entries.append({"no_data": code, "old": old_no_data, "new": new_no_data})
    return entries


COMMENDATION_FIELDS = ("kind", "name", "achievement", "award", "position", "work_unit", "award_form")


def _commendation_tuple(row):
    """A proposal (a model row or a dict: position, work unit and the AwardForm optional)
    as a comparable tuple."""
    get = row.get if isinstance(row, dict) else lambda field, default=None: getattr(row, field, default)
    values = tuple((get(field, "") or "") for field in COMMENDATION_FIELDS[:-1])
    return (*values, get("award_form", None))


def _replace_commendations(report, rows):
    """Make the report's proposals exactly `rows` (in order); return the change entries."""
    old = [_commendation_tuple(row) for row in report.commendations.select_related("award_form")]
    new = [_commendation_tuple(row) for row in rows]
    if old == new:
        return []
    report.commendations.all().delete()
    Commendation.objects.bulk_create(
        Commendation(report=report, order=index, **dict(zip(COMMENDATION_FIELDS, row, strict=True)))
        for index, row in enumerate(new)
    )
    removed = [row for row in old if row not in new]
    added = [row for row in new if row not in old]
    return [{"commendation": row[1], "old": row[1], "new": None} for row in removed] + [
        {"commendation": row[1], "old": None, "new": row[1]} for row in added
    ]
