"""A long list of proposals from an Excel sheet: the template the unit downloads (headers,
a hidden sheet of the allowed kinds and award forms with drop-down lists, one example row
marked as such) and the reading of the filled sheet, all or nothing: every bad row is named
(“Dòng 7: …”) and nothing is added while any remains.

The file is read like every other upload of the portal (reports.imports: size limit, ZIP
checks, a formula-looking text restored) and each row is checked by the same rules as a row
of the report form (commendations.awards.row_problems)."""

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from campaigns.numbers import format_vn_number
from reports.excel import write_table_sheet
from reports.imports import ImportRefused, Problem, is_blank, open_xlsx, read_upload, text_of, xlsx_rows
from reports.models import CommendationKind

from .awards import campaign_forms, forms_for_kind, recipients_text, row_problems

SHEET = "Đề nghị khen thưởng"
LIST_SHEET = "Danh mục"
EXAMPLE = "Ví dụ"
HEADERS = (
    "STT",
    "Đối tượng",
    "Tên tập thể / cá nhân",
    "Chức vụ",
    "Đơn vị công tác",
    "Hình thức khen thưởng đề nghị",
    "Thành tích",
)
FIELDS = (None, "kind", "name", "position", "work_unit", "award", "achievement")
# Rows the drop-down lists cover under the header and the example.
VALIDATED_ROWS = 500


def template_filename(report):
    return f"de-nghi-khen-thuong-{report.campaign.code}-{report.unit.code}.xlsx"


def template_workbook(report):
    """The template for `report`'s unit: the list sheet (headers, the example row) and the
    hidden sheet of the allowed kinds and award forms, with drop-down lists where the
    campaign has a catalogue."""
    forms = campaign_forms(report.campaign)
    example_form = next(iter(forms_for_kind(forms, CommendationKind.INDIVIDUAL)), None)
    example = (
        EXAMPLE,
        str(CommendationKind.INDIVIDUAL.label),
        "Lò Văn Minh",
        "Chủ tịch Ủy ban nhân dân xã",
        "Ủy ban nhân dân xã Mường Ảng",
        example_form.name if example_form else "Giấy khen",
        _("Dòng ví dụ (không được nhập): hoàn thành xuất sắc nhiệm vụ năm 2024."),
    )
    workbook = Workbook()
    sheet = write_table_sheet(workbook, SHEET, HEADERS, [example])
    kinds = [str(label) for label in CommendationKind.labels]
    awards = [(form.name, recipients_text(form)) for form in (forms or {}).values()]
    rows = [
        (kinds[i] if i < len(kinds) else None, *(awards[i] if i < len(awards) else (None, None)))
        for i in range(max(len(kinds), len(awards)))
    ]
    lists = write_table_sheet(workbook, LIST_SHEET, ("Đối tượng", "Hình thức khen thưởng", "Dành cho"), rows)
    lists.sheet_state = "hidden"
    last = 2 + VALIDATED_ROWS
    kind_list = DataValidation(type="list", formula1=f"'{LIST_SHEET}'!$A$2:$A${1 + len(kinds)}", allow_blank=True)
    kind_list.add(f"B3:B{last}")
    sheet.add_data_validation(kind_list)
    if awards:
        award_list = DataValidation(type="list", formula1=f"'{LIST_SHEET}'!$B$2:$B${1 + len(awards)}", allow_blank=True)
        award_list.add(f"F3:F{last}")
        sheet.add_data_validation(award_list)
    return workbook


def _kind_of(text):
    wanted = text.casefold()
    for value, label in CommendationKind.choices:
        if wanted in (value, str(label).casefold()):
            return value
    return None


def _award_of(text, forms):
    wanted = text.casefold()
    for code, form in forms.items():
        if wanted in (code.casefold(), form.name.casefold()):
            return code
    return None


def read_proposals(*, report, file, name):
    """The proposal rows of a filled template, each a dict of fields ready for
    `proposals.proposals_add`; ImportRefused naming every bad row otherwise."""
    workbook = open_xlsx(read_upload(file, name=name))
    sheet = SHEET if SHEET in workbook.sheetnames else None
    forms = campaign_forms(report.campaign)
    rows, problems, listed = [], [], 0
    table = xlsx_rows(workbook, sheet, max_col=len(HEADERS))
    header = next(table, (1, []))[1]
    if [text_of(cell).casefold() for cell in header[: len(HEADERS)]] != [h.casefold() for h in HEADERS]:
        raise ImportRefused(
            _("Dòng 1 phải là dòng tiêu đề của tệp mẫu: %(headers)s. Hãy tải tệp mẫu và điền vào đó.")
            % {"headers": ", ".join(HEADERS)}
        )
    for number, cells in table:
        cells = list(cells) + [None] * (len(HEADERS) - len(cells))
        if is_blank(cells) or text_of(cells[0]).casefold() == EXAMPLE.casefold():
            continue
        listed += 1
        texts = {field: text_of(cell) for field, cell in zip(FIELDS, cells, strict=True) if field}
        row = {**texts, "kind": _kind_of(texts["kind"]) or texts["kind"], "award_form": ""}
        messages = []
        if texts["kind"] and _kind_of(texts["kind"]) is None:
            messages.append(
                _("đối tượng “%(kind)s” không hợp lệ (chọn %(kinds)s).")
                % {"kind": texts["kind"], "kinds": ", ".join(str(label) for label in CommendationKind.labels)}
            )
            row["kind"] = ""
        if forms is not None:
            row["award_form"] = _award_of(texts["award"], forms) or texts["award"]
            row["award"] = ""
            if not texts["award"]:
                row["award_form"] = ""
        found = row_problems(row, forms=forms)
        if messages:
            found.pop("kind", None)
        messages += [_lower_first(message) for message in found.values()]
        if messages:
            # The message names its row itself (`cell`), in the sheet's own numbering.
            problems += [Problem(number, _line(number, message), cell=str(number)) for message in messages]
        else:
            rows.append(row)
    if not listed:
        raise ImportRefused(_("Tệp không có đề nghị nào (dòng “Ví dụ” không được nhập)."))
    total = report.commendations.count() + listed
    if total > settings.REPORT_COMMENDATIONS_MAX:
        problems.append(
            Problem(
                None,
                _("Báo cáo đã có %(count)s đề nghị; thêm %(new)s đề nghị trong tệp sẽ vượt mức tối đa %(max)s.")
                % {
                    "count": format_vn_number(total - listed),
                    "new": format_vn_number(listed),
                    "max": format_vn_number(settings.REPORT_COMMENDATIONS_MAX),
                },
            )
        )
    if problems:
        raise ImportRefused(problems)
    return rows


def _line(number, message):
    return _("Dòng %(row)s: %(message)s") % {"row": number, "message": message}


def _lower_first(message):
    return message[:1].lower() + message[1:] if message[:1].isupper() and not message.startswith("“") else message
