"""The pure rules: which month, its deadline, and which required cells are empty."""

from datetime import date

import pytest

from certflow.core.rules import RuleViolation
from certflow.reporting.domain import (
    Column,
    ReportMonth,
    Table,
    build_rows,
    check,
    clean_code,
    default_month,
    is_empty,
    parse_month,
)

TODAY = date(2026, 11, 24)


def test_a_month_has_its_first_and_last_day():
    month = parse_month("2026-10", today=TODAY)
    assert (month.first_day, month.last_day) == (date(2026, 10, 1), date(2026, 10, 31))
    assert parse_month("2024-2", today=TODAY).last_day == date(2024, 2, 29)  # leap year
    assert parse_month(" 2026-02 ", today=TODAY).last_day == date(2026, 2, 28)


@pytest.mark.parametrize(
    "text, code",
    [
        ("2026-13", "month_range"),
        ("2026-00", "month_range"),
        ("10-2026", "month_format"),
        ("2026/10", "month_format"),
        ("202610", "month_format"),
        ("", "month_format"),
        ("abc", "month_format"),
        ("2026-12", "month_future"),
        ("2027-01", "month_future"),
        ("1999-12", "month_range"),
    ],
)
def test_bad_months_are_refused_in_both_languages(text, code):
    with pytest.raises(RuleViolation) as caught:
        parse_month(text, today=TODAY)
    assert caught.value.code == code
    assert caught.value.zh and caught.value.en
    assert caught.value.zh != caught.value.en


def test_the_current_month_may_be_read_but_is_not_complete():
    month = parse_month("2026-11", today=TODAY)
    assert not month.is_over(TODAY)
    assert parse_month("2026-10", today=TODAY).is_over(TODAY)


def test_the_deadline_is_the_tenth_of_the_next_month_even_on_a_holiday():
    assert ReportMonth(2026, 10).deadline == date(2026, 11, 10)
    assert ReportMonth(2026, 12).deadline == date(2027, 1, 10)
    # 2026-10-10 is a Saturday right after the National Day week: the platform does not move it.
    assert ReportMonth(2026, 9).deadline == date(2026, 10, 10)


def test_the_default_month_is_the_one_before():
    assert default_month(TODAY) == ReportMonth(2026, 10)
    assert default_month(date(2027, 1, 5)) == ReportMonth(2026, 12)


def test_empty_means_nothing_written_but_zero_is_a_value():
    assert is_empty(None) and is_empty("") and is_empty("  \u200b ") and is_empty([])
    assert not is_empty(0) and not is_empty("x") and not is_empty(date(2026, 1, 1))


def test_codes_are_upper_case_without_spaces():
    assert clean_code(" ols-gz0056 2026-00001 ") == "OLS-GZ00562026-00001"


TABLE = Table(
    code="t",
    zh="测试表",
    en="Test table",
    reference=lambda s: ("thing", s["id"], s["ref"]),
    columns=[
        Column("name", "名称", "Name", lambda s: s["name"]),
        Column("note", "备注", "Note", lambda s: s.get("note"), required=False),
        Column("reason", "原因", "Reason", lambda s: s.get("reason"), required=lambda s: s.get("suspended", False)),
        Column("count", "数量", "Count", lambda s: s.get("count"), kind="number"),
    ],
)


def test_the_check_lists_each_empty_required_cell_of_each_row():
    rows = build_rows(
        TABLE,
        [
            {"id": 1, "ref": "A-1", "name": "甲", "count": 0},
            {"id": 2, "ref": "A-2", "name": "  ", "count": None},
            {"id": 3, "ref": "A-3", "name": "丙", "count": 1, "suspended": True},
            {"id": 4, "ref": "A-4", "name": "丁", "count": 1, "suspended": True, "reason": "未按期监督"},
        ],
    )
    findings = check(TABLE, rows)
    assert [(f.reference, f.field) for f in findings] == [("A-2", "name"), ("A-2", "count"), ("A-3", "reason")]
    first = findings[0]
    assert first.zh == "测试表：A-2 缺少必填项“名称”"
    assert first.en == "Test table: A-2 lacks the required field 'Name'"
    assert (first.record_kind, first.record_id) == ("thing", 2)
