"""The report as files: one XLSX workbook (the platform's three sheets and the check), or a CSV per table.

The platform refuses a workbook whose sheet names, headers or column order differ from its template
(报告规范 五), so the first row of each sheet is the Chinese header alone; the English header and
"必填 / required" ride along as cell comments, and the check is the last sheet (decisions MR7).
"""

import csv
import io
from datetime import date

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from certflow.reporting.report import MonthlyReport, TableData

CHECK_SHEET = "检查结果"
CHECK_HEADERS = [
    ("表", "Table", 16),
    ("记录", "Record", 22),
    ("字段", "Field", 18),
    ("说明", "Message", 60),
    ("Message (English)", "Message (English)", 70),
]
HEADER_FONT = Font(bold=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
MISSING_FILL = PatternFill("solid", fgColor="F8CBAD")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe(value):
    # A cell starting with = + - @ is a formula to a spreadsheet (CSV/XLSX injection): quote it.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _write_table(sheet, data: TableData) -> None:
    columns = data.table.columns
    sheet.append([c.zh for c in columns])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        required = "必填 / required" if column.required is True else "视情况必填 / required in some cases"
        if column.required is False:
            required = "选填 / optional"
        else:
            cell.fill = REQUIRED_FILL
        cell.comment = Comment(f"{column.en}\n{required}", "certflow", width=220, height=60)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for row in data.rows:
        sheet.append([safe(row.values[c.key]) for c in columns])
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(row=sheet.max_row, column=index)
            if column.kind == "date":
                cell.number_format = "yyyy-mm-dd"
            if column.key in row.missing:
                cell.fill = MISSING_FILL
    sheet.freeze_panes = "A2"


def _write_check(sheet, report: MonthlyReport) -> None:
    sheet.append([zh for zh, _en, _w in CHECK_HEADERS])
    for index, (_zh, en, width) in enumerate(CHECK_HEADERS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = HEADER_FONT
        cell.comment = Comment(en, "certflow")
        sheet.column_dimensions[get_column_letter(index)].width = width
    if not report.findings:
        sheet.append(["", "", "", "未发现缺少的必填项", "no required field is missing"])
    for finding in report.findings:
        sheet.append([finding.table_zh, finding.reference, finding.field_zh, finding.zh, finding.en])
    sheet.freeze_panes = "A2"


def workbook_bytes(report: MonthlyReport) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for data in report.tables:
        _write_table(book.create_sheet(data.table.zh), data)
    _write_check(book.create_sheet(CHECK_SHEET), report)
    book.properties.title = f"认证机构数据报送 {report.month.label}"
    book.properties.creator = "certflow"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(safe(value))


def csv_bytes(data: TableData) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 Chinese correctly only with the BOM
    writer = csv.writer(out)
    writer.writerow([c.zh for c in data.table.columns])
    for row in data.rows:
        writer.writerow([_csv_cell(row.values[c.key]) for c in data.table.columns])
    return out.getvalue().encode("utf-8")


def filename(report: MonthlyReport, ext: str = "xlsx") -> str:
    return f"certflow-monthly-{report.month.label}.{ext}"
