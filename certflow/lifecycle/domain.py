"""Pure rules of the certificate lifecycle: the transition lapse, the suspension maximum, the tick's day,
complaints and appeals (statuses, transitions, handling deadlines).

No ORM, no request. Clauses: 前言 (transition), 6 持续监督 2 (suspension, revocation); ISO/IEC 17065:2012
7.13 and ISO/IEC 17021-1:2015 9.7–9.8 (complaints and appeals).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from certflow.core.months import add_months  # noqa: F401 — re-exported: callers import it from here
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


# --- major changes reported by the certified enterprise (6 持续监督 2; ISO/IEC 17065:2012 7.10,
# ISO/IEC 17021-1:2015 8.5.3, 9.6.4.2) --------------------------------------------------------------------


class ChangeKind(models.TextChoices):
    EQUIPMENT = "equipment", _("生产设备")
    PRODUCT_RANGE = "product_range", _("产品范围")
    PROCESS = "process", _("工艺或服务流程")
    SCOPE = "scope", _("认证范围")
    OWNERSHIP = "ownership", _("所有权或组织结构")
    NAME_ADDRESS = "name_address", _("名称或地址")
    KEY_PERSONNEL = "key_personnel", _("关键人员")
    OTHER = "other", _("其他")


class ChangeStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待评估")
    ASSESSED = "assessed", _("已评估")


class ChangeAssessment(models.TextChoices):
    NO_ACTION = "no_action", _("无需采取措施")
    REVIEW_AT_NEXT_SURVEILLANCE = "review_at_next_surveillance", _("下次监督审核时核查")
    SPECIAL_AUDIT_NEEDED = "special_audit_needed", _("需要特殊审核")
    SCOPE_CHANGE = "scope_change", _("需变更认证范围")


ASSESSMENT_EN = {
    "no_action": "no action",
    "review_at_next_surveillance": "review at the next surveillance audit",
    "special_audit_needed": "special audit needed",
    "scope_change": "scope change",
}

# Who may hold a certificate's change or event report open: it must still certify something.
REPORTABLE_STATUSES = frozenset({"valid", "suspended"})


def check_change_report(*, kind: str, description: str, effective_on: date | None, certificate_status: str) -> None:
    if kind not in ChangeKind.values:
        raise RuleViolation("请选择变更类别", "choose the kind of change", "kind")
    if not (description or "").strip():
        raise RuleViolation("请说明变更内容", "describe the change", "description_required")
    if effective_on is None:
        raise RuleViolation("请填写变更生效日期", "give the date the change takes effect", "effective_on_required")
    if certificate_status not in REPORTABLE_STATUSES:
        raise RuleViolation(
            "只能对有效或暂停中的证书报告变更",
            "changes are reported for a valid or suspended certificate only",
            "certificate_not_active",
        )


def check_change_assessment(status: str, assessment: str, note: str) -> str:
    """The assessment of a change report is made once; anything but "no action" says what and why."""
    if status != ChangeStatus.SUBMITTED:
        raise RuleViolation("该变更已评估", "this change report is already assessed", "wrong_state")
    if assessment not in ChangeAssessment.values:
        raise RuleViolation("请选择评估结论", "choose an assessment", "assessment_required")
    if assessment != ChangeAssessment.NO_ACTION and not (note or "").strip():
        raise RuleViolation(
            f"评估结论为“{ChangeAssessment(assessment).label}”时须写明理由",
            f"'{ASSESSMENT_EN[assessment]}' needs a note saying why",
            "note_required",
        )
    return ChangeStatus.ASSESSED


# --- major events (6 持续监督 2: suspension; ISO/IEC 17021-1:2015 9.6.5, ISO/IEC 17065:2012 7.11) ---------


class EventKind(models.TextChoices):
    SAFETY_ACCIDENT = "safety_accident", _("重大安全事故")
    QUALITY_FAILURE = "quality_failure", _("产品质量不合格")
    COMPLAINT_UPHELD = "complaint_upheld", _("严重投诉经查属实")
    REGULATOR_SANCTION = "regulator_sanction", _("受到监管部门处罚")


EVENT_EN = {
    "safety_accident": "serious safety accident",
    "quality_failure": "product quality failure",
    "complaint_upheld": "serious complaint upheld",
    "regulator_sanction": "regulator sanction",
}


class EventStatus(models.TextChoices):
    OPEN = "open", _("处理中")
    RESOLVED = "resolved", _("已解决")


def check_major_event(*, kind: str, description: str, occurred_on: date | None, today: date, status: str) -> None:
    if kind not in EventKind.values:
        raise RuleViolation("请选择事件类别", "choose the kind of event", "kind")
    if not (description or "").strip():
        raise RuleViolation("请说明事件经过", "describe the event", "description_required")
    if occurred_on is None or occurred_on > today:
        raise RuleViolation(
            "请填写事件发生日期（不能晚于今天）", "give the day it happened (not in the future)", "date"
        )
    if status not in REPORTABLE_STATUSES:
        raise RuleViolation(
            "只能对有效或暂停中的证书报告重大事件",
            "major events are reported for a valid or suspended certificate only",
            "certificate_not_active",
        )


def check_event_resolution(status: str, resolution: str) -> str:
    if status != EventStatus.OPEN:
        raise RuleViolation("该事件已处理完毕", "this event is already resolved", "wrong_state")
    if not (resolution or "").strip():
        raise RuleViolation(
            "请写明整改措施及其验证情况", "describe the resolution and how it was verified", "resolution_required"
        )
    return EventStatus.RESOLVED


def suspension_reason(kind: str, reference: str, description: str) -> str:
    """What the certificate's status history and the enterprise's notice say (ISO/IEC 17021-1 9.6.5.2)."""
    summary = " ".join(description.split())[:200]
    return f"重大事件 {reference}（{EventKind(kind).label}）：{summary} / major event {reference} ({EVENT_EN[kind]})"


# --- re-certification (5 认证模式; ISO/IEC 17021-1:2015 9.6.3: completed before expiry) -----------------


@dataclass(frozen=True)
class RecertificationWindow:
    opens_on: date
    expires_on: date


def recertification_window(expires_on: date, months_before: int) -> RecertificationWindow:
    """Re-certification may be applied for from `months_before` months before the last valid day
    (scheme deadline recertification_opens; the corresponding day, or the month's last, Civil Code 202)."""
    return RecertificationWindow(add_months(expires_on, -months_before), expires_on)


def check_recertification_application(
    *, expires_on: date | None, status: str | None, today: date, months_before: int
) -> RecertificationWindow:
    """A re-certification application needs a current-scheme certificate, valid or suspended, and the window open.

    `expires_on`/`status`: the enterprise's latest such certificate, or None when it has none."""
    if expires_on is None or status not in REPORTABLE_STATUSES:
        raise RuleViolation(
            "再认证申请须持有本规范下有效或暂停中的认证证书；没有证书的请申请初次认证，旧版证书请申请旧版证书转换",
            "re-certification needs a valid or suspended certificate under the current scheme; without one apply "
            "for initial certification (legacy certificates: legacy transition)",
            "no_certificate",
        )
    window = recertification_window(expires_on, months_before)
    if today > expires_on:
        raise RuleViolation(
            f"证书已于 {expires_on:%Y-%m-%d} 到期，不能再认证，请申请初次认证",
            f"the certificate expired on {expires_on:%Y-%m-%d}; apply for initial certification instead",
            "expired",
        )
    if today < window.opens_on:
        raise RuleViolation(
            f"再认证申请自 {window.opens_on:%Y-%m-%d} 起方可提交（证书有效期至 {expires_on:%Y-%m-%d}，"
            f"到期前 {months_before} 个月开放）",
            f"re-certification can be applied for from {window.opens_on:%Y-%m-%d} ({months_before} months "
            f"before the certificate expires on {expires_on:%Y-%m-%d})",
            "recertification_not_open",
        )
    return window


# The reminders, in order: the window opens, then 90 and 30 days before expiry.
REMINDER_STAGES: tuple[tuple[str, int | None], ...] = (("opened", None), ("d90", 90), ("d30", 30))


def recertification_reminder_due(expires_on: date, *, today: date, months_before: int) -> list[str]:
    """The reminder stages due on `today`, earliest first (empty before the window or after expiry).

    The tick sends only the last of them (a late first run does not send three messages at once) and
    records the earlier ones as passed."""
    if today > expires_on or today < recertification_window(expires_on, months_before).opens_on:
        return []
    due = []
    for stage, days in REMINDER_STAGES:
        if days is None or today >= expires_on - timedelta(days=days):
            due.append(stage)
    return due
