"""Complaints and appeals (投诉 / 申诉): receive, acknowledge, assign, decide; the special-audit request.

ISO/IEC 17065:2012 7.13 and ISO/IEC 17021-1:2015 9.7–9.8: the CB acknowledges a complaint or appeal, tells
the person its progress and outcome, and decides through people not involved in what it concerns. Each
function is one transaction with one event.
"""

import secrets
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from certflow.accounts.roles import StaffRole
from certflow.core.events.services import record_event
from certflow.core.rules import RuleViolation
from certflow.core.sequences import next_value
from certflow.core.workdays.services import CalendarDataMissing, add_working_days
from certflow.lifecycle import domain
from certflow.lifecycle.domain import CaseAction, CaseKind, CaseStatus
from certflow.lifecycle.models import Case
from certflow.lifecycle.permissions import ONLY_CASES, may_handle_cases
from certflow.lifecycle.sweeps import staff_with_role
from certflow.notifications.services import notify

PREFIX = {CaseKind.COMPLAINT: "TS", CaseKind.APPEAL: "SS"}  # 投诉 / 申诉


def _today(today):
    return today or timezone.localdate()


def _guard_handler(by) -> None:
    if not may_handle_cases(by):
        zh, en = ONLY_CASES.split(" / ")
        raise RuleViolation(zh, en, "not_allowed")


def _deadlines(received_on: date) -> tuple[domain.CaseDeadlines, bool]:
    ack, decide = settings.CERTFLOW_CASE_ACKNOWLEDGE_WORKING_DAYS, settings.CERTFLOW_CASE_DECIDE_DAYS
    try:
        return domain.case_deadlines(
            received_on, ack_working_days=ack, decide_days=decide, add_working_days=add_working_days
        ), False
    except CalendarDataMissing:
        # Never refuse a complaint for a missing calendar year: count calendar days (never later) for now.
        return domain.case_deadlines(
            received_on, ack_working_days=ack, decide_days=decide, add_working_days=lambda d, n: d + timedelta(days=n)
        ), True


def _text(value: str, name_zh: str, name_en: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise RuleViolation(f"请填写{name_zh}", f"{name_en} is required", "required")
    if len(value) > limit:
        raise RuleViolation(
            f"{name_zh}不能超过 {limit} 个字符", f"{name_en} is longer than {limit} characters", "too_long"
        )
    return value


def _create(*, kind, by, today, **fields) -> Case:
    received_on = _today(today)
    deadlines, provisional = _deadlines(received_on)
    seq = next_value(f"case-{kind}-{received_on.year}")
    case = Case.objects.create(
        reference=f"{PREFIX[kind]}-{received_on.year}-{seq:04d}",
        kind=kind,
        tracking_code=secrets.token_urlsafe(12),
        submitted_by=by,
        received_on=received_on,
        acknowledge_by=deadlines.acknowledge_by,
        acknowledge_provisional=provisional,
        decide_by=deadlines.decide_by,
        **fields,
    )
    record_event(
        actor=by,
        action=f"{kind}.received",
        target=case,
        after={
            "reference": case.reference,
            "enterprise": getattr(case.enterprise, "uscc", ""),
            "acknowledge_by": case.acknowledge_by,
            "decide_by": case.decide_by,
        },
    )
    label = CaseKind(kind).label
    notify(
        recipients=staff_with_role(StaffRole.PROGRAMME_MANAGER),
        kind=f"{kind}.received",
        title=f"新{label}：{case.reference} / new {kind}",
        body=f"{case.description[:200]}\n确认期限 / acknowledge by {case.acknowledge_by:%Y-%m-%d}；"
        f"处理期限 / decide by {case.decide_by:%Y-%m-%d}",
        url=f"/lifecycle/cases/{case.pk}/",
    )
    return case


def complaint_receive(
    *,
    name: str,
    contact: str,
    description: str,
    subject_text: str = "",
    enterprise=None,
    certificate=None,
    by=None,
    today: date | None = None,
) -> Case:
    """投诉: from anyone (the public form needs no login), about a certified enterprise or the CB's work."""
    fields = {
        "complainant_name": _text(name, "姓名或单位", "your name", 100),
        "complainant_contact": _text(contact, "联系方式", "a contact", 200),
        "description": _text(description, "投诉内容", "the complaint", 5000),
        "subject_text": (subject_text or "").strip()[:200],
    }
    if certificate is not None:
        enterprise = certificate.enterprise
    with transaction.atomic():
        return _create(
            kind=CaseKind.COMPLAINT, by=by, today=today, enterprise=enterprise, certificate=certificate, **fields
        )


def appeal_lodge(
    *, by, enterprise, description: str, contact: str, certificate=None, application=None, today: date | None = None
) -> Case:
    """申诉: an enterprise user against a CB decision about its own certificate or application."""
    if by is None or by.is_cb_staff or not by.memberships.filter(enterprise=enterprise, ended_at__isnull=True).exists():
        raise RuleViolation(
            "只有企业本身的用户可以提出申诉", "only the enterprise's own users may appeal", "not_allowed"
        )
    if certificate is None and application is None:
        raise RuleViolation("请选择申诉针对的证书或申请", "choose the certificate or application appealed", "subject")
    for thing in (certificate, application):
        if thing is not None and thing.enterprise_id != enterprise.pk:
            raise RuleViolation("只能对本企业的证书或申请提出申诉", "you can appeal only your own decisions", "subject")
    fields = {
        "complainant_name": by.full_name or by.email,
        "complainant_contact": _text(contact, "联系方式", "a contact", 200),
        "description": _text(description, "申诉理由", "the grounds", 5000),
        "subject_text": certificate.number if certificate else application.reference,
    }
    with transaction.atomic():
        return _create(
            kind=CaseKind.APPEAL,
            by=by,
            today=today,
            enterprise=enterprise,
            certificate=certificate,
            application=application,
            **fields,
        )


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("enterprise", "certificate", "application")
        .get(pk=case.pk)
    )


def _tell_appellant(case: Case, kind: str, title: str, body: str) -> None:
    """The appellant's enterprise hears of progress (17065 7.13.6); a public complainant follows the tracking page."""
    if case.kind == CaseKind.APPEAL and case.enterprise_id:
        from certflow.certificates.services import enterprise_users

        notify(
            recipients=enterprise_users(case.enterprise_id),
            kind=kind,
            enterprise=case.enterprise,
            title=title,
            body=body,
            url=f"/lifecycle/cases/{case.pk}/",
        )


def case_acknowledge(*, by, case: Case, today: date | None = None) -> Case:
    _guard_handler(by)
    today = _today(today)
    with transaction.atomic():
        locked = _locked(case)
        before = locked.status
        locked.status = domain.check_case_transition(locked.status, CaseAction.ACKNOWLEDGE)
        locked.acknowledged_on = today
        locked.save(update_fields=["status", "acknowledged_on"])
        record_event(
            actor=by,
            action=f"{locked.kind}.acknowledged",
            target=locked,
            before={"status": before},
            after={"status": locked.status, "on": today, "late": today > locked.acknowledge_by},
        )
        _tell_appellant(
            locked,
            "appeal.acknowledged",
            f"申诉已受理：{locked.reference} / appeal acknowledged",
            f"我们已受理您的申诉，将于 {locked.decide_by:%Y-%m-%d} 前作出决定。\n"
            f"Your appeal is acknowledged; a decision follows by {locked.decide_by:%Y-%m-%d}.",
        )
    return locked


def _involved(case: Case, handler) -> bool:
    """The handler made the decision appealed (issued the certificate, decided the application)."""
    if case.certificate_id and case.certificate.created_by_id == handler.pk:
        return True
    return bool(case.application_id and case.application.decided_by_id == handler.pk)


def case_assign(*, by, case: Case, handler, today: date | None = None) -> Case:
    _guard_handler(by)
    if handler is None or not (handler.is_active and handler.is_cb_staff):
        raise RuleViolation("处理人须为在职的认证机构人员", "the handler must be active CB staff", "handler")
    with transaction.atomic():
        locked = _locked(case)
        before = {"status": locked.status, "handler": locked.handler_id}
        locked.status = domain.check_case_transition(
            locked.status, CaseAction.ASSIGN, handler_involved=_involved(locked, handler)
        )
        if locked.acknowledged_on is None:
            locked.acknowledged_on = _today(today)  # assigning a handler is also the acknowledgement
        locked.handler = handler
        locked.save(update_fields=["status", "handler", "acknowledged_on"])
        record_event(
            actor=by,
            action=f"{locked.kind}.assigned",
            target=locked,
            before=before,
            after={"status": locked.status, "handler": handler.pk},
        )
        notify(
            recipients=[handler],
            kind=f"{locked.kind}.assigned",
            title=f"请处理：{locked.reference} / please handle",
            body=locked.description[:300],
            url=f"/lifecycle/cases/{locked.pk}/",
        )
    return locked


def case_decide(*, by, case: Case, outcome: str, decision: str, today: date | None = None) -> Case:
    _guard_handler(by)
    today = _today(today)
    with transaction.atomic():
        locked = _locked(case)
        before = locked.status
        locked.status = domain.check_case_transition(locked.status, CaseAction.DECIDE, outcome=outcome, reason=decision)
        locked.outcome, locked.decision = outcome, decision.strip()
        locked.decided_on, locked.decided_by = today, by
        locked.save(update_fields=["status", "outcome", "decision", "decided_on", "decided_by"])
        record_event(
            actor=by,
            action=f"{locked.kind}.decided",
            target=locked,
            before={"status": before},
            after={"status": locked.status, "outcome": outcome, "late": today > locked.decide_by},
            reason=locked.decision,
        )
        _tell_appellant(
            locked,
            "appeal.decided",
            f"申诉处理结果：{locked.reference} / appeal decided",
            f"结论 / outcome: {locked.get_outcome_display()}\n{locked.decision}",
        )
    return locked


def special_audit_planner():
    """`certflow.audits.services.planning.special_audit_create` when the audits app offers it, else None."""
    try:
        from certflow.audits.services.planning import special_audit_create
    except ImportError:
        return None
    return special_audit_create


def case_request_special_audit(*, by, case: Case, reason: str = "", today: date | None = None) -> Case:
    """A complaint about a certified enterprise may call for a special audit (ISO/IEC 17021-1 9.6.4.2)."""
    _guard_handler(by)
    if case.kind != CaseKind.COMPLAINT or case.enterprise_id is None:
        raise RuleViolation(
            "只有针对具体企业的投诉可以要求特殊审核",
            "only a complaint about an enterprise can call for a special audit",
            "no_enterprise",
        )
    with transaction.atomic():
        locked = _locked(case)
        if locked.status == CaseStatus.CLOSED or locked.special_audit_requested:
            raise RuleViolation(
                "本案已结案或已要求特殊审核",
                "the case is closed or a special audit is already requested",
                "wrong_state",
            )
        create = special_audit_planner()
        reason = (reason or "").strip() or f"投诉 {locked.reference}：{locked.description[:150]}"
        if create is not None:
            audit = create(by=by, enterprise=locked.enterprise, reason=reason, application=None)
            locked.special_audit_reference = audit.reference
        locked.special_audit_requested = True
        locked.save(update_fields=["special_audit_requested", "special_audit_reference"])
        record_event(
            actor=by,
            action="complaint.special_audit_requested",
            target=locked,
            reason=reason,
            after={"audit": locked.special_audit_reference},
        )
    return locked
