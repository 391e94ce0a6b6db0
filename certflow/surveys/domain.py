"""The satisfaction survey's life from customer list to result: states, transitions, guards, masking.

Pure: no ORM, no request. Clauses: 5 认证模式 3 (≥ 80 %), 6 用户满意度调查 1–2 (questionnaire or
phone call-back; below 80 % → cause analysis and improvement; the CB may re-survey).
"""

import re

from django.db import models
from django.utils.translation import gettext_lazy as _

from certflow.core.privacy import mask_name, mask_phone  # noqa: F401 — one copy of the masks, used here and by the views
from certflow.core.rules import RuleViolation


class SurveyStatus(models.TextChoices):
    COLLECTING = "collecting", _("收集用户名单")
    DRAWN = "drawn", _("已抽样")
    OPEN = "open", _("调查进行中")
    PASSED = "passed", _("已结束，满意度达标")
    IMPROVEMENT_REQUIRED = "improvement_required", _("未达标，待提交原因分析与改进")
    IMPROVEMENT_SUBMITTED = "improvement_submitted", _("改进已提交，待评审")
    IMPROVEMENT_ACCEPTED = "improvement_accepted", _("改进已认可")
    SUPERSEDED = "superseded", _("已安排复查（本轮存档）")


S = SurveyStatus

# Every state after closing: the result fields are frozen in all of them.
CLOSED_STATUSES = frozenset(
    {S.PASSED, S.IMPROVEMENT_REQUIRED, S.IMPROVEMENT_SUBMITTED, S.IMPROVEMENT_ACCEPTED, S.SUPERSEDED}
)
# The customer list may change only before the draw (decisions V3).
LIST_EDITABLE = frozenset({S.COLLECTING})


class SurveyAction(models.TextChoices):
    DRAW = "draw", _("抽取样本")
    OPEN = "open", _("开始调查")
    CLOSE = "close", _("结束调查")
    SUBMIT_IMPROVEMENT = "submit_improvement", _("提交原因分析与改进")
    ACCEPT_IMPROVEMENT = "accept_improvement", _("认可改进")
    RETURN_IMPROVEMENT = "return_improvement", _("退回改进")
    ORDER_RESURVEY = "order_resurvey", _("安排复查")


A = SurveyAction

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    A.DRAW: (frozenset({S.COLLECTING}), S.DRAWN),
    A.OPEN: (frozenset({S.DRAWN}), S.OPEN),
    # CLOSE leads to PASSED or IMPROVEMENT_REQUIRED; `status_after_close` chooses.
    A.CLOSE: (frozenset({S.OPEN}), S.PASSED),
    A.SUBMIT_IMPROVEMENT: (frozenset({S.IMPROVEMENT_REQUIRED}), S.IMPROVEMENT_SUBMITTED),
    A.ACCEPT_IMPROVEMENT: (frozenset({S.IMPROVEMENT_SUBMITTED}), S.IMPROVEMENT_ACCEPTED),
    A.RETURN_IMPROVEMENT: (frozenset({S.IMPROVEMENT_SUBMITTED}), S.IMPROVEMENT_REQUIRED),
    # 6 用户满意度调查 2 「视情况进行复查」: the CB decides when; any closed, not yet superseded round.
    A.ORDER_RESURVEY: (
        frozenset({S.PASSED, S.IMPROVEMENT_REQUIRED, S.IMPROVEMENT_SUBMITTED, S.IMPROVEMENT_ACCEPTED}),
        S.SUPERSEDED,
    ),
}


def check_transition(status: str, action: str) -> str:
    if action not in TRANSITIONS:
        raise RuleViolation(f"未知操作：{action}", f"unknown action: {action}", "unknown_action")
    sources, target = TRANSITIONS[action]
    if status not in sources:
        raise RuleViolation(
            f"调查当前状态为“{S(status).label}”，不能执行“{A(action).label}”",
            f"the survey is {status.replace('_', ' ')}; '{action.replace('_', ' ')}' is not possible now",
            "wrong_state",
        )
    return target


def status_after_close(passed: bool) -> str:
    """5 认证模式 3: below the threshold the enterprise owes a cause analysis (6 用户满意度调查 2)."""
    return S.PASSED if passed else S.IMPROVEMENT_REQUIRED


def check_list_editable(status: str) -> None:
    if status not in LIST_EDITABLE:
        raise RuleViolation(
            "样本已抽取，用户名单已锁定，不能再修改",
            "the sample has been drawn; the customer list is locked",
            "list_locked",
        )


class CallOutcome(models.TextChoices):
    ANSWERED = "answered", _("已接通并完成回访")
    NO_ANSWER = "no_answer", _("无人接听")
    REFUSED = "refused", _("拒绝回访")
    WRONG_NUMBER = "wrong_number", _("号码错误")


# Outcomes after which nobody calls again: the customer answered, said no, or is unreachable.
FINAL_OUTCOMES = frozenset({CallOutcome.ANSWERED, CallOutcome.REFUSED, CallOutcome.WRONG_NUMBER})


def check_may_call(outcomes: list[str], limit: int) -> None:
    """Re-attempts (decisions V7): at most `limit` calls per invitation, none after a final outcome."""
    final = [o for o in outcomes if o in FINAL_OUTCOMES]
    if final:
        raise RuleViolation(
            f"该用户的回访已结束（{CallOutcome(final[0]).label}），不再拨打",
            f"the call-back is finished ({final[0].replace('_', ' ')}); no further calls",
            "call_finished",
        )
    if len(outcomes) >= limit:
        raise RuleViolation(
            f"已拨打 {len(outcomes)} 次，达到上限 {limit} 次",
            f"{len(outcomes)} calls made, the limit is {limit}",
            "call_limit",
        )


def may_call_again(outcomes: list[str], limit: int) -> bool:
    try:
        check_may_call(outcomes, limit)
    except RuleViolation:
        return False
    return True


class Channel(models.TextChoices):
    QUESTIONNAIRE = "questionnaire", _("问卷调查")
    PHONE_CALLBACK = "phone_callback", _("电话回访")


def mask_email(email: str) -> str:
    local, _sep, domain = email.partition("@")
    if not domain:
        return mask_name(email)
    return (local[:1] + "***@" + domain) if local else "***@" + domain


MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def normalise_phone(raw: str) -> str | None:
    """A mainland mobile (11 digits) or landline (area code + number); None when it is neither.

    Spaces, dashes in mobiles and a +86 / 0086 prefix are dropped so duplicates compare equal.
    """
    value = re.sub(r"[\s()（）]", "", raw or "")
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    mobile = value.replace("-", "")
    if MOBILE_RE.match(mobile):
        return mobile
    if LANDLINE_RE.match(value):
        return value
    return None
