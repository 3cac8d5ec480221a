"""The decision's list as an Excel workbook, written by reports.excel's table writer (numbers
kept as numbers, text never taken for a formula)."""

from openpyxl import Workbook

from reports.excel import write_table_sheet

from .documents import KIND_LABELS, LIST_HEADERS, position_and_unit

LIST_SHEET = "Danh sách"
XLSX_HEADERS = (*LIST_HEADERS, "Đối tượng", "Hình thức khen thưởng", "Thành tích")


def decision_list_rows(groups):
    """One row per name, numbered from 1 within each award form, in the list's order."""
    for group in groups:
        for index, proposal in enumerate(group.proposals, start=1):
            yield (
                index,
                proposal.name,
                position_and_unit(proposal),
                proposal.report.unit.name,
                KIND_LABELS.get(proposal.kind, proposal.kind),
                group.form.name,
                proposal.achievement,
            )


def decision_list_workbook(groups):
    workbook = Workbook()
    write_table_sheet(workbook, LIST_SHEET, XLSX_HEADERS, decision_list_rows(groups))
    return workbook
