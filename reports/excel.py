"""XLSX files: a unit's prefilled sheet (download, fill offline, upload back), and the
campaign export of `export_results`.

`write_table_sheet` is the reusable piece: one header row and rows of cells, numbers kept as
numbers (Excel shows them in the reader's own locale, so `3.868.370` in Vietnamese Excel),
times in Asia/Ho_Chi_Minh, and text cleaned of control characters openpyxl refuses and never
taken for a formula. Every XLSX the portal writes goes through it.
"""

import datetime
import io
import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter

from campaigns.models import ValueType
from campaigns.numbers import AmbiguousNumber, NumberError, parse_vn_number

from .imports import ImportRefused, Problem, Row, is_blank, number_of, open_xlsx, read_upload, text_of, xlsx_rows
from .models import ReportStatus, UnitReport
from .services import current_values, report_measures
from .text import clean_text, formula_neutralised

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0###"
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
MAX_COLUMN_WIDTH = 60
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

# The unit sheet: the code column is what is read back, with the value and the note.
UNIT_SHEET = "Số liệu"
INFO_SHEET = "Thông tin"
CODE_HEADER = "Mã chỉ số"
VALUE_HEADER = "Giá trị"
NOTE_HEADER = "Ghi chú"
UNIT_HEADERS = (CODE_HEADER, "Tên chỉ số", "Đơn vị tính", VALUE_HEADER, NOTE_HEADER)
# Hidden copies of what the file was made with: a row left as it was is not read back, so a
# file downloaded earlier never undoes a figure someone saved on the portal since.
ORIGINAL_VALUE_HEADER = "Giá trị khi tải về"
ORIGINAL_NOTE_HEADER = "Ghi chú khi tải về"
ORIGINAL_HEADERS = (ORIGINAL_VALUE_HEADER, ORIGINAL_NOTE_HEADER)
INFO_CAMPAIGN = "Mã phong trào"
INFO_UNIT = "Mã đơn vị"
INFO_VERSION = "Phiên bản báo cáo"


def sheet_title(title, workbook):
    """A valid, unique sheet title (≤ 31 characters, none of []:*?/\\)."""
    base = SHEET_TITLE_FORBIDDEN.sub("-", str(title)).strip("'") or "Sheet"
    base = base[:31]
    candidate, n = base, 2
    while candidate in workbook.sheetnames:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    return candidate


def write_table_sheet(workbook, title, headers, rows):
    """Add a sheet `title` holding a header row and `rows` (iterables of cells) to `workbook`
    and return it. Numbers stay numeric (integers shown grouped, decimals with up to four
    places), dates are shown dd/mm/yyyy and times in Asia/Ho_Chi_Minh, text loses control
    characters and is always a text cell (`sheet_value`), the header row is bold, frozen and
    filterable. The empty default sheet of a new Workbook is reused."""
    default = workbook.worksheets[0] if len(workbook.worksheets) == 1 else None
    if (
        default is not None
        and default.title == "Sheet"
        and default.dimensions == "A1:A1"
        and default["A1"].value is None
    ):
        worksheet = default
        worksheet.title = sheet_title(title, workbook)
    else:
        worksheet = workbook.create_sheet(sheet_title(title, workbook))
    widths = []
    for row_number, values in enumerate(itertools.chain([headers], rows), start=1):
        for column, value in enumerate(values, start=1):
            value = sheet_value(value)
            cell = worksheet.cell(row=row_number, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl would store text starting with "=" as a formula
            if row_number == 1:
                cell.font, cell.fill = HEADER_FONT, HEADER_FILL
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            else:
                cell.number_format = cell_format(value)
            if column > len(widths):
                widths.append(0)
            widths[column - 1] = max(widths[column - 1], len(str(value)) if value is not None else 0)
    for column, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(column)].width = min(MAX_COLUMN_WIDTH, max(8, width + 2))
    worksheet.freeze_panes = "A2"
    if worksheet.max_row > 1:
        worksheet.auto_filter.ref = worksheet.dimensions
    return worksheet


def sheet_value(value):
    """A cell value openpyxl writes as the reader expects: text without control characters
    (openpyxl refuses them) and, when it starts the way a formula does (`=`, `+`, `-`, `@`,
    tab, line break), after a single quote, so a spreadsheet program shows it and never runs
    it (`reports.imports.xlsx_rows` takes the quote off again); an aware time as the local
    wall-clock time (Excel has no time zones; openpyxl refuses aware times). Numbers are
    left as they are."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        # Cleaned first: removing a control character can bring a "=" to the front.
        return formula_neutralised(clean_text(value))
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.make_naive(value)
    return value


def cell_format(value):
    if isinstance(value, bool) or value is None:
        return "General"
    if isinstance(value, datetime.datetime):
        return DATETIME_FORMAT
    if isinstance(value, (int, Decimal, float)):
        try:
            return INTEGER_FORMAT if value == int(value) else DECIMAL_FORMAT
        except (OverflowError, ValueError, ArithmeticError):
            return "General"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return DATE_FORMAT
    return "General"


def workbook_bytes(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def cell_value(value):
    """A stored Decimal as an Excel cell: integral values as int, others as Decimal."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else value.normalize()


# --- the unit's round-trip ----------------------------------------------------------------


def unit_workbook(report):
    """The unit's prefilled workbook: one row per measure it reports (code, name, unit of
    measure, current value, note). Only the value and note columns are editable; a second
    sheet records the campaign, the unit and the report version the file was made from."""
    values = current_values(report)
    workbook = Workbook()
    measures = report_measures(report)
    rows = []
    for measure in measures:
        current = values.get(measure.code)
        value, note = (cell_value(current.value), current.note) if current else (None, "")
        rows.append([measure.code, measure.name, measure.unit_of_measure, value, note, value, note])
    worksheet = write_table_sheet(workbook, UNIT_SHEET, UNIT_HEADERS + ORIGINAL_HEADERS, rows)
    for column in ("F", "G"):
        worksheet.column_dimensions[column].hidden = True
    worksheet.protection.sheet = True
    worksheet.protection.formatColumns = False
    worksheet.protection.autoFilter = False
    for row in worksheet.iter_rows(min_row=2, min_col=4, max_col=5):
        for cell in row:
            cell.protection = Protection(locked=False)
    for row, measure in zip(worksheet.iter_rows(min_row=2, min_col=4, max_col=4), measures, strict=True):
        row[0].number_format = INTEGER_FORMAT if measure.value_type == ValueType.INTEGER else DECIMAL_FORMAT
    info = [
        [INFO_CAMPAIGN, report.campaign.code],
        ["Phong trào", f"{report.campaign.directive_number} — {report.campaign.title}"],
        [INFO_UNIT, report.unit.code],
        ["Tên đơn vị", report.unit.name],
        [INFO_VERSION, report.version],
        ["Tải về lúc", timezone.localtime().strftime("%d/%m/%Y %H:%M")],
        ["Hướng dẫn", _("Chỉ sửa cột “Giá trị” và “Ghi chú” ở trang “Số liệu”, rồi tải tệp lên trang báo cáo.")],
        [
            "",
            _(
                "Số ghi như trên cổng: dấu chấm phân nhóm hàng nghìn, dấu phẩy trước phần thập phân "
                "(3.868.370; 85,3). Xóa trống ô “Giá trị” là xóa giá trị đang có trên cổng."
            ),
        ],
        ["", _("Sau khi tải lên, cổng hiện mọi thay đổi để bạn xem lại; chỉ khi bạn xác nhận mới lưu.")],
        ["", _("Tỷ lệ phần trăm ghi từ 0 đến 100; chỉ số có/không ghi 1 hoặc 0.")],
    ]
    write_table_sheet(workbook, INFO_SHEET, [_("Mục"), _("Nội dung")], info)
    workbook.active = 0
    return workbook


def unit_workbook_filename(report):
    return f"so-lieu-{report.campaign.code}-{report.unit.code}-v{report.version}.xlsx"


@dataclass
class UnitSheet:
    """What a unit's workbook says: the rows that differ from the file as it was downloaded
    (values read as Decimal, None for a blank cell), the report version the file was made
    from (None if unknown) and the value cells that could not be read."""

    rows: list
    version: int | None
    problems: list = field(default_factory=list)


def read_unit_workbook(file, *, report, name="upload.xlsx"):
    """Read a unit's workbook back (a UnitSheet). Numeric cells are taken as they are; text
    is read the Vietnamese way (`12.500` is 12500, `12,5` is 12,5) and dots that do not group
    thousands (`12.50`) are refused, naming the cell. A blank value cell means "no value", so
    it clears a value the portal has. Rows whose value and note are still what the file was
    made with are left out, so an old file never undoes a later save. Raises ImportRefused
    when the file itself is unreadable or not this report's."""
    workbook = open_xlsx(read_upload(file, name=name))
    try:
        version = check_info_sheet(workbook, report)
        sheet = UNIT_SHEET if UNIT_SHEET in workbook.sheetnames else None
        table = xlsx_rows(workbook, sheet, max_col=10)
        header = next(table, None)
        columns = unit_columns(header[1] if header else [])
        names = {measure.code: measure.name for measure in report_measures(report)}
        rows, problems = [], []
        for number, cells in table:
            if is_blank(cells):
                continue
            cells = list(cells) + [None] * 10
            code = text_of(cells[columns[CODE_HEADER]])
            try:
                value = cell_number(cells[columns[VALUE_HEADER]])
            except NumberError as exc:
                cell = f"{get_column_letter(columns[VALUE_HEADER] + 1)}{number}"
                problems.append(Problem(number, unreadable_cell(cell, names.get(code, code), exc), cell=cell))
                continue
            note = text_of(cells[columns[NOTE_HEADER]]) if NOTE_HEADER in columns else None
            if unchanged(value, note, cells, columns):
                continue
            rows.append(Row(number=number, unit=report.unit.code, measure=code, value=value, note=note))
        return UnitSheet(rows=rows, version=version, problems=problems)
    finally:
        workbook.close()


def cell_number(cell):
    """A value cell of the unit's sheet as a Decimal, or None when blank. Raises NumberError."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, str):
        return parse_vn_number(cell)
    return number_of(cell)


def unreadable_cell(cell, name, error):
    if isinstance(error, AmbiguousNumber):
        readings = error.readings
        if len(readings) == 1:
            either = readings[0]
        else:
            either = _("%(first)s hoặc %(second)s") % {"first": readings[0], "second": readings[1]}
        return _("Ô %(cell)s (%(measure)s): '%(text)s' không rõ nghĩa — viết %(readings)s") % {
            "cell": cell,
            "measure": name,
            "text": error.text,
            "readings": either,
        }
    return _("Ô %(cell)s (%(measure)s): %(error)s") % {"cell": cell, "measure": name, "error": error}


def unit_columns(header):
    names = [text_of(cell) for cell in header]
    columns = {name: index for index, name in enumerate(names) if name in UNIT_HEADERS + ORIGINAL_HEADERS}
    missing = [name for name in (CODE_HEADER, VALUE_HEADER) if name not in columns]
    if missing:
        raise ImportRefused(
            [
                Problem(
                    1,
                    _("tệp không đúng mẫu: thiếu cột %(columns)s; hãy tải lại tệp mẫu của đơn vị")
                    % {"columns": ", ".join(f"“{name}”" for name in missing)},
                )
            ]
        )
    return columns


def unchanged(value, note, cells, columns):
    """True when the row's value (a Decimal or None) and note are those the file was
    downloaded with."""
    if not all(header in columns for header in ORIGINAL_HEADERS):
        return False
    if note is not None and note != text_of(cells[columns[ORIGINAL_NOTE_HEADER]]):
        return False
    try:
        return value == cell_number(cells[columns[ORIGINAL_VALUE_HEADER]])
    except NumberError:
        return False


def check_info_sheet(workbook, report):
    """The report version recorded in the file; refuses a file made for another unit or campaign."""
    if INFO_SHEET not in workbook.sheetnames:
        return None
    info = {text_of(cells[0]): cells[1] for _number, cells in xlsx_rows(workbook, INFO_SHEET, max_col=2) if cells}
    campaign_code, unit_code = text_of(info.get(INFO_CAMPAIGN)), text_of(info.get(INFO_UNIT))
    if (campaign_code and campaign_code != report.campaign.code) or (unit_code and unit_code != report.unit.code):
        raise ImportRefused(
            _("Tệp này được tải về cho đơn vị “%(unit)s”, phong trào %(campaign)s, không phải báo cáo này.")
            % {"unit": unit_code, "campaign": campaign_code}
        )
    try:
        return int(info.get(INFO_VERSION))
    except (TypeError, ValueError):
        return None


# --- the campaign export ------------------------------------------------------------------


def export_workbook(campaign):
    """Every unit's values in the campaign: a long sheet (one value a row, codes and
    Vietnamese names, report status) and one wide sheet per section (units × measures)."""
    participants = list(campaign.participants())
    reports = {
        report.unit_id: report
        for report in UnitReport.objects.filter(campaign=campaign).select_related("unit").prefetch_related("values")
    }
    measures = list(campaign.measures.select_related("section").order_by("section__order", "order"))
    measure_by_id = {measure.pk: measure for measure in measures}
    units = participants + [report.unit for report in reports.values() if report.unit not in participants]
    values = {report.unit_id: {mv.measure_id: mv for mv in report.values.all()} for report in reports.values()}
    not_started = _("Chưa báo cáo")

    def status_of(unit):
        report = reports.get(unit.pk)
        return str(ReportStatus(report.status).label) if report else not_started

    workbook = Workbook()
    long_rows = []
    for unit in units:
        unit_values = values.get(unit.pk, {})
        for measure_id, mv in sorted(unit_values.items(), key=lambda item: order_of(measure_by_id[item[0]])):
            measure = measure_by_id[measure_id]
            long_rows.append(
                [
                    unit.code,
                    unit.name,
                    measure.code,
                    measure.name,
                    measure.unit_of_measure,
                    cell_value(mv.value),
                    _("Có") if mv.no_data else "",
                    mv.note,
                    status_of(unit),
                ]
            )
    write_table_sheet(
        workbook,
        _("Số liệu"),
        [
            _("Mã đơn vị"),
            _("Tên đơn vị"),
            _("Mã chỉ số"),
            _("Tên chỉ số"),
            _("Đơn vị tính"),
            _("Giá trị"),
            _("Không có số liệu"),
            _("Ghi chú"),
            _("Trạng thái báo cáo"),
        ],
        long_rows,
    )
    for section in campaign.sections.order_by("order"):
        section_measures = [measure for measure in measures if measure.section_id == section.pk]
        if not section_measures:
            continue
        headers = [_("Mã đơn vị"), _("Tên đơn vị"), _("Trạng thái báo cáo")] + [
            f"{measure.name} ({measure.unit_of_measure})" if measure.unit_of_measure else measure.name
            for measure in section_measures
        ]
        rows = []
        for unit in units:
            unit_values = values.get(unit.pk, {})
            rows.append(
                [unit.code, unit.name, status_of(unit)]
                + [cell_value(unit_values[m.pk].value) if m.pk in unit_values else None for m in section_measures]
            )
        write_table_sheet(workbook, _("Phần %(code)s") % {"code": section.code}, headers, rows)
    return workbook


def order_of(measure):
    return (measure.section.order, measure.order)
