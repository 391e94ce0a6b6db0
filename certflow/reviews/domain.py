"""Document review (文件审核) and the nonconformity loop: results, grades, states, guards, deadlines.

Pure: no ORM, no request. Services gather plain facts and get back either the next state or a
`RuleViolation` in Chinese and English.

Clauses: 5-1 (文件审核: the written materials are judged against the requirements), 6 文件审核 1–2
(the reviewer issues a report naming the nonconformities; the enterprise corrects them within a set
time and submits a corrective-action report; the CB verifies it; only then may the on-site audit
start), 5-4 and 6 持续监督 2 (minor 一般 / major 严重 nonconformities). The nonconformity states and
their transition table are shared by every stage that raises nonconformities.
"""

import calendar
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from certflow.accounts.roles import StaffRole
from certflow.applications.domain import ApplicationStatus
from certflow.core.rules import RuleViolation

# --- the checklist ------------------------------------------------------------------------------


class ChecklistResult(models.TextChoices):
    UNANSWERED = "unanswered", _("未评价")
    CONFORM = "conform", _("符合")
    MINOR = "minor", _("一般不符合")
    MAJOR = "major", _("严重不符合")
    NOT_APPLICABLE = "not_applicable", _("不适用")


R = ChecklistResult
# What a reviewer can record for an item (unanswered is the absence of a record).
ANSWERS = (R.CONFORM, R.MINOR, R.MAJOR, R.NOT_APPLICABLE)
# The same as choices, for forms and the API schema (ENUM_NAME_OVERRIDES "ChecklistAnswerEnum").
ANSWER_CHOICES = [(value, label) for value, label in ChecklistResult.choices if value in ANSWERS]
MAX_EVIDENCE_PAGE = 100_000


class ReviewStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("审核中")
    CORRECTIONS = "corrections", _("整改验证中")
    PASSED = "passed", _("已通过")


# Staff roles that may be assigned as document reviewer (审核员 / 审核组长, clause 6 文件审核 1).
REVIEWER_ROLES = frozenset({StaffRole.AUDITOR, StaffRole.LEAD_AUDITOR})
# Who arranges the work of the CB: assigns reviewers (and later audit teams).
ASSIGNER_ROLES = frozenset({StaffRole.ACCEPTANCE_CLERK, StaffRole.PROGRAMME_MANAGER})


@dataclass(frozen=True)
class ReviewerFacts:
    is_cb_staff: bool
    is_active: bool
    roles: frozenset[str]
    label: str = ""


def guard_reviewer(reviewer: ReviewerFacts) -> None:
    """Only an active CB auditor or lead auditor can review documents."""
    who = reviewer.label or "该用户"
    if not reviewer.is_cb_staff:
        raise RuleViolation(
            f"{who}不是认证机构人员，不能担任文件审核员",
            f"{reviewer.label or 'this user'} is not CB staff and cannot review documents",
            "reviewer_not_staff",
        )
    if not reviewer.is_active:
        raise RuleViolation(
            f"{who}的账号已停用，不能担任文件审核员",
            f"{reviewer.label or 'this user'} is deactivated and cannot review documents",
            "reviewer_inactive",
        )
    if not reviewer.roles & REVIEWER_ROLES:
        raise RuleViolation(
            f"{who}没有审核员或审核组长资格，不能担任文件审核员（第6章 文件审核 1）",
            f"{reviewer.label or 'this user'} is neither an auditor nor a lead auditor (clause 6 document review 1)",
            "reviewer_not_auditor",
        )


def guard_assign(application_status: str, reviewer: ReviewerFacts) -> None:
    """A review starts on an accepted application, with a qualified reviewer."""
    if application_status != ApplicationStatus.ACCEPTED:
        raise RuleViolation(
            f"申请状态为“{ApplicationStatus(application_status).label}”，只有已受理的申请才能安排文件审核",
            "only an accepted application can be sent to document review",
            "not_accepted",
        )
    guard_reviewer(reviewer)


def guard_reassign(review_status: str, current_reviewer_id: int, reviewer_id: int, reviewer: ReviewerFacts) -> None:
    """A review not yet passed may change hands (the reviewer falls ill, a conflict of interest)."""
    if review_status == ReviewStatus.PASSED:
        raise RuleViolation("文件审核已通过，不能更换审核员", "the review has passed; it cannot change hands", "passed")
    if current_reviewer_id == reviewer_id:
        raise RuleViolation("该审核员已被指派", "this reviewer is already assigned", "same_reviewer")
    guard_reviewer(reviewer)


@dataclass(frozen=True)
class Answer:
    """One checklist entry as the rules see it."""

    item_id: str
    result: str
    note: str = ""
    na_reason: str = ""
    has_evidence: bool = False
    evidence_page: int | None = None


def answer_problems(answer: Answer) -> list[tuple[str, str]]:
    """What is wrong with one entry, as (zh, en) lines; empty when it may be kept."""
    problems: list[tuple[str, str]] = []
    if answer.result not in ANSWERS:
        problems.append(
            (f"第 {answer.item_id} 项尚未评价", f"item {answer.item_id} has no result")
            if answer.result == R.UNANSWERED or not answer.result
            else (f"未知的评价结果：{answer.result}", f"unknown result: {answer.result}")
        )
    if answer.result == R.NOT_APPLICABLE and not answer.na_reason.strip():
        problems.append(
            (
                f"第 {answer.item_id} 项评为“不适用”，须说明理由",
                f"item {answer.item_id} is not applicable: give the reason",
            )
        )
    if answer.result in (R.MINOR, R.MAJOR) and not answer.note.strip():
        problems.append(
            (
                f"第 {answer.item_id} 项评为不符合，须描述不符合事实",
                f"item {answer.item_id} does not conform: describe the finding",
            )
        )
    if answer.evidence_page is not None:
        if not answer.has_evidence:
            problems.append(
                (f"第 {answer.item_id} 项填写了页码，请同时选择证据文件", f"item {answer.item_id}: choose the file")
            )
        if not 1 <= answer.evidence_page <= MAX_EVIDENCE_PAGE:
            problems.append((f"第 {answer.item_id} 项的页码须为正整数", f"item {answer.item_id}: page must be ≥ 1"))
    return problems


def _refuse(problems: list[tuple[str, str]], code: str) -> None:
    if problems:
        raise RuleViolation("；".join(zh for zh, _ in problems), "; ".join(en for _, en in problems), code)


def guard_record(review_status: str, answer: Answer, known_items: Iterable[str]) -> None:
    if review_status != ReviewStatus.IN_PROGRESS:
        raise RuleViolation(
            "文件审核已完成，检查表不能再修改",
            "the review is completed; the checklist can no longer change",
            "completed",
        )
    if answer.item_id not in set(known_items):
        raise RuleViolation(
            f"第 {answer.item_id} 项不属于文件审核的检查项目",
            f"{answer.item_id} is not a document-review item of this scheme",
            "unknown_item",
        )
    _refuse(answer_problems(answer), "invalid_entry")


@dataclass(frozen=True)
class Finding:
    """A nonconformity to raise from a checklist entry."""

    item_id: str
    grade: str
    description: str


def completion_problems(item_ids: Sequence[str], answers: Mapping[str, Answer]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    unanswered = [item for item in item_ids if item not in answers or answers[item].result not in ANSWERS]
    if unanswered:
        problems.append(
            (
                f"还有 {len(unanswered)} 项未评价：{'、'.join(unanswered)}",
                f"{len(unanswered)} items have no result: {', '.join(unanswered)}",
            )
        )
    for item in item_ids:
        if item in answers and answers[item].result in ANSWERS:
            problems.extend(answer_problems(answers[item]))
    return problems


def guard_complete(review_status: str, item_ids: Sequence[str], answers: Mapping[str, Answer], summary: str):
    """Every item answered, every N/A with its reason, every finding described, a conclusion written.

    Returns the findings (minor/major entries) in checklist order: the nonconformities to raise.
    """
    if review_status != ReviewStatus.IN_PROGRESS:
        raise RuleViolation("文件审核已完成", "the review is already completed", "completed")
    problems = completion_problems(item_ids, answers)
    if not summary.strip():
        problems.append(("请填写审核结论", "write the review's conclusion"))
    _refuse(problems, "incomplete")
    return [
        Finding(item, answers[item].result, answers[item].note.strip())
        for item in item_ids
        if answers[item].result in (R.MINOR, R.MAJOR)
    ]


# --- nonconformities (shared by every stage) -----------------------------------------------------


class NonconformityStage(models.TextChoices):
    DOCUMENT_REVIEW = "document_review", _("文件审核")
    ONSITE_AUDIT = "onsite_audit", _("现场审核")
    SURVEILLANCE = "surveillance", _("监督审核")


class NonconformityGrade(models.TextChoices):
    MINOR = "minor", _("一般不符合项")
    MAJOR = "major", _("严重不符合项")


class NonconformityState(models.TextChoices):
    OPEN = "open", _("待整改")
    ACTION_SUBMITTED = "action_submitted", _("整改已提交，待验证")
    RETURNED = "returned", _("整改被退回")
    VERIFIED = "verified", _("已验证关闭")
    # On-site and surveillance stages: a minor nonconformity whose correction plan the lead auditor accepted;
    # the enterprise still submits the completed correction for verification (ISO/IEC 17021-1 9.5.3).
    PLAN_ACCEPTED = "plan_accepted", _("整改计划已接受")


class NonconformityAction(models.TextChoices):
    SUBMIT_ACTION = "submit_action", _("提交整改报告")
    ACCEPT = "accept", _("验证通过")
    RETURN = "return", _("退回整改")
    ACCEPT_PLAN = "accept_plan", _("接受整改计划")


class ActionDecision(models.TextChoices):
    PENDING = "pending", _("待验证")
    ACCEPTED = "accepted", _("验证通过")
    RETURNED = "returned", _("已退回")
    PLAN_ACCEPTED = "plan_accepted", _("整改计划已接受")


N = NonconformityState
NONCONFORMITY_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    NonconformityAction.SUBMIT_ACTION: (frozenset({N.OPEN, N.RETURNED, N.PLAN_ACCEPTED}), N.ACTION_SUBMITTED),
    NonconformityAction.ACCEPT: (frozenset({N.ACTION_SUBMITTED}), N.VERIFIED),
    NonconformityAction.RETURN: (frozenset({N.ACTION_SUBMITTED}), N.RETURNED),
    NonconformityAction.ACCEPT_PLAN: (frozenset({N.ACTION_SUBMITTED}), N.PLAN_ACCEPTED),
}
# Stages whose minor nonconformities may pass on an accepted correction plan; document review needs every
# nonconformity verified before the on-site audit (clause 6 文件审核 2).
PLAN_STAGES = frozenset({"onsite_audit", "surveillance"})
# Where the enterprise owes something (the clock runs).
AWAITING_ENTERPRISE = frozenset({N.OPEN, N.RETURNED})


def check_nonconformity_transition(state: str, action: str) -> str:
    sources, target = NONCONFORMITY_TRANSITIONS[action]
    if state in sources:
        return target
    if state == N.VERIFIED:
        raise RuleViolation(
            "该不符合项已验证关闭，不能再提交或处理整改",
            "this nonconformity is verified and closed; nothing more can be submitted or decided",
            "verified",
        )
    if action == NonconformityAction.SUBMIT_ACTION:
        raise RuleViolation(
            "整改报告已提交，正在等待审核员验证", "a corrective action is already awaiting verification", "pending"
        )
    raise RuleViolation(
        f"不符合项状态为“{N(state).label}”，没有待验证的整改报告",
        "there is no corrective action awaiting verification",
        "nothing_to_verify",
    )


def guard_corrective_action(state: str, *, cause_analysis: str, correction: str, corrective_action: str) -> str:
    """A corrective-action report (整改报告) needs its three parts: cause, correction, corrective action."""
    target = check_nonconformity_transition(state, NonconformityAction.SUBMIT_ACTION)
    missing = []
    if not cause_analysis.strip():
        missing.append(("原因分析", "cause analysis"))
    if not correction.strip():
        missing.append(("纠正（已采取的处置）", "correction"))
    if not corrective_action.strip():
        missing.append(("纠正措施（防止再发生）", "corrective action"))
    if missing:
        raise RuleViolation(
            "整改报告缺少：" + "、".join(zh for zh, _ in missing),
            "the corrective-action report lacks: " + ", ".join(en for _, en in missing),
            "incomplete_action",
        )
    return target


def _guard_verifier(is_verifier: bool) -> None:
    if not is_verifier:
        raise RuleViolation(
            "只有被指派的审核员可以验证整改", "only the assigned reviewer may verify corrections", "not_verifier"
        )


def guard_accept(state: str, *, is_verifier: bool) -> str:
    _guard_verifier(is_verifier)
    return check_nonconformity_transition(state, NonconformityAction.ACCEPT)


def guard_return(state: str, *, is_verifier: bool, comment: str) -> str:
    _guard_verifier(is_verifier)
    target = check_nonconformity_transition(state, NonconformityAction.RETURN)
    if not comment.strip():
        raise RuleViolation(
            "退回整改须说明理由，以便企业改进", "say why the corrective action is returned", "no_comment"
        )
    return target


def guard_accept_plan(state: str, *, grade: str, stage: str, is_verifier: bool) -> str:
    """The lead auditor accepts a minor nonconformity's correction plan (整改计划) on an on-site or
    surveillance stage; the correction itself is verified later. Majors are always verified."""
    _guard_verifier(is_verifier)
    if grade != NonconformityGrade.MINOR:
        raise RuleViolation(
            "只有一般不符合项可以接受整改计划；严重不符合项须验证整改有效后关闭",
            "only a minor nonconformity can pass on an accepted correction plan; a major one must be verified",
            "not_minor",
        )
    if stage not in PLAN_STAGES:
        raise RuleViolation(
            "文件审核的不符合项须验证整改有效后关闭，不能仅接受整改计划（第6章 文件审核 2）",
            "document-review nonconformities must be verified; a plan is not enough (clause 6 document review 2)",
            "plan_not_allowed",
        )
    return check_nonconformity_transition(state, NonconformityAction.ACCEPT_PLAN)


def review_passes(states: Iterable[str]) -> bool:
    """Clause 6 文件审核 2: the review passes only when every nonconformity is verified."""
    return all(state == N.VERIFIED for state in states)


def guard_pass(review_status: str, states: Sequence[str]) -> None:
    if review_status != ReviewStatus.CORRECTIONS:
        raise RuleViolation(
            f"文件审核状态为“{ReviewStatus(review_status).label}”，不能判定通过",
            f"the review is {review_status.replace('_', ' ')}; it cannot pass now",
            "wrong_state",
        )
    open_count = sum(1 for state in states if state != N.VERIFIED)
    if open_count:
        raise RuleViolation(
            f"还有 {open_count} 个不符合项未验证关闭，文件审核不能通过（第6章 文件审核 2）",
            f"{open_count} nonconformities are not verified yet; the review cannot pass (clause 6 document review 2)",
            "open_nonconformities",
        )


# --- deadlines ----------------------------------------------------------------------------------


def correction_deadline_name(grade: str) -> str:
    """The scheme deadline that bounds correcting a nonconformity of `grade` (decisions S6)."""
    return {NonconformityGrade.MAJOR: "correction_major", NonconformityGrade.MINOR: "correction_minor"}[grade]


def _add_months(d: date, months: int) -> date:
    """The corresponding day `months` later; the month's last day when it has none (Civil Code art. 202)."""
    index = d.month - 1 + months
    year, month = d.year + index // 12, index % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def correction_due(
    reported_on: date,
    *,
    amount: int,
    unit: str,
    add_working_days: Callable[[date, int], date],
    is_working_day: Callable[[date], bool],
) -> date:
    """Rule `correction_due`: the last day to submit the corrective-action report.

    Counted from the day the nonconformity is reported (the review is completed and its report
    issued), that day not counted. Working days follow the PRC calendar; a calendar period (days,
    months, years) that ends on a day off ends on the next working day (Civil Code arts. 201–203,
    decisions S6).
    """
    if amount < 0:
        raise ValueError("a deadline cannot be negative")
    if unit == "working_days":
        return add_working_days(reported_on, amount)
    if unit == "calendar_days":
        end = reported_on + timedelta(days=amount)
    elif unit == "months":
        end = _add_months(reported_on, amount)
    elif unit == "years":
        end = _add_months(reported_on, 12 * amount)
    else:
        raise ValueError(f"unknown deadline unit {unit!r}")
    return end if is_working_day(end) else add_working_days(end, 1)


def correction_due_or_provisional(
    reported_on: date,
    *,
    amount: int,
    unit: str,
    add_working_days: Callable[[date, int], date],
    is_working_day: Callable[[date], bool],
    missing: type[Exception],
) -> tuple[date, bool]:
    """`correction_due`, or — when a calendar period ends in a year whose holiday schedule is not
    entered yet — the period's plain end date marked provisional (decisions R10).

    The plain end date is never later than the final one (a day off only moves the end forward), so
    the enterprise is never told less time than it has; it becomes final when the year is entered.
    Working-day periods have no such lower bound and stay refused (decisions W1).
    """
    try:
        return correction_due(
            reported_on, amount=amount, unit=unit, add_working_days=add_working_days, is_working_day=is_working_day
        ), False
    except missing:
        if unit == "working_days":
            raise
    if unit == "calendar_days":
        return reported_on + timedelta(days=amount), True
    return _add_months(reported_on, amount if unit == "months" else 12 * amount), True


def is_overdue(due: date | None, today: date, state: str) -> bool:
    """Overdue while the enterprise owes a corrective action (open or returned) after its due date.

    A report submitted in time and awaiting verification is not the enterprise's delay.
    """
    return due is not None and state in AWAITING_ENTERPRISE and today > due


def deadline_badge(due: date | None, today: date, state: str) -> str:
    """For the page: 'closed', 'waiting' (on the reviewer), 'overdue', 'today', 'soon' (≤ 7 days) or 'ok'."""
    if state == N.VERIFIED:
        return "closed"
    if state == N.ACTION_SUBMITTED:
        return "waiting"
    if state == N.PLAN_ACCEPTED:
        return "plan"
    if due is None:
        return "ok"
    if today > due:
        return "overdue"
    if today == due:
        return "today"
    return "soon" if (due - today).days <= 7 else "ok"
