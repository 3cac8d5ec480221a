"""Figures from files, imported all or nothing.

Two sources share one check: `import_results` reads a campaign's long-form file (CSV or XLSX,
`unit,measure,value[,note]`, one value a row), and a unit officer uploads the unit's own
prefilled XLSX (`reports.excel`). The whole file is checked first; every bad row becomes a
`Problem` carrying the file's row number (the header is row 1), and nothing is saved while
any problem remains. Numbers in long-form files are plain machine numbers
(`parse_machine_number`); there an empty value with a note marks the measure "no data" for the
unit, the note being the reason, as the report form's "không có số liệu" box does, and an empty
value without a note is refused. The unit's own sheet is read the Vietnamese way, as it is
written (an emptied cell clears the value), and is saved only once the officer has seen and
confirmed its changes (`UploadPlan`).
"""

import csv
import io
import math
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from campaigns.models import Unit
from campaigns.numbers import NumberError, parse_machine_number

from .aggregation import measures_for_unit
from .models import EventAction, MeasureValue, ReportStatus, UnitReport
from .services import (
    EDITABLE_STATUSES,
    ConcurrentEdit,
    ReportError,
    current_values,
    report_get_or_create,
    report_lock,
    report_measures,
    report_refuse_locked,
    report_save_values,
)
from .text import control_character_message, formula_restored
from .uploads import zip_unpacks_too_far
from .validation import check_parts, check_value
from .workflow import report_accept, report_submit

IMPORT_MAX_BYTES = getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024)
IMPORT_MAX_ROWS = getattr(settings, "IMPORT_MAX_ROWS", 50_000)
NOTE_MAX_LENGTH = MeasureValue._meta.get_field("note").max_length

LONG_FORM_COLUMNS = ("unit", "measure", "value", "note")
STATUSES = (ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


@dataclass(frozen=True)
class Row:
    """One value read from a file. `value` is the cell as read: text, a number from an XLSX
    numeric cell, or None. `note` is None when the file has no note column (keep the note)."""

    number: int
    unit: str
    measure: str
    value: object
    note: str | None = None


@dataclass(frozen=True)
class Problem:
    """Why a row (or, with `row=None`, the file or a unit) was refused. `cell` is set when
    the message itself names the cell (`Ô D7 (…): …`), so the row need not be repeated."""

    row: int | None
    message: str
    cell: str = ""

    def __str__(self):
        return f"row {self.row}: {self.message}" if self.row and not self.cell else self.message


class ImportRefused(Exception):
    """The file was refused; `problems` lists every reason, in row order."""

    def __init__(self, problems):
        if isinstance(problems, str):
            problems = [Problem(None, problems)]
        self.problems = sorted(problems, key=lambda problem: (problem.row is None, problem.row or 0))
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass
class UnitPlan:
    """What the file sets for one unit once every row has passed."""

    unit: Unit
    report: UnitReport | None
    values: dict = field(default_factory=dict)  # code → Decimal, or None for "no data"
    notes: dict = field(default_factory=dict)
    no_data: set = field(default_factory=set)  # codes marked "no data" (with a note as the reason)


# --- reading files ------------------------------------------------------------------------


def read_upload(file, *, name):
    """The bytes of an uploaded file or a path, refused when larger than IMPORT_MAX_BYTES."""
    if isinstance(file, (str, Path)):
        try:
            with open(file, "rb") as handle:
                data = handle.read(IMPORT_MAX_BYTES + 1)
        except FileNotFoundError:
            raise ImportRefused(_("Không tìm thấy tệp %(name)s.") % {"name": name}) from None
        except (IsADirectoryError, PermissionError):
            raise ImportRefused(_("Không đọc được tệp %(name)s.") % {"name": name}) from None
    else:
        data = file.read(IMPORT_MAX_BYTES + 1)
    if len(data) > IMPORT_MAX_BYTES:
        raise ImportRefused(
            _("Tệp quá lớn (tối đa %(mb)s MB).") % {"mb": IMPORT_MAX_BYTES // (1024 * 1024)},
        )
    return data


def open_xlsx(data):
    """An openpyxl workbook (read-only, cached values) from bytes, or ImportRefused with a
    message: a file that is not an XLSX, is damaged, or would unpack to too much."""
    from openpyxl import load_workbook

    not_xlsx = _("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportRefused(not_xlsx) from None
    with archive:
        if zip_unpacks_too_far(archive):
            raise ImportRefused(_("Tệp Excel giải nén ra quá lớn, không đọc được."))
        if "xl/workbook.xml" not in archive.namelist():
            raise ImportRefused(not_xlsx)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (KeyError, ValueError, XML errors) on damaged files
        raise ImportRefused(not_xlsx) from None


def xlsx_rows(workbook, sheet=None, *, max_col=None):
    """(row number, cell values) of a sheet (the first by default), capped at IMPORT_MAX_ROWS.
    Text the portal wrote after a single quote so that it is not a formula (`'=5 xã`, see
    `reports.excel.sheet_value`) reads back as it was (`=5 xã`)."""
    worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
    try:
        for number, cells in enumerate(worksheet.iter_rows(values_only=True, max_col=max_col), start=1):
            if number > IMPORT_MAX_ROWS + 1:
                raise ImportRefused(too_many_rows())
            yield number, [formula_restored(cell) if isinstance(cell, str) else cell for cell in cells]
    except ImportRefused:
        raise
    except Exception:  # a damaged sheet part surfaces only while iterating
        raise ImportRefused(_("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ.")) from None


def csv_rows(data):
    """(row number, cells) of a UTF-8 CSV (with or without BOM); `,` or `;` separated."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(_("Tệp CSV phải được lưu theo bảng mã UTF-8.")) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            if number > IMPORT_MAX_ROWS + 1:
                raise ImportRefused(too_many_rows())
            yield number, cells
    except csv.Error as exc:
        raise ImportRefused(_("Tệp CSV bị lỗi định dạng: %(error)s") % {"error": exc}) from None


def too_many_rows():
    return _("Tệp có quá nhiều dòng (tối đa %(rows)s dòng số liệu).") % {"rows": IMPORT_MAX_ROWS}


def is_blank(cells):
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def text_of(cell):
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip()


def read_long_form(file, *, name):
    """The rows of a long-form file (CSV or XLSX by its name): header `unit,measure,value[,note]`."""
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ImportRefused(_("Chỉ nhận tệp .csv hoặc .xlsx (tệp đã gửi: %(name)s).") % {"name": name})
    data = read_upload(file, name=name)
    if suffix == ".csv":
        return long_form_rows(csv_rows(data))
    workbook = open_xlsx(data)
    try:
        return long_form_rows(xlsx_rows(workbook, max_col=10))
    finally:
        workbook.close()


def long_form_rows(table):
    rows, columns = [], None
    for number, cells in table:
        if columns is None:
            columns = long_form_columns(cells)
            continue
        if is_blank(cells):
            continue
        cells = list(cells) + [None] * len(LONG_FORM_COLUMNS)
        note = text_of(cells[columns["note"]]) if "note" in columns else None
        rows.append(
            Row(
                number=number,
                unit=text_of(cells[columns["unit"]]),
                measure=text_of(cells[columns["measure"]]),
                value=cells[columns["value"]],
                note=note,
            )
        )
    if columns is None:
        raise ImportRefused(_("Tệp trống."))
    return rows


def long_form_columns(header):
    """column name → index, from the header row; refused unless it is `unit,measure,value[,note]`."""
    names = [text_of(cell).lower() for cell in header]
    while names and not names[-1]:
        names.pop()
    if names not in (list(LONG_FORM_COLUMNS[:3]), list(LONG_FORM_COLUMNS)):
        raise ImportRefused(
            [
                Problem(
                    1,
                    _("dòng tiêu đề phải là “unit,measure,value” hoặc “unit,measure,value,note” (đang là “%(got)s”)")
                    % {"got": ",".join(names)},
                )
            ]
        )
    return {name: index for index, name in enumerate(names)}


def number_of(value):
    """A Decimal from a file cell: numeric XLSX cells as they are, text as a machine number."""
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NumberError(_("giá trị không phải là số"))
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if value is None:
        raise NumberError(_("giá trị trống"))
    if isinstance(value, str):
        try:
            return parse_machine_number(value)
        except InvalidOperation:
            raise NumberError(_("giá trị '%(value)s' không phải là số") % {"value": value}) from None
    raise NumberError(_("giá trị '%(value)s' không phải là số") % {"value": value})


# --- checking -----------------------------------------------------------------------------


def results_check(*, campaign, rows, status=ReportStatus.DRAFT, blank_clears=False):
    """Check every row of a file against the campaign; return the per-unit plan (list of
    UnitPlan) or raise ImportRefused listing every bad row. Part-over-whole is checked on the
    unit's existing values merged with the file's. With `status` submitted or accepted, each
    unit's figures must also be complete enough to submit. With `blank_clears` (the unit's
    own sheet), a row whose value is None clears the measure's value."""
    if not rows:
        raise ImportRefused(_("Tệp không có dòng số liệu nào."))
    measures = list(campaign.measures.select_related("section").prefetch_related("reporter_units"))
    measure_by_code = {measure.code: measure for measure in measures}
    measure_by_pk = {measure.pk: measure for measure in measures}
    participants = {unit.code: unit for unit in campaign.participants()}
    known_units = {unit.code: unit for unit in Unit.objects.filter(code__in={row.unit for row in rows})}
    reports = {
        report.unit.code: report
        for report in UnitReport.objects.filter(campaign=campaign, unit__code__in=participants.keys() & known_units)
        .select_related("unit")
        .prefetch_related("values__measure")
    }
    reported = {}  # unit code → {measure code: Measure} the unit reports
    seen = {}  # (unit code, measure code) → row number
    messages = {}  # row number → [message]
    plans = {}
    row_of = {}  # (unit code, measure code) → row number, for rows whose value was read

    for row in rows:
        problems = messages.setdefault(row.number, [])
        unclean = [
            message
            for label, cell in ((_("mã đơn vị"), row.unit), (_("mã chỉ số"), row.measure), (_("giá trị"), row.value))
            if (message := control_character_message(label, cell))
        ]
        if unclean:
            problems.extend(unclean)
            continue
        unit = known_units.get(row.unit)
        measure = measure_by_code.get(row.measure)
        if not row.unit:
            problems.append(_("thiếu mã đơn vị"))
        elif unit is None:
            problems.append(_("không có đơn vị mã '%(unit)s'") % {"unit": row.unit})
        elif row.unit not in participants:
            problems.append(
                _("đơn vị '%(unit)s' (%(name)s) không tham gia phong trào %(campaign)s")
                % {"unit": row.unit, "name": unit.name, "campaign": campaign.code}
            )
            unit = None
        if not row.measure:
            problems.append(_("thiếu mã chỉ số"))
        elif measure is None:
            problems.append(
                _("phong trào %(campaign)s không có chỉ số mã '%(measure)s'")
                % {"campaign": campaign.code, "measure": row.measure}
            )
        if unit is not None and measure is not None:
            if row.unit not in reported:
                reported[row.unit] = {m.code: m for m in measures_for_unit(measures, unit)}
            if measure.code not in reported[row.unit]:
                problems.append(
                    _("đơn vị '%(unit)s' không báo cáo chỉ số '%(measure)s'")
                    % {"unit": row.unit, "measure": row.measure}
                )
                measure = None
        key = (row.unit, row.measure)
        if key in seen:
            problems.append(_("trùng đơn vị và chỉ số với dòng %(row)s") % {"row": seen[key]})
            continue
        seen[key] = row.number
        blank = is_blank([row.value])
        no_data = blank and not blank_clears  # the unit's own sheet: an emptied cell clears the value
        if no_data and not row.note:
            problems.append(
                _("giá trị trống; nếu đơn vị không có số liệu, ghi lý do ở cột note để đánh dấu “không có số liệu”")
            )
            continue
        try:
            value = None if blank else number_of(row.value)
        except NumberError as exc:
            problems.append(str(exc))
            continue
        if row.note is not None and len(row.note) > NOTE_MAX_LENGTH:
            problems.append(_("ghi chú dài quá %(max)s ký tự") % {"max": NOTE_MAX_LENGTH})
        if message := control_character_message(_("ghi chú"), row.note):
            problems.append(message)
        if measure is None or unit is None:
            continue
        message = check_value(measure, value)
        if message:
            problems.append(message)
            continue
        plan = plans.setdefault(row.unit, UnitPlan(unit=unit, report=reports.get(row.unit)))
        plan.values[measure.code] = value
        if no_data:
            plan.no_data.add(measure.code)
        if row.note is not None:
            plan.notes[measure.code] = row.note
        row_of[key] = row.number

    unit_problems = []
    for code, plan in plans.items():
        unit_measures = list(reported[code].values())
        existing = {mv.measure.code: mv for mv in plan.report.values.all()} if plan.report else {}
        merged = {measure_code: mv.value for measure_code, mv in existing.items()}
        merged.update(plan.values)
        for part_code, message in check_parts(unit_measures, merged).items():
            whole_code = measure_by_pk[reported[code][part_code].part_of_id].code
            number = row_of.get((code, part_code)) or row_of.get((code, whole_code))
            if number:
                messages[number].append(message)
        if status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED) and not (
            plan.report and plan.report.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
        ):
            no_data = {measure_code for measure_code, mv in existing.items() if mv.no_data} - set(plan.values)
            no_data |= plan.no_data
            missing = [m.code for m in unit_measures if merged.get(m.code) is None and m.code not in no_data]
            if missing:
                unit_problems.append(
                    Problem(
                        None,
                        _("đơn vị '%(unit)s': chưa đủ số liệu để gửi báo cáo, còn thiếu %(codes)s")
                        % {"unit": code, "codes": ", ".join(missing)},
                    )
                )

    problems = [Problem(number, "; ".join(texts)) for number, texts in messages.items() if texts]
    if problems or unit_problems:
        raise ImportRefused(problems + unit_problems)
    return list(plans.values())


# --- importing ----------------------------------------------------------------------------


def results_import(*, campaign, rows, status=ReportStatus.DRAFT, by=None):
    """Import a campaign's long-form rows all or nothing, then move each touched report to
    `status` (submitted: draft and returned reports are submitted; accepted: they are also
    accepted). Only this administrator's import writes into reports already submitted or
    accepted; their history says so. Returns the number of units and values imported.
    Raises ImportRefused."""
    if status not in STATUSES:
        raise ImportRefused(_("Trạng thái không hợp lệ: %(status)s") % {"status": status})
    plans = results_check(campaign=campaign, rows=rows, status=status)
    try:
        with transaction.atomic():
            for plan in plans:
                report = plan.report or report_get_or_create(campaign=campaign, unit=plan.unit, by=by)
                report_save_values(
                    report=report,
                    by=by,
                    values=plan.values,
                    notes=plan.notes,
                    no_data=plan.no_data,
                    action=EventAction.IMPORTED,
                    allow_locked=True,
                )
                if status != ReportStatus.DRAFT and report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED):
                    report_submit(report=report, by=by)
                if status == ReportStatus.ACCEPTED and report.status == ReportStatus.SUBMITTED:
                    report_accept(report=report, by=by)
    except ReportError as exc:
        raise ImportRefused(
            [Problem(None, f"{plan.unit.code}: {message}") for message in exc.problems.values()]
        ) from None
    return {"units": len(plans), "values": sum(len(plan.values) for plan in plans)}


@dataclass
class UploadPlan:
    """A unit's own file, checked whole and not saved yet: the values it sets (None clears),
    the notes, the "no data" marks it keeps (a blank value on a measure marked "no data"
    leaves the mark), and the report version all this was checked against."""

    version: int
    values: dict
    notes: dict
    no_data: set = field(default_factory=set)

    def as_data(self):
        """The plan as JSON-safe data, to keep in the session until the officer confirms."""
        return {
            "version": self.version,
            "values": {code: None if value is None else str(value) for code, value in self.values.items()},
            "notes": dict(self.notes),
            "no_data": sorted(self.no_data),
        }

    @classmethod
    def from_data(cls, data):
        return cls(
            version=int(data["version"]),
            values={code: None if value is None else Decimal(value) for code, value in data["values"].items()},
            notes=dict(data["notes"]),
            no_data=set(data["no_data"]),
        )


@dataclass(frozen=True)
class PlannedChange:
    """One measure a plan changes, for the officer to see before confirming."""

    measure: object
    old_value: Decimal | None
    new_value: Decimal | None
    old_note: str
    new_note: str
    old_no_data: bool
    new_no_data: bool

    @property
    def value_changed(self):
        return (self.old_value, self.old_no_data) != (self.new_value, self.new_no_data)

    @property
    def note_changed(self):
        return self.old_note != self.new_note

    @property
    def cleared(self):
        return self.old_value is not None and self.new_value is None


def not_editable():
    return ReportError(_("Báo cáo đã gửi, không nhập được số liệu. Chờ Sở Nội vụ trả lại nếu cần điều chỉnh."))


def report_import_check(*, report, sheet):
    """Check one unit's sheet (reports.excel.UnitSheet) against its report and return the
    UploadPlan; nothing is saved.

    Every unreadable cell and every broken rule is reported at once (ImportRefused). A file
    downloaded at an older version that would overwrite a value someone changed since with
    something else is refused (ConcurrentEdit), so a stale file never silently undoes a
    newer save. Raises ImportRefused or ReportError.
    """
    if not report.editable:
        raise not_editable()
    if not sheet.rows and not sheet.problems:
        raise ImportRefused(_("Tệp không có thay đổi nào so với lúc tải về."))
    try:
        plans = results_check(campaign=report.campaign, rows=sheet.rows, blank_clears=True) if sheet.rows else []
    except ImportRefused as exc:
        raise ImportRefused(sheet.problems + exc.problems) from None
    if sheet.problems:
        raise ImportRefused(sheet.problems)
    (plan,) = plans
    report.refresh_from_db()
    existing = current_values(report)
    if sheet.version is not None and sheet.version < report.version:
        events = list(report.events.filter(version__gt=sheet.version).select_related("by").order_by("at"))
        changed = {change.get("measure") for event in events for change in event.changes}
        current = {code: mv.value for code, mv in existing.items()}
        if any(code in changed and current.get(code) != value for code, value in plan.values.items()):
            raise ConcurrentEdit(report, events)
    no_data = {
        code for code, value in plan.values.items() if value is None and code in existing and existing[code].no_data
    }
    return UploadPlan(version=report.version, values=plan.values, notes=plan.notes, no_data=no_data)


def upload_changes(report, plan):
    """The PlannedChange of every measure `plan` would change in `report` as it is now, in
    the directive's order: values set or cleared, notes, "no data" marks."""
    existing = current_values(report)
    changes = []
    for measure in report_measures(report):
        if measure.code not in plan.values:
            continue
        old = existing.get(measure.code)
        new_value = plan.values[measure.code]
        change = PlannedChange(
            measure=measure,
            old_value=old.value if old else None,
            new_value=new_value,
            old_note=old.note if old else "",
            new_note=plan.notes.get(measure.code, old.note if old else ""),
            old_no_data=bool(old and old.no_data),
            new_no_data=measure.code in plan.no_data and new_value is None,
        )
        if change.value_changed or change.note_changed:
            changes.append(change)
    return changes


def report_import_apply(*, report, plan, by):
    """Save a confirmed UploadPlan into the report, all or nothing, only while the report is
    still at the version the plan was checked against: a report saved by anyone since is
    refused with ConcurrentEdit (their changes attached) and nothing is saved. The status is
    checked again on the locked row, so a report submitted meanwhile is never changed."""
    with transaction.atomic():
        status = report_lock(report)["status"]
        if status not in EDITABLE_STATUSES:
            raise report_refuse_locked(status)
        report.refresh_from_db()
        if report.version != plan.version:
            events = list(report.events.filter(version__gt=plan.version).select_related("by").order_by("at"))
            raise ConcurrentEdit(report, events)
        return report_save_values(
            report=report,
            by=by,
            values=plan.values,
            notes=plan.notes,
            no_data=plan.no_data,
            expected_version=plan.version,
            action=EventAction.IMPORTED,
        )
