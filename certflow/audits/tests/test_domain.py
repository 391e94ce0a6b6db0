"""Pure planning rules: transitions, the notice period, the schedule, notice readiness. No database."""

from datetime import date, time, timedelta

import pytest

from certflow.audits import domain
from certflow.audits.domain import AuditAction, AuditStatus, AuditType, NoticeFacts
from certflow.core.rules import RuleViolation


def weekdays_only(day: date, n: int) -> date:
    """A plain Monday–Friday count, to show where the PRC calendar gives a different answer."""
    while n:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def test_negotiation_transitions():
    assert domain.check_transition(AuditStatus.PLANNING, AuditAction.PROPOSE_DATES) == AuditStatus.DATES_PROPOSED
    assert domain.check_transition(AuditStatus.DATES_PROPOSED, AuditAction.CONFIRM_DATES) == AuditStatus.SCHEDULED
    assert domain.check_transition(AuditStatus.DATES_PROPOSED, AuditAction.COUNTER_PROPOSE) == AuditStatus.PLANNING
    assert domain.check_transition(AuditStatus.PLANNING, AuditAction.ACCEPT_COUNTER) == AuditStatus.SCHEDULED
    assert domain.check_transition(AuditStatus.SCHEDULED, AuditAction.SEND_NOTICE) == AuditStatus.NOTIFIED


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (AuditStatus.PLANNING, AuditAction.SEND_NOTICE),
        (AuditStatus.DATES_PROPOSED, AuditAction.SEND_NOTICE),
        (AuditStatus.NOTIFIED, AuditAction.PROPOSE_DATES),
        (AuditStatus.SCHEDULED, AuditAction.ACCEPT_COUNTER),
        (AuditStatus.CANCELLED, AuditAction.CANCEL),
        (AuditStatus.IN_PROGRESS, AuditAction.CANCEL),
    ],
)
def test_wrong_state_is_refused_with_both_languages(status, action):
    with pytest.raises(RuleViolation) as exc:
        domain.check_transition(status, action)
    assert exc.value.code == "wrong_state" and exc.value.zh and exc.value.en


def test_special_audits_use_the_short_notice_deadline():
    assert domain.notice_deadline_name(AuditType.SPECIAL) == "special_audit_notice"
    for kind in (AuditType.INITIAL, AuditType.SURVEILLANCE, AuditType.RECERTIFICATION):
        assert domain.notice_deadline_name(kind) == "audit_notice"


def test_last_notice_date_uses_the_given_calendar():
    # Monday 2026-03-16 minus 7 weekdays is Thursday 2026-03-05.
    assert domain.last_notice_date(date(2026, 3, 16), 7, weekdays_only) == date(2026, 3, 5)


def test_notice_on_the_last_day_is_in_time_and_a_day_later_is_not():
    first = date(2026, 3, 16)
    domain.guard_notice(
        sent_on=date(2026, 3, 5), first_day=first, working_days=7, subtract=weekdays_only, short_notice=False
    )
    with pytest.raises(RuleViolation) as exc:
        domain.guard_notice(
            sent_on=date(2026, 3, 6), first_day=first, working_days=7, subtract=weekdays_only, short_notice=False
        )
    assert exc.value.code == "notice_too_late"
    assert "2026-03-05" in exc.value.zh and "2026-03-05" in exc.value.en


def test_short_notice_wording():
    with pytest.raises(RuleViolation) as exc:
        domain.guard_notice(
            sent_on=date(2026, 3, 13),
            first_day=date(2026, 3, 16),
            working_days=2,
            subtract=weekdays_only,
            short_notice=True,
        )
    assert exc.value.zh.startswith("特殊审核")


def test_notice_timing():
    last = date(2026, 3, 5)
    assert domain.notice_timing(date(2026, 3, 4), last) == domain.NoticeTiming.IN_TIME
    assert domain.notice_timing(last, last) == domain.NoticeTiming.LAST_DAY
    assert domain.notice_timing(date(2026, 3, 6), last) == domain.NoticeTiming.TOO_LATE


def test_plan_editable_only_before_the_notice():
    for status in (AuditStatus.PLANNING, AuditStatus.DATES_PROPOSED, AuditStatus.SCHEDULED):
        domain.guard_plan_editable(status)
    for status in (AuditStatus.NOTIFIED, AuditStatus.IN_PROGRESS, AuditStatus.CANCELLED):
        with pytest.raises(RuleViolation):
            domain.guard_plan_editable(status)


def test_one_open_audit():
    domain.guard_one_open_audit([])
    with pytest.raises(RuleViolation) as exc:
        domain.guard_one_open_audit(["SH2026-00001"])
    assert "SH2026-00001" in exc.value.zh


def test_counter_must_offer_other_days():
    domain.guard_counter([date(2026, 3, 16)], [date(2026, 3, 17)])
    with pytest.raises(RuleViolation):
        domain.guard_counter([date(2026, 3, 16), date(2026, 3, 17)], [date(2026, 3, 17), date(2026, 3, 16)])


DAYS = (date(2026, 3, 16), date(2026, 3, 17))


def _slot(**overrides):
    values = {
        "day": DAYS[0],
        "start": time(9),
        "end": time(10),
        "audit_days": DAYS,
        "auditor_id": 1,
        "team_ids": [1, 2],
        "busy": [],
        "item_ids": [],
        "known_items": ["4.4-1"],
    }
    values.update(overrides)
    domain.guard_slot(**values)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"day": date(2026, 3, 18)}, "not_audit_day"),
        ({"end": time(9)}, "slot_order"),
        ({"auditor_id": 3}, "not_member"),
        ({"item_ids": ["4.1-1"]}, "unknown_item"),
        ({"busy": [(DAYS[0], time(9, 30), time(11), 1)]}, "slot_overlap"),
        ({"busy": [(DAYS[0], time(8), time(9, 30), None)]}, "slot_overlap"),
        ({"auditor_id": None, "busy": [(DAYS[0], time(9, 30), time(11), 2)]}, "slot_overlap"),
    ],
)
def test_bad_schedule_lines_are_refused(overrides, code):
    with pytest.raises(RuleViolation) as exc:
        _slot(**overrides)
    assert exc.value.code == code


def test_good_schedule_lines_pass():
    _slot()
    _slot(busy=[(DAYS[0], time(9, 30), time(11), 2)])  # another auditor at the same time
    _slot(busy=[(DAYS[0], time(10), time(11), 1)])  # touching, not overlapping
    _slot(busy=[(DAYS[1], time(9), time(10), 1)])  # the other day
    _slot(item_ids=["4.4-1"])


def _facts(**overrides):
    values = {
        "status": AuditStatus.SCHEDULED,
        "days": DAYS,
        "member_count": 2,
        "has_lead": True,
        "site_count": 1,
        "slot_days": (DAYS[0],),
    }
    values.update(overrides)
    return NoticeFacts(**values)


def test_a_complete_plan_is_ready():
    assert domain.notice_problems(_facts()) == []
    domain.guard_notice_ready(_facts())


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"status": AuditStatus.DATES_PROPOSED}, "wrong_state"),
        ({"days": (), "slot_days": ()}, "no_days"),
        ({"member_count": 0}, "no_team"),
        ({"has_lead": False}, "no_lead"),
        ({"site_count": 0}, "no_sites"),
        ({"slot_days": (date(2026, 3, 20),)}, "slot_off_days"),
        ({"team_problems": (("王强在 2026-03-17 不能参加审核", "Wang is unavailable on 2026-03-17"),)}, "team_invalid"),
    ],
)
def test_each_missing_piece_is_named(overrides, code):
    problems = domain.notice_problems(_facts(**overrides))
    assert [p[0] for p in problems] == [code]
    with pytest.raises(RuleViolation) as exc:
        domain.guard_notice_ready(_facts(**overrides))
    assert exc.value.code == code


def test_several_problems_are_listed_together():
    with pytest.raises(RuleViolation) as exc:
        domain.guard_notice_ready(_facts(member_count=0, site_count=0))
    assert exc.value.code == "notice_not_ready"
    assert "审核组" in exc.value.zh and "场所" in exc.value.zh


def test_reasons_are_required():
    assert domain.guard_special_reason("  投诉 ") == "投诉"
    with pytest.raises(RuleViolation):
        domain.guard_special_reason(" ")
    with pytest.raises(RuleViolation):
        domain.guard_reason("")
