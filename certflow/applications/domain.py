"""The application's life from draft to document review passed: states, transitions, guards.

Pure: no ORM, no request. Services pass in plain facts (`ApplicationFacts`) and get either the
next state or a `RuleViolation` that explains itself in Chinese and English.
Clauses: 1 (scope), 6 申请受理 1–2 (materials, 5 working days), 6 文件审核 1–2 (review, corrections).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from certflow.core.rules import RuleViolation


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，待受理")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("待补充材料")
    ACCEPTED = "accepted", _("已受理")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    WITHDRAWN = "withdrawn", _("已撤回")
    DOCUMENT_REVIEW = "document_review", _("文件审核中")
    DOCUMENT_CORRECTIONS = "document_corrections", _("文件审核整改中")
    DOCUMENT_REVIEW_PASSED = "document_review_passed", _("文件审核通过")
    ONSITE_AUDIT = "onsite_audit", _("现场审核中")
    ONSITE_CORRECTIONS = "onsite_corrections", _("现场审核整改中")
    ONSITE_AUDIT_PASSED = "onsite_audit_passed", _("现场审核通过")
    DECISION = "decision", _("认证决定中")
    CERTIFIED = "certified", _("已获证")
    REFUSED = "refused", _("不予认证")


class ApplicationType(models.TextChoices):
    INITIAL = "initial", _("初次认证")
    RECERTIFICATION = "recertification", _("再认证")
    LEGACY_TRANSITION = "legacy_transition", _("旧版证书转换")


S = ApplicationStatus


class Action(models.TextChoices):
    SUBMIT = "submit", _("提交申请")
    REQUEST_SUPPLEMENT = "request_supplement", _("要求补充材料")
    RESUBMIT = "resubmit", _("补充后重新提交")
    ACCEPT = "accept", _("受理")
    NOT_ACCEPT = "not_accept", _("不予受理")
    WITHDRAW = "withdraw", _("撤回申请")
    START_REVIEW = "start_review", _("开始文件审核")
    COMPLETE_REVIEW = "complete_review", _("完成文件审核")
    PASS_REVIEW = "pass_review", _("文件审核通过")
    START_ONSITE = "start_onsite", _("安排现场审核")
    COMPLETE_ONSITE = "complete_onsite", _("召开末次会议")
    PASS_ONSITE = "pass_onsite", _("现场审核通过")
    OPEN_DECISION = "open_decision", _("提交认证决定")
    GRANT = "grant", _("批准认证")
    REFUSE = "refuse", _("不予认证")


# action → (states it may start from, the state it leads to). COMPLETE_REVIEW's target depends on
# whether nonconformities were raised; `next_status_after_review` chooses.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    Action.SUBMIT: (frozenset({S.DRAFT}), S.SUBMITTED),
    Action.REQUEST_SUPPLEMENT: (frozenset({S.SUBMITTED}), S.SUPPLEMENT_REQUESTED),
    Action.RESUBMIT: (frozenset({S.SUPPLEMENT_REQUESTED}), S.SUBMITTED),
    Action.ACCEPT: (frozenset({S.SUBMITTED}), S.ACCEPTED),
    Action.NOT_ACCEPT: (frozenset({S.SUBMITTED}), S.NOT_ACCEPTED),
    Action.WITHDRAW: (frozenset({S.DRAFT, S.SUBMITTED, S.SUPPLEMENT_REQUESTED}), S.WITHDRAWN),
    Action.START_REVIEW: (frozenset({S.ACCEPTED}), S.DOCUMENT_REVIEW),
    Action.COMPLETE_REVIEW: (frozenset({S.DOCUMENT_REVIEW}), S.DOCUMENT_CORRECTIONS),
    Action.PASS_REVIEW: (frozenset({S.DOCUMENT_CORRECTIONS}), S.DOCUMENT_REVIEW_PASSED),
    # Clause 6 现场审核: planned once the document review passed; the closing meeting either passes
    # the stage at once or opens the correction loop, as in document review.
    Action.START_ONSITE: (frozenset({S.DOCUMENT_REVIEW_PASSED}), S.ONSITE_AUDIT),
    Action.COMPLETE_ONSITE: (frozenset({S.ONSITE_AUDIT}), S.ONSITE_CORRECTIONS),
    Action.PASS_ONSITE: (frozenset({S.ONSITE_CORRECTIONS}), S.ONSITE_AUDIT_PASSED),
    # Clause 6 认证决定 1: the committee decides once both stages passed, or, when corrections were not
    # made in time, to refuse (certflow.decisions.domain.guard_open says which of these may open).
    Action.OPEN_DECISION: (
        frozenset({S.ONSITE_AUDIT_PASSED, S.DOCUMENT_CORRECTIONS, S.ONSITE_CORRECTIONS}),
        S.DECISION,
    ),
    Action.GRANT: (frozenset({S.DECISION}), S.CERTIFIED),
    Action.REFUSE: (frozenset({S.DECISION}), S.REFUSED),
}


def _label(status: str) -> str:
    return str(S(status).label)


def check_transition(status: str, action: str) -> str:
    """The state `action` leads to from `status`, or a RuleViolation naming both."""
    if action not in TRANSITIONS:
        raise RuleViolation(f"未知操作：{action}", f"unknown action: {action}", "unknown_action")
    sources, target = TRANSITIONS[action]
    if status not in sources:
        raise RuleViolation(
            f"申请当前状态为“{_label(status)}”，不能执行“{Action(action).label}”",
            f"the application is {S(status).name.lower().replace('_', ' ')}; "
            f"'{Action(action).name.lower().replace('_', ' ')}' is not possible now",
            "wrong_state",
        )
    return target


# Where an action may lead somewhere other than its table target.
ALTERNATIVE_TARGETS: dict[str, frozenset[str]] = {
    Action.COMPLETE_REVIEW: frozenset({S.DOCUMENT_REVIEW_PASSED}),
    Action.COMPLETE_ONSITE: frozenset({S.ONSITE_AUDIT_PASSED}),
}


def check_target(status: str, action: str, target: str | None) -> str:
    """Like check_transition, for actions whose outcome the later stage chooses (e.g. review result)."""
    default = check_transition(status, action)
    if target is None or target == default:
        return default
    if target not in ALTERNATIVE_TARGETS.get(action, frozenset()):
        raise RuleViolation(
            f"“{Action(action).label}”不能导致状态“{_label(target)}”",
            f"'{action}' cannot lead to '{target}'",
            "wrong_target",
        )
    return target


def status_after_review(open_nonconformities: int) -> str:
    """Clause 6 文件审核 2: nonconformities send the enterprise into correction; none → passed."""
    return S.DOCUMENT_CORRECTIONS if open_nonconformities else S.DOCUMENT_REVIEW_PASSED


@dataclass(frozen=True)
class ApplicationFacts:
    """What the submit guard needs to know, gathered by the service."""

    categories: tuple[str, ...]
    other_category_description: str
    service_stages: tuple[str, ...]
    sites: tuple[str, ...]
    declaration_made: bool
    materials_present: frozenset[str]
    required_materials: tuple[str, ...]
    material_names: dict[str, str] = field(default_factory=dict)


def missing_for_submission(facts: ApplicationFacts) -> list[tuple[str, str]]:
    """Everything still missing before submission, as (zh, en) lines for the enterprise's checklist."""
    missing: list[tuple[str, str]] = []
    if not facts.categories:
        missing.append(("请选择至少一个定制商品类别", "choose at least one custom-goods category"))
    if "other" in facts.categories and not facts.other_category_description.strip():
        missing.append(("选择“其他”类别时请说明具体商品", "describe the goods when choosing 'other'"))
    if not facts.service_stages:
        missing.append(
            (
                "请说明定制服务涵盖的环节（范围第1章：不适用于未涉及定制服务的企业）",
                "describe which custom-service stages you provide "
                "(clause 1: enterprises without custom service are out of scope)",
            )
        )
    if not facts.sites:
        missing.append(("请填写至少一个经营/生产场所", "add at least one site"))
    if not facts.declaration_made:
        missing.append(
            (
                "请确认第4.3条第3款声明：近3年内无重大生产安全事故、产品质量投诉及违法违规行为记录",
                "confirm the clause 4.3-3 declaration: "
                "no major safety accident, quality complaint or violation in 3 years",
            )
        )
    for code in facts.required_materials:
        if code not in facts.materials_present:
            name = facts.material_names.get(code, code)
            missing.append((f"缺少申请材料：{name}", f"missing application material: {code}"))
    return missing


def guard_submit(status: str, facts: ApplicationFacts) -> str:
    target = check_transition(status, Action.SUBMIT)
    missing = missing_for_submission(facts)
    if missing:
        raise RuleViolation(
            "申请尚不完整，不能提交：" + "；".join(zh for zh, _ in missing),
            "the application is incomplete: " + "; ".join(en for _, en in missing),
            "incomplete",
        )
    return target


def guard_resubmit(
    status: str,
    requested: frozenset[str],
    updated_since_request: frozenset[str],
    material_names: dict[str, str] | None = None,
) -> str:
    target = check_transition(status, Action.RESUBMIT)
    outstanding = sorted(requested - updated_since_request)
    if outstanding:
        names = material_names or {}
        raise RuleViolation(
            "以下材料尚未按要求补充：" + "、".join(names.get(code, code) for code in outstanding),
            "these materials have not been supplemented yet: " + ", ".join(outstanding),
            "supplement_outstanding",
        )
    return target


def guard_request_supplement(status: str, items: dict[str, str], known_materials: tuple[str, ...]) -> str:
    target = check_transition(status, Action.REQUEST_SUPPLEMENT)
    if not items:
        raise RuleViolation("请至少指出一项需要补充或修改的材料", "name at least one material to supplement", "empty")
    unknown = sorted(set(items) - set(known_materials))
    if unknown:
        raise RuleViolation(f"未知材料：{'、'.join(unknown)}", f"unknown materials: {', '.join(unknown)}", "unknown")
    blank = sorted(code for code, message in items.items() if not message.strip())
    if blank:
        raise RuleViolation(
            "请说明每项材料需要补充或修改的内容", "say what to add or change for each material", "no_message"
        )
    return target


def guard_not_accept(status: str, reason: str) -> str:
    target = check_transition(status, Action.NOT_ACCEPT)
    if not reason.strip():
        raise RuleViolation("不予受理必须说明理由", "a reason is required to not accept", "no_reason")
    return target


def may_edit_details(status: str) -> bool:
    """Application details are the enterprise's to edit only while it is a draft."""
    return status == S.DRAFT


def may_upload(status: str, material: str, requested: frozenset[str]) -> bool:
    """Uploads are open in a draft, and after submission only for the materials a clerk asked for."""
    if status == S.DRAFT:
        return True
    return status == S.SUPPLEMENT_REQUESTED and material in requested


def guard_upload(status: str, material: str, requested: frozenset[str]) -> None:
    if not may_upload(status, material, requested):
        if status == S.SUPPLEMENT_REQUESTED:
            raise RuleViolation(
                "该材料不在补充要求之内，不能修改",
                "this material was not asked for; it cannot be changed",
                "not_requested",
            )
        raise RuleViolation(
            f"申请状态为“{_label(status)}”，已提交的材料不能修改",
            "materials of a submitted application cannot be changed outside a supplement request",
            "locked",
        )


def acceptance_due(received: date, working_days: int, add_working_days) -> date:
    """The last day to decide on acceptance: N working days after the day the materials were received.

    Clause 6 申请受理 2. After a supplement the complete materials are received anew, so the
    period starts again from the resubmission day (see docs/decisions.md A2).
    """
    return add_working_days(received, working_days)


def deadline_state(due: date | None, today: date) -> str:
    """'overdue', 'today', 'soon' (within 2 days) or 'ok' — for queues ordered by deadline."""
    if due is None:
        return "ok"
    if due < today:
        return "overdue"
    if due == today:
        return "today"
    return "soon" if (due - today).days <= 2 else "ok"


def may_plan_onsite_audit(status: str) -> bool:
    """Clause 6 文件审核 2: only after the corrections are verified effective may the on-site audit start."""
    return status == S.DOCUMENT_REVIEW_PASSED
