"""On-site audits (现场审核): types, states, the transition table, and the notice-period rule.

Pure: no ORM, no request. Services gather plain facts and get back either the next state or a
`RuleViolation` in Chinese and English.

Clauses: 5 认证模式 2 (on-site audit), 6 现场审核 1 (written notice at least 7 working days before),
6 现场审核 2–3 (audit against the requirements; nonconformities confirmed and corrected),
5 认证模式 4 and 6 持续监督 (surveillance audits use the same machinery).
"""

from collections.abc import Callable, Sequence
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from certflow.core.rules import RuleViolation


class AuditType(models.TextChoices):
    INITIAL = "initial", _("初次认证审核")
    SURVEILLANCE = "surveillance", _("监督审核")
    RECERTIFICATION = "recertification", _("再认证审核")
    # Complaints, major changes, follow-up of a suspension: short notice (scheme deadline
    # `special_audit_notice`), not the 7-working-day rule.
    SPECIAL = "special", _("特殊审核")


class AuditStatus(models.TextChoices):
    PLANNING = "planning", _("策划中")
    DATES_PROPOSED = "dates_proposed", _("日期待企业确认")
    SCHEDULED = "scheduled", _("日期已确认")
    NOTIFIED = "notified", _("已发审核通知")
    IN_PROGRESS = "in_progress", _("现场审核中")
    CORRECTIONS = "corrections", _("整改验证中")
    PASSED = "passed", _("已通过")
    CANCELLED = "cancelled", _("已取消")


class AuditAction(models.TextChoices):
    PROPOSE_DATES = "propose_dates", _("提出审核日期")
    CONFIRM_DATES = "confirm_dates", _("确认审核日期")
    COUNTER_PROPOSE = "counter_propose", _("提出其他日期")
    SEND_NOTICE = "send_notice", _("发出审核通知")
    START = "start", _("开始现场审核")
    CLOSE = "close", _("召开末次会议")
    PASS = "pass", _("现场审核通过")
    CANCEL = "cancel", _("取消审核")


A = AuditStatus
# action → (states it may start from, the state it leads to). CLOSE may lead straight to PASSED
# when nothing is left to correct (see ALTERNATIVE_TARGETS).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    AuditAction.PROPOSE_DATES: (frozenset({A.PLANNING, A.DATES_PROPOSED, A.SCHEDULED}), A.DATES_PROPOSED),
    AuditAction.CONFIRM_DATES: (frozenset({A.DATES_PROPOSED}), A.SCHEDULED),
    AuditAction.COUNTER_PROPOSE: (frozenset({A.DATES_PROPOSED}), A.PLANNING),
    AuditAction.SEND_NOTICE: (frozenset({A.SCHEDULED}), A.NOTIFIED),
    AuditAction.START: (frozenset({A.NOTIFIED}), A.IN_PROGRESS),
    AuditAction.CLOSE: (frozenset({A.IN_PROGRESS}), A.CORRECTIONS),
    AuditAction.PASS: (frozenset({A.CORRECTIONS}), A.PASSED),
    AuditAction.CANCEL: (frozenset({A.PLANNING, A.DATES_PROPOSED, A.SCHEDULED, A.NOTIFIED}), A.CANCELLED),
}
ALTERNATIVE_TARGETS: dict[str, frozenset[str]] = {AuditAction.CLOSE: frozenset({A.PASSED})}
# States in which the plan (dates, team, sites, schedule) may still change.
PLAN_EDITABLE = frozenset({A.PLANNING, A.DATES_PROPOSED, A.SCHEDULED})
# States in which auditors record findings on the checklist.
CHECKLIST_OPEN = frozenset({A.IN_PROGRESS})


def check_transition(status: str, action: str, target: str | None = None) -> str:
    """The state `action` leads to from `status` (or the permitted alternative `target`)."""
    if action not in TRANSITIONS:
        raise RuleViolation(f"未知操作：{action}", f"unknown action: {action}", "unknown_action")
    sources, default = TRANSITIONS[action]
    if status not in sources:
        raise RuleViolation(
            f"审核当前状态为“{AuditStatus(status).label}”，不能执行“{AuditAction(action).label}”",
            f"the audit is {status.replace('_', ' ')}; '{action.replace('_', ' ')}' is not possible now",
            "wrong_state",
        )
    if target is None or target == default:
        return default
    if target not in ALTERNATIVE_TARGETS.get(action, frozenset()):
        raise RuleViolation(
            f"“{AuditAction(action).label}”不能导致状态“{AuditStatus(target).label}”",
            f"'{action}' cannot lead to '{target}'",
            "wrong_target",
        )
    return target


def notice_deadline_name(audit_type: str) -> str:
    """Which scheme deadline sets the minimum notice: the special one for short-notice audits."""
    return "special_audit_notice" if audit_type == AuditType.SPECIAL else "audit_notice"


def last_notice_date(first_day: date, working_days: int, subtract: Callable[[date, int], date]) -> date:
    """The last day a notice may be sent so that the first audit day is ≥ `working_days` working days after it.

    Clause 6 现场审核 1 (提前 7 个工作日): notice day N is in time when the 7th working day after N
    is on or before the first audit day, i.e. N ≤ first_day − 7 working days. `subtract` is
    `certflow.core.workdays.services.subtract_working_days` (PRC calendar, make-up weekends count).
    """
    return subtract(first_day, working_days)


def guard_notice(
    *, sent_on: date, first_day: date, working_days: int, subtract: Callable[[date, int], date], short_notice: bool
) -> None:
    """Refuse a notice sent later than the scheme's minimum notice period allows."""
    latest = last_notice_date(first_day, working_days, subtract)
    if sent_on > latest:
        kind_zh = "特殊审核" if short_notice else "现场审核"
        raise RuleViolation(
            f"{kind_zh}通知须至少提前 {working_days} 个工作日发出：首个审核日为 {first_day:%Y-%m-%d}，"
            f"最迟须于 {latest:%Y-%m-%d} 发出通知，今天（{sent_on:%Y-%m-%d}）已晚（第6章 现场审核 1）",
            f"the notice must go out at least {working_days} working days before the first audit day "
            f"{first_day:%Y-%m-%d}: the last allowed day was {latest:%Y-%m-%d}, today is {sent_on:%Y-%m-%d} "
            "(clause 6 on-site audit 1)",
            "notice_too_late",
        )


def guard_days(days: Sequence[date], *, today: date) -> tuple[date, ...]:
    """Proposed audit days: at least one, none in the past, no duplicates; returned sorted."""
    if not days:
        raise RuleViolation("请至少提出一个审核日", "propose at least one audit day", "no_days")
    if len(set(days)) != len(days):
        raise RuleViolation("审核日期重复", "an audit day is listed twice", "duplicate_days")
    past = sorted(day for day in days if day < today)
    if past:
        raise RuleViolation(
            "审核日期不能早于今天：" + "、".join(f"{day:%Y-%m-%d}" for day in past),
            "audit days cannot be in the past: " + ", ".join(f"{day:%Y-%m-%d}" for day in past),
            "past_days",
        )
    return tuple(sorted(days))
