"""Writes of the on-site audit itself: start, record findings and evidence, raise and confirm
nonconformities, hold the closing meeting, pass.

Clause 6 现场审核 2–3 and 5 认证模式 2. Each function is one transaction with its event and notifications.
Lock order everywhere: application → audit → finding / nonconformity → corrective action.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from certflow.accounts.models import User
from certflow.applications.domain import Action as ApplicationAction
from certflow.applications.domain import ApplicationStatus
from certflow.applications.models import Application
from certflow.applications.services import application_advance
from certflow.audits import domain
from certflow.audits.domain import AuditStatus, AuditType
from certflow.audits.models import Audit, ClosingMeeting, Finding, FindingFile, NonconformityConfirmation, TeamRole
from certflow.audits.permissions import is_enterprise_user, team_role
from certflow.audits.selectors import audit_items, scheme_of
from certflow.core.events.services import record_event
from certflow.core.rules import RuleViolation
from certflow.reviews.domain import Answer, ChecklistResult, NonconformityStage, answer_problems
from certflow.reviews.models import Nonconformity

FINDING_FILE_KINDS = frozenset({"jpeg", "png", "pdf"})
MAX_CLIENT_TOKEN = 64


def today_or(today: date | None) -> date:
    return today or timezone.localdate(timezone=timezone.get_default_timezone())


def _notify(**kwargs) -> None:
    from certflow.notifications.services import notify

    notify(**kwargs)


def _url(audit: Audit, suffix: str = "") -> str:
    return f"/audits/{audit.pk}/{suffix}"


def _enterprise_users(audit: Audit):
    return User.objects.filter(
        memberships__enterprise_id=audit.enterprise_id, memberships__ended_at__isnull=True, is_active=True
    ).distinct()


def _team_users(audit: Audit):
    return User.objects.filter(
        audit_memberships__audit=audit, audit_memberships__removed_at__isnull=True, is_active=True
    ).distinct()


def _planners():
    from certflow.accounts.roles import StaffRole

    return User.objects.filter(
        role_grants__role=StaffRole.PROGRAMME_MANAGER, role_grants__revoked_at__isnull=True, is_active=True
    ).distinct()


def _lock(audit_id: int) -> Audit:
    return (
        Audit.objects.select_for_update(of=("self",))
        .select_related("enterprise", "application", "certificate", "scheme_version")
        .get(pk=audit_id)
    )


def _lock_application(audit: Audit) -> Application | None:
    """The application, or for a surveillance audit the certificate, locked first (one lock order)."""
    if not audit.application_id:
        if audit.certificate_id:
            from certflow.certificates.models import Certificate

            Certificate.objects.select_for_update().get(pk=audit.certificate_id)
        return None
    return Application.objects.select_for_update().select_related("enterprise").get(pk=audit.application_id)


def _guard_team(by, audit: Audit) -> str:
    role = team_role(by, audit) if by.is_active else None
    if role is None:
        raise RuleViolation(
            "只有本次审核的审核组成员可以进行此操作", "only a member of this audit team may do this", "not_team"
        )
    return role


def _guard_lead(by, audit: Audit) -> None:
    if _guard_team(by, audit) != TeamRole.LEAD_AUDITOR:
        raise RuleViolation(
            "只有本次审核的审核组长可以进行此操作", "only this audit's lead auditor may do this", "not_lead"
        )


def _move(audit: Audit, action: str, *, by, target: str | None = None, extra: dict | None = None) -> None:
    previous = audit.status
    audit.status = domain.check_transition(previous, action, target)
    record_event(
        actor=by,
        action=f"audit.{action}",
        target=audit,
        before={"status": previous},
        after={"status": audit.status, **(extra or {})},
    )


def _nc_stage(audit: Audit) -> str:
    return (
        NonconformityStage.SURVEILLANCE
        if audit.audit_type == AuditType.SURVEILLANCE
        else NonconformityStage.ONSITE_AUDIT
    )


# --- start ---------------------------------------------------------------------------------------


def audit_start(*, by, audit: Audit, today: date | None = None) -> Audit:
    """The lead auditor opens the on-site audit (首次会议) on or after the first audit day."""
    today = today_or(today)
    with transaction.atomic():
        locked = _lock(audit.pk)
        _guard_lead(by, locked)
        domain.guard_start(locked.status, today=today, first_day=locked.first_day)
        _move(locked, domain.AuditAction.START, by=by, extra={"started_on": today})
        locked.started_at = timezone.now()
        locked.save(update_fields=["status", "started_at"])
        _notify(
            recipients=_enterprise_users(locked),
            kind="audit.started",
            enterprise=locked.enterprise,
            title=f"现场审核已开始（{locked.reference}）",
            body="审核组已开始现场审核。 / The on-site audit has started.",
            url=_url(locked),
        )
    return locked


# --- findings ------------------------------------------------------------------------------------


def _snapshot(finding: Finding | None) -> dict | None:
    if finding is None:
        return None
    return {"result": finding.result, "note": finding.note, "na_reason": finding.na_reason}


@dataclass(frozen=True)
class Saved:
    finding: Finding
    replayed: bool  # the same client_token was saved before: nothing was written this time
    changed: bool


def finding_record(
    *,
    by,
    audit: Audit,
    item_id: str,
    result: str,
    note: str = "",
    na_reason: str = "",
    revision: int | None,
    client_token: str = "",
) -> Saved:
    """Record (or change) the team's finding for one item while the audit is in progress.

    `revision` is the revision the auditor's edit started from (0 for an item not recorded yet): an edit
    based on an older one is refused as a conflict, never written over another auditor's work. A phone that
    lost its connection re-sends with the same `client_token`: a second arrival of a save already applied is
    answered with the stored finding and changes nothing (decisions AC1).
    """
    client_token = (client_token or "").strip()[:MAX_CLIENT_TOKEN]
    answer = Answer(item_id=item_id, result=result, note=(note or "").strip(), na_reason=(na_reason or "").strip())
    with transaction.atomic():
        locked = _lock(audit.pk)
        _guard_team(by, locked)
        existing = Finding.objects.select_for_update().filter(audit=locked, item_id=item_id).first()
        if existing is not None and client_token and existing.client_token == client_token:
            return Saved(existing, replayed=True, changed=False)
        domain.guard_checklist_open(locked.status)
        if item_id not in {item.id for item in audit_items(locked)}:
            raise RuleViolation(
                f"第 {item_id} 项不属于本次现场审核的检查项目",
                f"{item_id} is not an item this audit checks",
                "unknown_item",
            )
        problems = answer_problems(answer)
        if problems:
            raise RuleViolation(
                "；".join(zh for zh, _ in problems), "; ".join(en for _, en in problems), "invalid_entry"
            )
        domain.guard_revision(existing.revision if existing else 0, revision)
        raised = Nonconformity.objects.filter(audit=locked, item_id=item_id).values_list("number", flat=True).first()
        if raised:
            raise RuleViolation(
                f"该项已开具不符合项 {raised}，不能再修改审核发现",
                f"nonconformity {raised} was raised from this item; its finding can no longer change",
                "nonconformity_raised",
            )
        before = _snapshot(existing)
        finding = existing or Finding(audit=locked, item_id=item_id, revision=0)
        finding.result, finding.note, finding.na_reason = answer.result, answer.note, answer.na_reason
        if before == _snapshot(finding):
            return Saved(finding, replayed=False, changed=False)
        finding.recorded_by, finding.recorded_at = by, timezone.now()
        finding.revision += 1
        finding.client_token = client_token
        finding.save()
        record_event(
            actor=by,
            action="audit.finding_recorded",
            target=locked,
            before={"item": item_id, **(before or {})},
            after={"item": item_id, "revision": finding.revision, **_snapshot(finding)},
        )
    return Saved(finding, replayed=False, changed=True)


def finding_file_add(*, by, audit: Audit, item_id: str, name: str, data) -> FindingFile:
    """A photo (jpeg/png) or PDF taken on site as evidence for a recorded finding. Files are only added."""
    from certflow.core.files import storing
    from certflow.core.uploads import UploadRejected, inspect_upload

    try:  # before the transaction: reading a file takes time, locks should not
        inspected = inspect_upload(
            name, data, allowed=FINDING_FILE_KINDS, max_bytes=getattr(settings, "CERTFLOW_UPLOAD_MAX_BYTES", 20 << 20)
        )
    except UploadRejected as exc:
        raise RuleViolation(exc.zh, exc.en, "upload_" + str(exc.code)) from None
    with storing() as store, transaction.atomic():
        locked = _lock(audit.pk)
        _guard_team(by, locked)
        domain.guard_checklist_open(locked.status)
        finding = Finding.objects.filter(audit=locked, item_id=item_id).first()
        if finding is None:
            raise RuleViolation(
                f"请先记录第 {item_id} 项的审核结果，再上传证据",
                f"record item {item_id}'s result before adding evidence",
                "no_finding",
            )
        storage_name = store(inspected, data, folder=f"audits/{locked.pk}/findings")
        file = FindingFile.objects.create(
            finding=finding,
            original_name=inspected.safe_name,
            storage_name=storage_name,
            kind=inspected.kind,
            content_type=inspected.content_type,
            size=inspected.size,
            sha256=inspected.sha256,
            uploaded_by=by,
        )
        record_event(
            actor=by,
            action="audit.finding_file_added",
            target=locked,
            after={"item": item_id, "name": file.original_name, "sha256": file.sha256, "size": file.size},
        )
    return file


# --- nonconformities ----------------------------------------------------------------------------


def nonconformity_raise_from_finding(*, by, audit: Audit, item_id: str, today: date | None = None) -> Nonconformity:
    """Write the nonconformity report (不符合项报告) of a minor/major finding: a `reviews.Nonconformity` of the
    on-site stage, numbered like the review's. Its deadline is counted again from the closing meeting."""
    from certflow.reviews.services import nonconformity_raise

    today = today_or(today)
    with transaction.atomic():
        application = _lock_application(audit)
        locked = _lock(audit.pk)
        _guard_team(by, locked)
        domain.guard_checklist_open(locked.status)
        if application is None and not locked.certificate_id:
            raise RuleViolation(
                "该审核没有关联申请或证书，无法开具不符合项",
                "this audit has no application or certificate to raise it on",
                "no_application",
            )
        finding = Finding.objects.filter(audit=locked, item_id=item_id).first()
        if finding is None or finding.result not in (ChecklistResult.MINOR, ChecklistResult.MAJOR):
            raise RuleViolation(
                f"第 {item_id} 项未评为不符合，不能开具不符合项",
                f"item {item_id} is not recorded as a nonconformity",
                "not_nonconforming",
            )
        existing = Nonconformity.objects.filter(audit=locked, item_id=item_id).values_list("number", flat=True).first()
        if existing:
            raise RuleViolation(f"该项已开具不符合项 {existing}", f"{existing} was already raised", "already_raised")
        nc = nonconformity_raise(
            by=by,
            application=application,
            certificate=None if application is not None else locked.certificate,
            stage=_nc_stage(locked),
            item_id=item_id,
            grade=finding.result,
            description=finding.note,
            reported_on=today,
            audit=locked,
            notify_enterprise=False,
        )
        _notify(
            recipients=_enterprise_users(locked),
            kind="audit.nonconformity_to_confirm",
            enterprise=locked.enterprise,
            title=f"现场审核不符合项 {nc.number} 待企业代表确认",
            body=nc.description + " / Please confirm this nonconformity before the closing meeting.",
            url=_url(locked, "closing/"),
        )
    return nc


def nonconformity_confirm(
    *, by, nonconformity: Nonconformity, representative_name: str = "", representative_title: str = "", remark: str = ""
) -> NonconformityConfirmation:
    """The enterprise representative confirms an on-site nonconformity before the closing meeting: in his own
    account, or given on site and recorded by an auditor with the representative's name and title."""
    with transaction.atomic():
        locked_nc = (
            Nonconformity.objects.select_for_update(of=("self",)).select_related("audit").get(pk=nonconformity.pk)
        )
        if locked_nc.audit_id is None:
            raise RuleViolation("该不符合项不属于现场审核", "not an on-site nonconformity", "not_onsite")
        audit = _lock(locked_nc.audit_id)
        own_account = is_enterprise_user(by, audit) and by.is_active
        if not own_account:
            _guard_team(by, audit)
        domain.guard_checklist_open(audit.status)
        if NonconformityConfirmation.objects.filter(nonconformity=locked_nc).exists():
            raise RuleViolation("该不符合项已经确认", "this nonconformity is already confirmed", "already_confirmed")
        name = (representative_name or "").strip() or (by.full_name if own_account else "")
        if not name:
            raise RuleViolation(
                "请填写确认的企业代表姓名", "name the enterprise representative who confirms", "no_name"
            )
        confirmation = NonconformityConfirmation.objects.create(
            nonconformity=locked_nc,
            representative_name=name[:100],
            representative_title=(representative_title or "").strip()[:100],
            enterprise_user=by if own_account else None,
            recorded_by=by,
            remark=(remark or "").strip(),
        )
        record_event(
            actor=by,
            action="audit.nonconformity_confirmed",
            target=audit,
            after={
                "nonconformity": locked_nc.number,
                "representative": confirmation.representative_name,
                "title": confirmation.representative_title,
                "own_account": own_account,
                "remark": confirmation.remark,
            },
        )
        if own_account:
            _notify(
                recipients=_team_users(audit),
                kind="audit.nonconformity_confirmed",
                title=f"企业已确认不符合项 {locked_nc.number}",
                body=f"{name} 已确认。" + (f" 意见：{confirmation.remark}" if confirmation.remark else ""),
                url=_url(audit, "closing/"),
            )
    return confirmation


# --- closing meeting and passing ---------------------------------------------------------------------


def _clean_attendees(attendees) -> list[dict]:
    cleaned = []
    for row in attendees or []:
        name = str(row.get("name", "")).strip()[:100]
        if not name:
            continue
        side = row.get("side") if row.get("side") in ("cb", "enterprise") else "enterprise"
        cleaned.append({"name": name, "title": str(row.get("title", "")).strip()[:100], "side": side})
    return cleaned


def closing_facts(audit: Audit, *, attendees: list[dict], conclusion: str) -> domain.ClosingFacts:
    items = [item.id for item in audit_items(audit)]
    findings = {f.item_id: f for f in Finding.objects.filter(audit=audit)}
    ncs = {nc.item_id: nc for nc in Nonconformity.objects.filter(audit=audit).select_related("confirmation")}
    problems = []
    for item in items:
        if item in findings:
            f = findings[item]
            problems.extend(answer_problems(Answer(item, f.result, f.note, f.na_reason)))
    return domain.ClosingFacts(
        status=audit.status,
        unanswered=tuple(item for item in items if item not in findings),
        entry_problems=tuple(problems),
        findings_without_nc=tuple(
            item
            for item in items
            if item in findings
            and findings[item].result in (ChecklistResult.MINOR, ChecklistResult.MAJOR)
            and item not in ncs
        ),
        unconfirmed=tuple(
            nc.number for nc in sorted(ncs.values(), key=lambda n: n.number) if not hasattr(nc, "confirmation")
        ),
        cb_attendees=sum(1 for a in attendees if a["side"] == "cb"),
        enterprise_attendees=sum(1 for a in attendees if a["side"] == "enterprise"),
        conclusion=conclusion,
    )


def closing_meeting_hold(
    *,
    by,
    audit: Audit,
    held_at: datetime,
    attendees: list[dict],
    conclusion: str,
    recommendation: str = "",
    today: date | None = None,
) -> ClosingMeeting:
    """末次会议: record attendees, the conclusion and the nonconformities with their deadlines, counted from the
    meeting day (correction_major / correction_minor of the scheme). No nonconformity → the audit and the
    application pass at once (COMPLETE_ONSITE → onsite_audit_passed); otherwise the correction loop opens."""
    from certflow.reviews.services.nonconformities import nonconformity_report

    reported_on = today_or(today)
    attendees = _clean_attendees(attendees)
    with transaction.atomic():
        application = _lock_application(audit)
        locked = _lock(audit.pk)
        _guard_lead(by, locked)
        ncs = list(Nonconformity.objects.select_for_update().filter(audit=locked).order_by("number"))
        facts = closing_facts(locked, attendees=attendees, conclusion=conclusion)
        target = domain.guard_close(facts, len(ncs))
        for nc in ncs:
            nonconformity_report(by=by, nonconformity=nc, reported_on=reported_on)
        meeting = ClosingMeeting.objects.create(
            audit=locked,
            held_at=held_at,
            attendees=attendees,
            conclusion=conclusion.strip(),
            recommendation=(recommendation or "").strip(),
            recorded_by=by,
        )
        now = timezone.now()
        _move(
            locked,
            domain.AuditAction.CLOSE,
            by=by,
            target=target,
            extra={"reported_on": reported_on, "nonconformities": [nc.number for nc in ncs]},
        )
        locked.closed_at = now
        locked.passed_at = now if target == AuditStatus.PASSED else None
        locked.save(update_fields=["status", "closed_at", "passed_at"])
        if locked.audit_type == AuditType.SURVEILLANCE and locked.certificate_id:
            from certflow.surveillance.services import after_surveillance_closing

            after_surveillance_closing(by=by, audit=locked, nonconformities=ncs, today=reported_on)
        if application is not None and application.status == ApplicationStatus.ONSITE_AUDIT:
            application_advance(
                by=by,
                application=application,
                action=ApplicationAction.COMPLETE_ONSITE,
                target=ApplicationStatus.ONSITE_CORRECTIONS if ncs else ApplicationStatus.ONSITE_AUDIT_PASSED,
            )
        if ncs:
            first_due = min(nc.due_date for nc in ncs)
            body = (
                f"末次会议已召开，共 {len(ncs)} 个不符合项，最早须于 {first_due:%Y年%m月%d日} 前提交整改报告。"
                f" / The closing meeting listed {len(ncs)} nonconformities; the first corrective action is due by "
                f"{first_due:%Y-%m-%d}."
            )
        else:
            body = "末次会议已召开，现场审核通过，未发现不符合项。 / The on-site audit passed with no nonconformity."
        _notify(
            recipients=_enterprise_users(locked),
            kind="audit.closed",
            enterprise=locked.enterprise,
            title=f"现场审核末次会议已召开（{locked.reference}）",
            body=body,
            url=_url(locked, "closing/"),
        )
        _notify(
            recipients=_planners(),
            kind="audit.closed",
            title=f"现场审核末次会议：{locked.enterprise.name}（{locked.reference}）",
            body=body,
            url=_url(locked, "closing/"),
        )
    return meeting


def pass_problems_for(audit: Audit) -> tuple[list[tuple[str, str]], tuple[str, ...]]:
    """What still keeps the audit from passing, as (zh, en), and the minors that would pass on a plan."""
    return _pass_problems(audit)


def _pass_problems(audit: Audit):
    from certflow.reviews.domain import ActionDecision, NonconformityState
    from certflow.reviews.models import CorrectiveAction

    gates = scheme_of(audit).grading
    # A plan once accepted stays accepted while the enterprise carries it out (its completion may await
    # verification, or be returned for more work): the nonconformity still counts as on plan.
    planned = set(
        CorrectiveAction.objects.filter(nonconformity__audit=audit, decision=ActionDecision.PLAN_ACCEPTED).values_list(
            "nonconformity_id", flat=True
        )
    )
    facts = [
        domain.NonconformityFacts(
            nc.number,
            nc.grade,
            NonconformityState.PLAN_ACCEPTED
            if nc.pk in planned and nc.state != NonconformityState.VERIFIED
            else nc.state,
        )
        for nc in Nonconformity.objects.filter(audit=audit).order_by("number")
    ]
    return domain.pass_problems(
        facts,
        open_major_allowed=gates.open_major_allowed,
        open_minor_needs_accepted_plan=gates.open_minor_needs_accepted_plan,
    )


def audit_pass(*, by, audit: Audit) -> Audit:
    """The on-site stage passes by the scheme's rule (majors verified; minors verified or their plan accepted
    when the gate allows). The minors passing on a plan are recorded on the audit (decisions AC6)."""
    with transaction.atomic():
        application = _lock_application(audit)
        locked = _lock(audit.pk)
        _guard_lead(by, locked)
        return _pass(by, locked, application)


def _pass(by, locked: Audit, application: Application | None) -> Audit:
    problems, on_plan = _pass_problems(locked)
    domain.guard_pass(locked.status, problems)
    _move(locked, domain.AuditAction.PASS, by=by, extra={"passed_on_plan": list(on_plan)})
    locked.passed_at, locked.passed_on_plan = timezone.now(), list(on_plan)
    locked.save(update_fields=["status", "passed_at", "passed_on_plan"])
    if application is not None and application.status == ApplicationStatus.ONSITE_CORRECTIONS:
        application_advance(by=by, application=application, action=ApplicationAction.PASS_ONSITE)
    plan_note = f"（其中 {len(on_plan)} 个一般不符合项按已接受的整改计划继续整改）" if on_plan else ""
    body = f"全部不符合项已按规则关闭{plan_note}。 / Every nonconformity is closed by the scheme's rule."
    _notify(
        recipients=_enterprise_users(locked),
        kind="audit.passed",
        enterprise=locked.enterprise,
        title=f"现场审核通过（{locked.reference}）",
        body=body,
        url=_url(locked, "closing/"),
    )
    _notify(
        recipients=_planners(),
        kind="audit.passed",
        title=f"现场审核通过：{locked.enterprise.name}（{locked.reference}）",
        body=body,
        url=_url(locked, "closing/"),
    )
    return locked


def audit_pass_if_ready(*, by, audit_id: int) -> Audit | None:
    """Called by the nonconformity loop after each verification or accepted plan: pass when the rule holds.
    `by` is the lead who just decided; the caller's transaction holds the application lock."""
    audit = Audit.objects.select_related("application").get(pk=audit_id)
    application = _lock_application(audit)
    locked = _lock(audit_id)
    if locked.status != AuditStatus.CORRECTIONS or _pass_problems(locked)[0]:
        return None
    return _pass(by, locked, application)
