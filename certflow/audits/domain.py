"""On-site audits (现场审核): types, states, the transition table, and the notice-period rule.

Pure: no ORM, no request. Services gather plain facts and get back either the next state or a
`RuleViolation` in Chinese and English.

Clauses: 5 认证模式 2 (on-site audit), 6 现场审核 1 (written notice at least 7 working days before),
6 现场审核 2–3 (audit against the requirements; nonconformities confirmed and corrected),
5 认证模式 4 and 6 持续监督 (surveillance audits use the same machinery).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
    ACCEPT_COUNTER = "accept_counter", _("接受企业提出的日期")
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
    # The programme manager takes the enterprise's counter-proposal as it stands (decisions AP3).
    AuditAction.ACCEPT_COUNTER: (frozenset({A.PLANNING}), A.SCHEDULED),
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


# --- planning additions (dates, schedule, notice readiness) -------------------------------------


class NoticeTiming(models.TextChoices):
    """Where today stands against the last allowed notice day, for the planning page's warning."""

    IN_TIME = "in_time", _("可按期发出")
    LAST_DAY = "last_day", _("今天是最后发出日")
    TOO_LATE = "too_late", _("已晚于最迟通知日")


# Audits still being prepared or run: one of these per application at a time (decisions AP1).
OPEN_STATES = frozenset({A.PLANNING, A.DATES_PROPOSED, A.SCHEDULED, A.NOTIFIED, A.IN_PROGRESS, A.CORRECTIONS})


def notice_timing(today: date, last_allowed: date) -> str:
    if today < last_allowed:
        return NoticeTiming.IN_TIME
    if today == last_allowed:
        return NoticeTiming.LAST_DAY
    return NoticeTiming.TOO_LATE


def guard_plan_editable(status: str) -> None:
    """Dates, team, sites and schedule change only before the notice goes out (decisions AP4)."""
    if status not in PLAN_EDITABLE:
        raise RuleViolation(
            f"审核当前状态为“{AuditStatus(status).label}”，审核计划已不能修改",
            f"the audit is {status.replace('_', ' ')}; its plan can no longer change",
            "plan_frozen",
        )


def guard_one_open_audit(open_references: Sequence[str]) -> None:
    if open_references:
        raise RuleViolation(
            f"该申请已有未结束的现场审核：{'、'.join(open_references)}",
            f"this application already has an open on-site audit: {', '.join(open_references)}",
            "open_audit_exists",
        )


def guard_special_reason(reason: str) -> str:
    """A special (short-notice) audit states why it is needed (ISO/IEC 17021-1 9.6.4)."""
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(
            "请说明特殊审核的事由（投诉调查、重大变更、暂停后跟踪等）",
            "state the reason for the special audit (complaint, major change, follow-up of a suspension …)",
            "reason_required",
        )
    return reason


def guard_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("请填写理由", "a reason is required", "reason_required")
    return reason


def guard_counter(offered: Sequence[date], counter: Sequence[date]) -> None:
    """A counter-proposal offers other days than the ones it declines."""
    if sorted(set(offered)) == sorted(set(counter)):
        raise RuleViolation(
            "提出的日期与认证机构的提议相同；如同意该日期，请直接确认",
            "these are the days already proposed; confirm them instead",
            "same_days",
        )


def guard_slot(
    *,
    day: date,
    start,
    end,
    audit_days: Sequence[date],
    auditor_id: int | None,
    team_ids: Sequence[int],
    busy: Sequence[tuple[date, object, object, int | None]],
    item_ids: Sequence[str] = (),
    known_items: Sequence[str] = (),
) -> None:
    """One schedule line: on an audit day, ends after it starts, by a team member (or the whole team),
    naming only on-site items, and not overlapping another line of the same auditor that day.

    `busy` holds the existing lines as (day, start, end, auditor id or None). A whole-team line (None)
    overlaps every line of its day: everyone is in it (opening and closing meetings).
    """
    if day not in audit_days:
        listed = "、".join(f"{d:%Y-%m-%d}" for d in sorted(audit_days)) or "—"
        raise RuleViolation(
            f"{day:%Y-%m-%d} 不是审核日（审核日：{listed}）",
            f"{day:%Y-%m-%d} is not an audit day (audit days: {listed.replace('、', ', ')})",
            "not_audit_day",
        )
    if end <= start:
        raise RuleViolation("结束时间须晚于开始时间", "the end must be after the start", "slot_order")
    if auditor_id is not None and auditor_id not in team_ids:
        raise RuleViolation(
            "日程只能安排给本次审核的审核组成员",
            "a schedule line may name only a member of this audit team",
            "not_member",
        )
    unknown = sorted(set(item_ids) - set(known_items))
    if unknown:
        raise RuleViolation(
            f"以下条款项不属于现场审核范围：{'、'.join(unknown)}",
            f"these items are not checked on site: {', '.join(unknown)}",
            "unknown_item",
        )
    for other_day, other_start, other_end, other_auditor in busy:
        if other_day != day or not (start < other_end and other_start < end):
            continue
        if auditor_id is None or other_auditor is None or other_auditor == auditor_id:
            raise RuleViolation(
                f"与同一审核员当天 {other_start:%H:%M}–{other_end:%H:%M} 的日程重叠",
                f"overlaps the same auditor's line {other_start:%H:%M}–{other_end:%H:%M} that day",
                "slot_overlap",
            )


@dataclass(frozen=True)
class NoticeFacts:
    """What the notice needs besides timing, gathered by the service."""

    status: str
    days: tuple[date, ...]
    member_count: int
    has_lead: bool
    site_count: int
    slot_days: tuple[date, ...]
    team_problems: tuple[tuple[str, str], ...] = ()  # (zh, en) of the team re-checked on the agreed days


def notice_problems(facts: NoticeFacts) -> list[tuple[str, str, str]]:
    """Every reason the notice cannot go out yet, as (code, zh, en)."""
    problems: list[tuple[str, str, str]] = []
    if facts.status != AuditStatus.SCHEDULED:
        problems.append(
            (
                "wrong_state",
                f"审核日期须先经企业确认（当前：{AuditStatus(facts.status).label}）",
                f"the enterprise must first confirm the dates (now: {facts.status.replace('_', ' ')})",
            )
        )
    if not facts.days:
        problems.append(("no_days", "尚未商定审核日期", "no audit days are agreed"))
    if not facts.member_count:
        problems.append(("no_team", "尚未组建审核组", "no audit team is set"))
    elif not facts.has_lead:
        problems.append(("no_lead", "审核组没有审核组长", "the audit team has no lead auditor"))
    if not facts.site_count:
        problems.append(("no_sites", "审核计划中没有审核场所", "the audit plan lists no site"))
    stray = sorted({d for d in facts.slot_days if d not in facts.days})
    if stray:
        listed = ", ".join(f"{d:%Y-%m-%d}" for d in stray)
        problems.append(
            (
                "slot_off_days",
                f"日程中有非审核日的安排：{listed}，请调整日程",
                f"the schedule has lines on days that are no longer audit days: {listed}",
            )
        )
    for zh, en in facts.team_problems:
        problems.append(
            ("team_invalid", f"按商定的审核日期，审核组不再符合要求：{zh}", f"for the agreed days the team fails: {en}")
        )
    return problems


def guard_notice_ready(facts: NoticeFacts) -> None:
    problems = notice_problems(facts)
    if problems:
        raise RuleViolation(
            "暂不能发出审核通知：" + "；".join(p[1] for p in problems),
            "the notice cannot go out yet: " + "; ".join(p[2] for p in problems),
            problems[0][0] if len(problems) == 1 else "notice_not_ready",
        )


def parse_days(values: Sequence[str]) -> tuple[date, ...]:
    """Stored ISO days back to dates."""
    return tuple(date.fromisoformat(v) for v in values)


# --- conduct additions (checklist, score, start, closing meeting, pass) ---------------------------

# The checklist is the team's working paper until the closing meeting; then the enterprise sees it with
# the report (as in document review, decisions R6 / AC3).
FINDINGS_PUBLIC = frozenset({A.CORRECTIONS, A.PASSED})
# Results recorded on the checklist → the scheme's finding factor (grading.finding_factors).
FACTOR_OF_RESULT = {"conform": "conforming", "minor": "minor", "major": "major"}
NOT_APPLICABLE = "not_applicable"


def guard_start(status: str, *, today: date, first_day: date | None) -> str:
    """The lead starts the audit on (or after) the first audit day the notice announced (decisions AC2)."""
    target = check_transition(status, AuditAction.START)
    if first_day is None:
        raise RuleViolation("审核日期尚未商定", "no audit days are agreed", "no_days")
    if today < first_day:
        raise RuleViolation(
            f"现场审核须在通知的首个审核日（{first_day:%Y-%m-%d}）当天或之后开始",
            f"the audit starts on or after the first audit day in the notice ({first_day:%Y-%m-%d})",
            "too_early",
        )
    return target


def guard_checklist_open(status: str) -> None:
    if status not in CHECKLIST_OPEN:
        raise RuleViolation(
            f"审核状态为“{AuditStatus(status).label}”，只有现场审核进行中才能记录检查表",
            f"the audit is {status.replace('_', ' ')}; findings are recorded only while it is in progress",
            "checklist_closed",
        )


def guard_revision(current: int, base: int | None) -> None:
    """Optimistic concurrency: an edit based on an older revision than the stored one is a conflict.

    `current` is 0 when nothing is stored yet; `base` is the revision the editor started from (0 for new).
    """
    if base is None or base != current:
        raise RuleViolation(
            "该项已被其他审核员修改（或您的页面不是最新），请查看最新内容后再决定是否覆盖",
            "another auditor changed this item since you loaded it; review the latest version before overwriting",
            "conflict",
        )


@dataclass(frozen=True)
class ItemPoints:
    item_id: str
    weight: int
    result: str | None  # None: not answered yet
    earned: object  # Fraction | None: weight × factor; None when unanswered or not applicable


@dataclass(frozen=True)
class OnsiteScore:
    items: tuple[ItemPoints, ...]
    earned: object  # Fraction
    total: int  # weights of the answered, applicable items
    max_score: int
    answered: int
    applicable_total: int  # weights of every item not marked not-applicable (answered or not)

    @property
    def score(self):
        """Out of `max_score`, over the items answered so far; None before any applicable answer."""
        from fractions import Fraction

        return Fraction(self.earned) * self.max_score / self.total if self.total else None

    @property
    def complete(self) -> bool:
        return self.answered == len(self.items)


def onsite_score(
    weights: Sequence[tuple[str, int]],
    results: dict[str, str],
    *,
    factor: Callable[[str], object],
    max_score: int,
) -> OnsiteScore:
    """The weighted on-site score (SPEC 'Grades', scheme `grading`): each item earns weight × factor
    (conforming 1, minor ½, major 0). Not-applicable items leave both earned and total (decisions AC4),
    so an enterprise is neither rewarded nor punished for work it does not do. Unanswered items are not
    counted yet: the running score is over what has been judged."""
    from fractions import Fraction

    items, earned, total, answered, applicable = [], Fraction(0), 0, 0, 0
    for item_id, weight in weights:
        result = results.get(item_id)
        points = None
        if result is not None:
            answered += 1
        if result != NOT_APPLICABLE:
            applicable += weight
        if result in FACTOR_OF_RESULT:
            points = weight * Fraction(factor(FACTOR_OF_RESULT[result]))
            earned += points
            total += weight
        items.append(ItemPoints(item_id, weight, result, points))
    return OnsiteScore(tuple(items), earned, total, max_score, answered, applicable)


@dataclass(frozen=True)
class ClosingFacts:
    status: str
    unanswered: tuple[str, ...]
    entry_problems: tuple[tuple[str, str], ...]
    findings_without_nc: tuple[str, ...]  # items found minor/major with no nonconformity raised
    unconfirmed: tuple[str, ...]  # numbers of nonconformities the enterprise has not confirmed
    cb_attendees: int
    enterprise_attendees: int
    conclusion: str


def closing_problems(facts: ClosingFacts) -> list[tuple[str, str, str]]:
    """Every reason the closing meeting cannot be recorded yet, as (code, zh, en)."""
    problems: list[tuple[str, str, str]] = []
    if facts.status != AuditStatus.IN_PROGRESS:
        problems.append(
            (
                "wrong_state",
                f"审核状态为“{AuditStatus(facts.status).label}”，不能召开末次会议",
                f"the audit is {facts.status.replace('_', ' ')}; no closing meeting now",
            )
        )
    if facts.unanswered:
        problems.append(
            (
                "incomplete",
                f"检查表还有 {len(facts.unanswered)} 项未评价：{'、'.join(facts.unanswered)}",
                f"{len(facts.unanswered)} checklist items have no result: {', '.join(facts.unanswered)}",
            )
        )
    for zh, en in facts.entry_problems:
        problems.append(("invalid_entry", zh, en))
    if facts.findings_without_nc:
        problems.append(
            (
                "nonconformity_not_raised",
                f"以下不符合的条款项尚未开具不符合项：{'、'.join(facts.findings_without_nc)}",
                f"raise the nonconformities of these items first: {', '.join(facts.findings_without_nc)}",
            )
        )
    if facts.unconfirmed:
        problems.append(
            (
                "unconfirmed",
                f"以下不符合项尚未经企业代表确认：{'、'.join(facts.unconfirmed)}（第6章 现场审核 3）",
                f"the enterprise's representative has not confirmed: {', '.join(facts.unconfirmed)} "
                "(clause 6 on-site audit 3)",
            )
        )
    if facts.cb_attendees < 1 or facts.enterprise_attendees < 1:
        problems.append(
            (
                "attendees",
                "参会人员须至少包括一名审核组成员和一名企业代表",
                "the attendees must include at least one audit-team member and one enterprise representative",
            )
        )
    if not facts.conclusion.strip():
        problems.append(("no_conclusion", "请填写审核结论", "write the audit's conclusion"))
    return problems


def guard_close(facts: ClosingFacts, open_nonconformities: int) -> str:
    problems = closing_problems(facts)
    if problems:
        raise RuleViolation(
            "暂不能召开末次会议：" + "；".join(p[1] for p in problems),
            "the closing meeting cannot be recorded yet: " + "; ".join(p[2] for p in problems),
            problems[0][0] if len(problems) == 1 else "closing_not_ready",
        )
    target = A.CORRECTIONS if open_nonconformities else A.PASSED
    return check_transition(facts.status, AuditAction.CLOSE, target)


@dataclass(frozen=True)
class NonconformityFacts:
    number: str
    grade: str  # minor | major
    state: str  # reviews NonconformityState value


def pass_problems(
    nonconformities: Sequence[NonconformityFacts], *, open_major_allowed: bool, open_minor_needs_accepted_plan: bool
) -> tuple[list[tuple[str, str]], tuple[str, ...]]:
    """The scheme's on-site pass rule (grading.gates; ISO/IEC 17021-1 9.5.3): majors verified; minors
    verified, or — when the gate allows — with their correction plan accepted.

    Returns the problems as (zh, en), and the numbers of the minors that pass on an accepted plan.
    """
    problems: list[tuple[str, str]] = []
    on_plan = []
    for nc in nonconformities:
        if nc.state == "verified":
            continue
        if nc.grade == "major" and not open_major_allowed:
            problems.append((f"严重不符合项 {nc.number} 尚未验证关闭", f"major {nc.number} is not verified yet"))
        elif nc.grade == "minor" and open_minor_needs_accepted_plan and nc.state == "plan_accepted":
            on_plan.append(nc.number)
        elif nc.grade == "minor":
            needs = "验证关闭或接受整改计划" if open_minor_needs_accepted_plan else "验证关闭"
            problems.append((f"一般不符合项 {nc.number} 尚未{needs}", f"minor {nc.number} is not closed yet"))
    return problems, tuple(on_plan)


def guard_pass(status: str, problems: Sequence[tuple[str, str]]) -> str:
    target = check_transition(status, AuditAction.PASS)
    if problems:
        raise RuleViolation(
            "现场审核尚不能通过：" + "；".join(zh for zh, _ in problems) + "（第6章 现场审核 3）",
            "the on-site audit cannot pass yet: " + "; ".join(en for _, en in problems) + " (clause 6 on-site audit 3)",
            "open_nonconformities",
        )
    return target
