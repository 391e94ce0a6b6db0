"""The monthly report to the regulator: which month, by when, and which required cells are empty.

Pure: no ORM, no request. The platform's rules (认证机构管理体系认证、服务认证信息报告规范, revised
2021-09-24): the month's data by the 10th of the next month, not moved for public holidays; cells
trimmed; letters in numbers upper-case without spaces (decisions MR1–MR3).
"""

import calendar
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from certflow.core.rules import RuleViolation

MONTH_INPUT = re.compile(r"(\d{4})-(\d{1,2})")
# The platform's rule: the 10th of the next month, "遇法定节假日不再顺延" (decisions MR2).
DEADLINE_DAY = 10
EARLIEST_YEAR = 2000


@dataclass(frozen=True)
class ReportMonth:
    year: int
    month: int

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def next_month(self) -> "ReportMonth":
        return ReportMonth(self.year + 1, 1) if self.month == 12 else ReportMonth(self.year, self.month + 1)

    @property
    def previous_month(self) -> "ReportMonth":
        return ReportMonth(self.year - 1, 12) if self.month == 1 else ReportMonth(self.year, self.month - 1)

    @property
    def deadline(self) -> date:
        following = self.next_month
        return date(following.year, following.month, DEADLINE_DAY)

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def is_over(self, today: date) -> bool:
        return today > self.last_day

    def __str__(self) -> str:
        return self.label


def month_of(day: date) -> ReportMonth:
    return ReportMonth(day.year, day.month)


def default_month(today: date) -> ReportMonth:
    """The month a CB reports on today: the one before."""
    return month_of(today).previous_month


def parse_month(text: str, *, today: date) -> ReportMonth:
    """ "2026-10" → the month. Refuses other shapes, month 13, and months that have not begun."""
    text = (text or "").strip()
    match = MONTH_INPUT.fullmatch(text)
    if not match:
        raise RuleViolation(
            f"月份“{text[:20]}”格式不对，请写成“年-月”，例如 2026-10",
            f"month {text[:20]!r} is not in the form YYYY-MM, e.g. 2026-10",
            "month_format",
        )
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise RuleViolation(
            f"月份须在 1 到 12 之间，而不是 {month}", f"the month must be 1–12, not {month}", "month_range"
        )
    if year < EARLIEST_YEAR:
        raise RuleViolation(
            f"不能报送 {EARLIEST_YEAR} 年以前的月份", f"months before {EARLIEST_YEAR} cannot be reported", "month_range"
        )
    result = ReportMonth(year, month)
    if result.first_day > today:
        raise RuleViolation(
            f"{result.label} 尚未开始，不能生成报送数据",
            f"{result.label} has not begun; there is nothing to report yet",
            "month_future",
        )
    return result


def clean_text(value: str) -> str:
    """The platform wants cells without leading/trailing or invisible whitespace."""
    return re.sub(r"[\u200b\u200c\u200d\ufeff]", "", value).strip()


def clean_code(value: str) -> str:
    """Numbers and codes: upper-case, no spaces at all (报告规范 五)."""
    return re.sub(r"\s+", "", clean_text(value)).upper()


def is_empty(value: Any) -> bool:
    """A missing cell. Zero is a value (no nonconformities), not an empty cell."""
    if value is None:
        return True
    if isinstance(value, str):
        return not clean_text(value)
    if isinstance(value, list | tuple):
        return not value
    return False


@dataclass(frozen=True)
class Column:
    """One column of a platform table: its header, whether the platform needs it, how to get it.

    `required` is a bool or a function of the source record (a column needed only in some cases,
    e.g. the reason of a suspension). `kind` is "text", "code", "date" or "number".
    """

    key: str
    zh: str
    en: str
    get: Callable[[Any], Any]
    required: bool | Callable[[Any], bool] = True
    kind: str = "text"
    width: int = 18

    def is_required_for(self, source) -> bool:
        return self.required(source) if callable(self.required) else bool(self.required)


@dataclass(frozen=True)
class Table:
    code: str
    zh: str
    en: str
    columns: Sequence[Column]
    # The record a row comes from, for findings and links: (kind, id, reference shown).
    reference: Callable[[Any], tuple[str, int, str]]

    @property
    def headers_zh(self) -> list[str]:
        return [c.zh for c in self.columns]

    @property
    def headers_en(self) -> list[str]:
        return [c.en for c in self.columns]


@dataclass(frozen=True)
class Row:
    values: dict[str, Any]
    record_kind: str
    record_id: int
    reference: str
    missing: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Finding:
    table: str
    table_zh: str
    table_en: str
    record_kind: str
    record_id: int
    reference: str
    field: str
    field_zh: str
    field_en: str

    @property
    def zh(self) -> str:
        return f"{self.table_zh}：{self.reference} 缺少必填项“{self.field_zh}”"

    @property
    def en(self) -> str:
        return f"{self.table_en}: {self.reference} lacks the required field '{self.field_en}'"


def _value(column: Column, source) -> Any:
    value = column.get(source)
    if isinstance(value, str):
        return clean_code(value) if column.kind == "code" else clean_text(value)
    return value


def build_row(table: Table, source) -> Row:
    values = {c.key: _value(c, source) for c in table.columns}
    missing = tuple(c.key for c in table.columns if c.is_required_for(source) and is_empty(values[c.key]))
    kind, record_id, reference = table.reference(source)
    return Row(values, kind, record_id, reference, missing)


def build_rows(table: Table, sources: Iterable) -> list[Row]:
    return [build_row(table, source) for source in sources]


def check(table: Table, rows: Iterable[Row]) -> list[Finding]:
    """Every required cell left empty, one finding each, in row and column order."""
    by_key = {c.key: c for c in table.columns}
    return [
        Finding(
            table=table.code,
            table_zh=table.zh,
            table_en=table.en,
            record_kind=row.record_kind,
            record_id=row.record_id,
            reference=row.reference,
            field=key,
            field_zh=by_key[key].zh,
            field_en=by_key[key].en,
        )
        for row in rows
        for key in row.missing
    ]
