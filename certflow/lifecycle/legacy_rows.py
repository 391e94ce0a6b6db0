"""Reading one row of a legacy-certificate file (前言), without the database: columns, dates, USCC.

Columns are found by header, Chinese or English, in any order. Dates are written as 2024-04-08,
2024/4/8, 2024年4月8日 or 20240408, or are real spreadsheet dates.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from certflow.accounts.uscc import USCCError, validate_uscc

COLUMNS = {
    "number": ("证书编号", "number", "certificate number"),
    "enterprise_name": ("企业名称", "enterprise", "enterprise name"),
    "uscc": ("统一社会信用代码", "uscc"),
    "issued_on": ("颁证日期", "issued", "issued on", "issue date"),
    "expires_on": ("有效期至", "expires", "expires on", "valid until"),
    "applied_on": ("申请日期", "application date", "applied on"),
    "grade": ("资质等级", "grade"),
    "scope": ("认证范围", "scope"),
    "scheme": ("认证依据", "scheme"),
}
REQUIRED = ("number", "enterprise_name", "uscc", "issued_on", "expires_on", "grade", "scope")
LABELS = {
    "number": ("证书编号", "number"),
    "enterprise_name": ("企业名称", "enterprise name"),
    "uscc": ("统一社会信用代码", "USCC"),
    "issued_on": ("颁证日期", "issue date"),
    "expires_on": ("有效期至", "expiry date"),
    "applied_on": ("申请日期", "application date"),
    "grade": ("资质等级", "grade"),
    "scope": ("认证范围", "scope"),
    "scheme": ("认证依据", "scheme"),
}
NUMBER = re.compile(r"[A-Za-z0-9._-]{1,48}")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")

Error = tuple[str, str]


def _norm(header) -> str:
    return re.sub(r"\s+", " ", str(header or "").replace("\ufeff", "")).strip().lower()


def map_header(header: list) -> tuple[dict[str, int], list[Error]]:
    """Column index of each known field, and errors for missing required columns or repeated ones."""
    wanted = {alias.lower(): key for key, aliases in COLUMNS.items() for alias in aliases}
    found: dict[str, int] = {}
    errors: list[Error] = []
    for index, cell in enumerate(header):
        key = wanted.get(_norm(cell))
        if key is None:
            continue
        if key in found:
            errors.append((f"列“{LABELS[key][0]}”出现两次", f"column '{LABELS[key][1]}' appears twice"))
        found[key] = index
    for key in REQUIRED:
        if key not in found:
            errors.append((f"缺少列“{LABELS[key][0]}”", f"missing column '{LABELS[key][1]}'"))
    return found, errors


def parse_date(value) -> date | None:
    """A date from a cell; None when empty; ValueError when unreadable or impossible."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = _DATE.fullmatch(text) or _COMPACT.fullmatch(text)
    if not match:
        raise ValueError(text)
    return date(int(match[1]), int(match[2]), int(match[3]))


@dataclass
class LegacyRow:
    line: int
    number: str = ""
    enterprise_name: str = ""
    uscc: str = ""
    issued_on: date | None = None
    expires_on: date | None = None
    applied_on: date | None = None
    grade: str = ""
    scope: str = ""
    scheme: str = ""
    errors: list[Error] = field(default_factory=list)


def read_row(line: int, cells: list, columns: dict[str, int], *, today: date) -> LegacyRow:
    def cell(key):
        index = columns.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    def text(key) -> str:
        value = cell(key)
        return "" if value is None else str(value).strip()

    row = LegacyRow(line=line)
    for key in ("number", "enterprise_name", "grade", "scope", "scheme"):
        setattr(row, key, text(key))
    for key in REQUIRED:
        if key in ("uscc", "issued_on", "expires_on"):
            continue
        if not getattr(row, key):
            row.errors.append((f"“{LABELS[key][0]}”为空", f"{LABELS[key][1]} is empty"))
    if row.number and not NUMBER.fullmatch(row.number):
        row.errors.append(
            (
                "证书编号只能包含字母、数字、“.”、“_”和“-”",
                "a certificate number has letters, digits, '.', '_', '-' only",
            )
        )
    try:
        row.uscc = validate_uscc(text("uscc"))
    except USCCError as exc:
        row.uscc = text("uscc")
        row.errors.append((f"统一社会信用代码无效：{exc.zh}", f"invalid USCC: {exc.en}"))
    for key in ("issued_on", "expires_on", "applied_on"):
        try:
            setattr(row, key, parse_date(cell(key)))
        except ValueError:
            row.errors.append(
                (f"“{LABELS[key][0]}”不是有效日期：{text(key)}", f"{LABELS[key][1]} is not a valid date: {text(key)}")
            )
            continue
        if getattr(row, key) is None and key in REQUIRED:
            row.errors.append((f"“{LABELS[key][0]}”为空", f"{LABELS[key][1]} is empty"))
    if row.issued_on and row.expires_on and row.expires_on <= row.issued_on:
        row.errors.append(("有效期至须晚于颁证日期", "the expiry date must be after the issue date"))
    if row.issued_on and row.issued_on > today:
        row.errors.append(("颁证日期不能晚于今天", "the issue date cannot be in the future"))
    if row.applied_on and row.applied_on > today:
        row.errors.append(("申请日期不能晚于今天", "the application date cannot be in the future"))
    return row
