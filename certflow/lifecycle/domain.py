"""Pure rules of the certificate lifecycle: the transition lapse, the suspension maximum, the tick's day,
complaints and appeals (statuses, transitions, handling deadlines).

No ORM, no request. Clauses: 前言 (transition), 6 持续监督 2 (suspension, revocation); ISO/IEC 17065:2012
7.13 and ISO/IEC 17021-1:2015 9.7–9.8 (complaints and appeals).
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from certflow.core.rules import RuleViolation

# --- the transition (前言, decisions S8 and L2) --------------------------------------------------------


@dataclass(frozen=True)
class LegacyFacts:
    status: str
    expires_on: date
    # The enterprise holds a current-scheme certificate issued by the transition deadline; the one rule
    # for that is `certflow.certificates.selectors.recertified_enterprise_ids` (decisions L2, C9).
    recertified_in_time: bool


def lapse_due(facts: LegacyFacts, *, day: date, lapses_on: date) -> bool:
    """Whether a legacy certificate lapses on `day`: still valid or suspended, past the transition deadline,
    not expired before the lapse day, and its enterprise not re-certified under the current scheme in time."""
    if facts.status not in ("valid", "suspended") or day < lapses_on or facts.expires_on < lapses_on:
        return False
    return not facts.recertified_in_time


# --- suspension maximum (decisions S6: 6 months, then revocation) --------------------------------------


def add_months(start: date, months: int) -> date:
    """The corresponding day `months` later, or the month's last day (Civil Code art. 202)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def suspension_last_day(suspended_on: date, amount: int, unit: str) -> date:
    """The last day a certificate suspended on `suspended_on` may stay suspended (the start day is not counted)."""
    if unit == "months":
        return add_months(suspended_on, amount)
    if unit == "days":
        return suspended_on + timedelta(days=amount)
    raise ValueError(f"suspension_max must be given in months or days, not {unit}")


def suspension_overrun(suspended_on: date, *, day: date, amount: int, unit: str) -> bool:
    return day > suspension_last_day(suspended_on, amount, unit)


# --- the tick's day (decisions L5) -----------------------------------------------------------------------


def check_tick_day(day: date, latest_done: date | None) -> None:
    """A day earlier than the latest day already run is refused: its work (a lapse, a revocation) is
    already written with a later date and cannot be un-done by running an earlier day."""
    if latest_done is not None and day < latest_done:
        raise RuleViolation(
            f"已运行过 {latest_done:%Y-%m-%d} 的例行任务，不能再运行更早的日期 {day:%Y-%m-%d}",
            f"the daily sweep already ran for {latest_done:%Y-%m-%d}; an earlier day ({day:%Y-%m-%d}) cannot run",
            "tick_past_day",
        )


# --- complaints and appeals (ISO/IEC 17065:2012 7.13; ISO/IEC 17021-1:2015 9.7, 9.8) --------------------


class CaseKind(models.TextChoices):
    COMPLAINT = "complaint", _("投诉")
    APPEAL = "appeal", _("申诉")


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("已收到")
    ACKNOWLEDGED = "acknowledged", _("已确认受理")
    IN_PROGRESS = "in_progress", _("处理中")
    CLOSED = "closed", _("已结案")


class CaseAction(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("确认受理")
    ASSIGN = "assign", _("指派处理人")
    DECIDE = "decide", _("作出决定并结案")


class CaseOutcome(models.TextChoices):
    UPHELD = "upheld", _("成立")
    PARTLY_UPHELD = "partly_upheld", _("部分成立")
    REJECTED = "rejected", _("不成立")
    WITHDRAWN = "withdrawn", _("撤回")


STATUS_EN = {"received": "received", "acknowledged": "acknowledged", "in_progress": "in progress", "closed": "closed"}
ACTION_EN = {"acknowledge": "acknowledge", "assign": "assign a handler", "decide": "decide and close"}

C = CaseStatus
CASE_TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    CaseAction.ACKNOWLEDGE: (frozenset({C.RECEIVED}), C.ACKNOWLEDGED),
    # Assigning (or re-assigning) a handler starts the work; the status only moves forward.
    CaseAction.ASSIGN: (frozenset({C.RECEIVED, C.ACKNOWLEDGED, C.IN_PROGRESS}), C.IN_PROGRESS),
    CaseAction.DECIDE: (frozenset({C.IN_PROGRESS}), C.CLOSED),
}

# Who runs the register: the programme manager and the administrator (ISO/IEC 17065 7.13.2: the CB is
# responsible for all decisions at all levels of the handling process).
CASE_ROLES = frozenset({"programme_manager", "administrator"})


def check_case_transition(
    status: str, action: str, *, outcome: str = "", reason: str = "", handler_involved: bool = False
) -> str:
    sources, target = CASE_TRANSITIONS[action]
    if status not in sources:
        raise RuleViolation(
            f"案件当前状态为“{CaseStatus(status).label}”，不能“{CaseAction(action).label}”",
            f"the case is {STATUS_EN[status]}; '{ACTION_EN[action]}' is not possible now",
            "wrong_state",
        )
    if action == CaseAction.ASSIGN and handler_involved:
        # ISO/IEC 17065 7.13.7 / 17021-1 9.7.4: those who handle a complaint or appeal were not involved
        # in the activities it concerns.
        raise RuleViolation(
            "处理人参与过被投诉或申诉的活动，不能处理本案",
            "the handler took part in the activities the case is about and cannot handle it",
            "handler_involved",
        )
    if action == CaseAction.DECIDE:
        if outcome not in CaseOutcome.values:
            raise RuleViolation("请选择处理结论", "choose an outcome", "outcome_required")
        if not reason.strip():
            raise RuleViolation("结案须写明处理决定及理由", "a decision needs its reasons", "reason_required")
    return target


@dataclass(frozen=True)
class CaseDeadlines:
    acknowledge_by: date
    decide_by: date


def case_deadlines(received_on: date, *, ack_working_days: int, decide_days: int, add_working_days) -> CaseDeadlines:
    """Acknowledge within N working days, decide within M calendar days of receipt (decisions L8).

    `add_working_days(start, n)` is passed in so the rule stays pure; the receipt day is not counted.
    """
    return CaseDeadlines(add_working_days(received_on, ack_working_days), received_on + timedelta(days=decide_days))


def is_late(due: date | None, done_on: date | None, today: date) -> bool:
    if due is None:
        return False
    return (done_on or today) > due
