"""The lifecycle's pure rules, without a database."""

from datetime import date

import pytest

from certflow.core.rules import RuleViolation
from certflow.lifecycle import domain, legacy_rows
from certflow.lifecycle.domain import CaseAction as A
from certflow.lifecycle.domain import CaseStatus as S

LAPSES_ON = date(2026, 10, 16)


def facts(status="valid", expires=date(2027, 4, 7), recertified=False):
    return domain.LegacyFacts(status, expires, recertified)


@pytest.mark.parametrize(
    ("recertified", "day", "due"),
    [
        (False, date(2026, 10, 15), False),  # the deadline day itself is still in time
        (False, date(2026, 10, 16), True),
        (True, date(2026, 10, 16), False),  # re-certified in time (the dates: certificates' test_services)
        (True, date(2026, 11, 24), False),
    ],
)
def test_lapse_due_boundaries(recertified, day, due):
    assert domain.lapse_due(facts(recertified=recertified), day=day, lapses_on=LAPSES_ON) is due


def test_lapse_not_due_for_expired_before_or_already_ended():
    assert not domain.lapse_due(facts(expires=date(2026, 10, 15)), day=LAPSES_ON, lapses_on=LAPSES_ON)
    for status in ("revoked", "expired", "lapsed", "superseded"):
        assert not domain.lapse_due(facts(status=status), day=LAPSES_ON, lapses_on=LAPSES_ON)
    assert domain.lapse_due(facts(status="suspended"), day=LAPSES_ON, lapses_on=LAPSES_ON)


@pytest.mark.parametrize(
    ("start", "months", "last"),
    [
        (date(2026, 5, 20), 6, date(2026, 11, 20)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_suspension_last_day_is_the_corresponding_day(start, months, last):
    assert domain.suspension_last_day(start, months, "months") == last
    assert not domain.suspension_overrun(start, day=last, amount=months, unit="months")
    assert domain.suspension_overrun(start, day=date.fromordinal(last.toordinal() + 1), amount=months, unit="months")


def test_suspension_in_unknown_unit_is_a_configuration_error():
    with pytest.raises(ValueError):
        domain.suspension_last_day(date(2026, 1, 1), 6, "weeks")


def test_tick_day_earlier_than_the_latest_run_is_refused():
    domain.check_tick_day(date(2026, 11, 24), None)
    domain.check_tick_day(date(2026, 11, 24), date(2026, 11, 24))
    with pytest.raises(RuleViolation) as exc:
        domain.check_tick_day(date(2026, 11, 23), date(2026, 11, 24))
    assert exc.value.code == "tick_past_day"


def test_case_transitions_and_refusals():
    assert domain.check_case_transition(S.RECEIVED, A.ACKNOWLEDGE) == S.ACKNOWLEDGED
    assert domain.check_case_transition(S.ACKNOWLEDGED, A.ASSIGN) == S.IN_PROGRESS
    assert domain.check_case_transition(S.RECEIVED, A.ASSIGN) == S.IN_PROGRESS
    assert domain.check_case_transition(S.IN_PROGRESS, A.DECIDE, outcome="upheld", reason="理由") == S.CLOSED
    refusals = [
        ((S.ACKNOWLEDGED, A.ACKNOWLEDGE), {}, "wrong_state"),
        ((S.CLOSED, A.ASSIGN), {}, "wrong_state"),
        ((S.RECEIVED, A.DECIDE), {"outcome": "upheld", "reason": "x"}, "wrong_state"),
        ((S.IN_PROGRESS, A.DECIDE), {"outcome": "maybe", "reason": "x"}, "outcome_required"),
        ((S.IN_PROGRESS, A.DECIDE), {"outcome": "upheld", "reason": "  "}, "reason_required"),
        ((S.ACKNOWLEDGED, A.ASSIGN), {"handler_involved": True}, "handler_involved"),
    ]
    for args, kwargs, code in refusals:
        with pytest.raises(RuleViolation) as exc:
            domain.check_case_transition(*args, **kwargs)
        assert exc.value.code == code


def test_case_deadlines_use_the_given_working_day_counter():
    deadlines = domain.case_deadlines(
        date(2026, 9, 28), ack_working_days=5, decide_days=60, add_working_days=lambda d, n: date(2026, 10, 12)
    )
    assert deadlines == domain.CaseDeadlines(date(2026, 10, 12), date(2026, 11, 27))
    assert domain.is_late(date(2026, 10, 12), None, date(2026, 10, 13))
    assert not domain.is_late(date(2026, 10, 12), date(2026, 10, 12), date(2026, 12, 1))


def test_header_mapping_finds_columns_in_any_order_and_reports_missing():
    columns, errors = legacy_rows.map_header(
        ["USCC", "证书编号", "企业名称", "颁证日期", "有效期至", "grade", "认证范围"]
    )
    assert errors == [] and columns["uscc"] == 0 and columns["number"] == 1
    _columns, errors = legacy_rows.map_header(["证书编号", "企业名称"])
    assert ("缺少列“统一社会信用代码”", "missing column 'USCC'") in errors


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-04-08", date(2024, 4, 8)),
        ("2024/4/8", date(2024, 4, 8)),
        ("2024年4月8日", date(2024, 4, 8)),
        ("20240408", date(2024, 4, 8)),
        ("", None),
    ],
)
def test_dates_in_the_usual_spellings(text, expected):
    assert legacy_rows.parse_date(text) == expected


@pytest.mark.parametrize("text", ["2024-02-30", "08/04/2024", "明天"])
def test_impossible_or_ambiguous_dates_are_refused(text):
    with pytest.raises(ValueError):
        legacy_rows.parse_date(text)
