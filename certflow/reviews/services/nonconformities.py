"""Writes of the nonconformity loop, shared by every stage: raise, answer with a corrective action, verify.

Clause 6 文件审核 2 (整改 → 整改报告 → 验证), 6 现场审核 3 and 6 持续监督 2 reuse these. Each function is
one transaction with its event and notifications.
"""

from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from certflow.applications.models import Application
from certflow.core.events.services import record_event
from certflow.core.rules import RuleViolation
from certflow.core.sequences import next_value
from certflow.reviews import domain
from certflow.reviews.domain import ActionDecision, NonconformityGrade, NonconformityStage
from certflow.reviews.models import CorrectiveAction, CorrectiveEvidence, DocumentReview, Nonconformity
from certflow.reviews.services.common import correction_due_info, enterprise_users, is_enterprise_user, notify

EVIDENCE_KINDS = frozenset({"pdf", "png", "jpeg", "docx", "xlsx", "doc", "xls"})
MAX_EVIDENCE_FILES = 10


def verifier_id(nonconformity: Nonconformity) -> int | None:
    """Who verifies corrections of this nonconformity: the person who raised it in that stage.

    Document review: the review's (current) reviewer. On-site and surveillance audits: the audit's
    current lead auditor (clause 6 现场审核 3; the lead decides corrective actions, decisions AC5).
    """
    if nonconformity.stage == NonconformityStage.DOCUMENT_REVIEW and nonconformity.review_id:
        return DocumentReview.objects.values_list("reviewer_id", flat=True).get(pk=nonconformity.review_id)
    if nonconformity.stage in domain.PLAN_STAGES and nonconformity.audit_id:
        from certflow.audits.models import AuditTeamMember, TeamRole

        return (
            AuditTeamMember.objects.filter(
                audit_id=nonconformity.audit_id, role=TeamRole.LEAD_AUDITOR, removed_at__isnull=True
            )
            .values_list("user_id", flat=True)
            .first()
        )
    return None


def _nc_url(nonconformity: Nonconformity) -> str:
    return f"/reviews/nonconformities/{nonconformity.pk}/"


def nonconformity_raise(
    *,
    by,
    application: Application | None = None,
    certificate=None,
    stage: str,
    item_id: str,
    grade: str,
    description: str,
    reported_on: date,
    review: DocumentReview | None = None,
    audit=None,
    notify_enterprise: bool = True,
) -> Nonconformity:
    """Raise one nonconformity with its number and correction deadline. Call inside the stage's transaction
    with the application (or certificate) locked; the number is NC-<application reference>-<nn>, counted per
    application across all stages. A surveillance audit raises it on the certificate instead: NC-<audit
    reference>-<nn>, counted per audit (decisions SV7)."""
    if stage not in NonconformityStage.values or grade not in NonconformityGrade.values:
        raise RuleViolation("不符合项的阶段或等级不正确", "unknown stage or grade of a nonconformity", "invalid")
    if not description.strip():
        raise RuleViolation("请描述不符合事实", "describe the finding", "no_description")
    owner = application or certificate
    if owner is None or (application is None and audit is None):
        raise RuleViolation(
            "不符合项须属于一项申请或一张证书（监督审核）",
            "a nonconformity belongs to an application or, from a surveillance audit, to a certificate",
            "no_owner",
        )
    due_date, due_provisional = correction_due_info(owner, grade, reported_on)
    if application is not None:
        n = next_value(f"nonconformity:{application.pk}")
        number = f"NC-{application.reference}-{n:02d}"
    else:
        n = next_value(f"nonconformity:audit:{audit.pk}")
        number = f"NC-{audit.reference}-{n:02d}"
    nonconformity = Nonconformity.objects.create(
        application=application,
        certificate=certificate,
        stage=stage,
        review=review,
        audit=audit,
        number=number,
        item_id=item_id,
        grade=grade,
        description=description.strip(),
        raised_by=by,
        reported_on=reported_on,
        due_date=due_date,
        due_provisional=due_provisional,
    )
    record_event(
        actor=by,
        action="nonconformity.raised",
        target=nonconformity,
        after={
            "number": nonconformity.number,
            "application": getattr(application, "reference", ""),
            "certificate": getattr(certificate, "number", ""),
            "stage": stage,
            "item": item_id,
            "grade": grade,
            "due_date": nonconformity.due_date,
            "due_provisional": due_provisional,
        },
    )
    if notify_enterprise:
        notify(
            recipients=enterprise_users(owner),
            kind="nonconformity.raised",
            enterprise=owner.enterprise,
            title=f"不符合项 {nonconformity.number}，请于 {nonconformity.due_date:%Y-%m-%d} 前整改",
            body=nonconformity.description,
            url=_nc_url(nonconformity),
        )
    return nonconformity


def _inspect(files) -> list:
    from certflow.core.uploads import UploadRejected, inspect_upload

    if len(files) > MAX_EVIDENCE_FILES:
        raise RuleViolation(
            f"每次最多上传 {MAX_EVIDENCE_FILES} 个证据文件",
            f"at most {MAX_EVIDENCE_FILES} evidence files per submission",
            "too_many_files",
        )
    inspected = []
    for upload in files:
        name, data = (upload if isinstance(upload, tuple) else (upload.name, upload))[:2]
        try:
            result = inspect_upload(
                name,
                data,
                allowed=EVIDENCE_KINDS,
                max_bytes=getattr(settings, "CERTFLOW_UPLOAD_MAX_BYTES", 20 << 20),
            )
        except UploadRejected as exc:
            raise RuleViolation(exc.zh, exc.en, "upload_" + str(exc.code)) from None
        inspected.append((result, data))
    return inspected


def _lock_nonconformity(nonconformity: Nonconformity) -> Nonconformity:
    return (
        Nonconformity.objects.select_for_update(of=("self",))
        .select_related("application__enterprise", "certificate__enterprise")
        .get(pk=nonconformity.pk)
    )


def corrective_action_submit(
    *,
    by,
    nonconformity: Nonconformity,
    cause_analysis: str,
    correction: str,
    corrective_action: str,
    files=(),
) -> CorrectiveAction:
    """The enterprise's corrective-action report (整改报告) for one nonconformity, with evidence files."""
    from certflow.core.files import storing

    inspected = _inspect(list(files))  # before the transaction: reading files takes time, locks should not
    with storing() as store, transaction.atomic():
        locked = _lock_nonconformity(nonconformity)
        if not is_enterprise_user(by, locked.owner):
            raise RuleViolation(
                "只有该企业的用户可以提交整改报告",
                "only the enterprise's own users may submit its corrective actions",
                "not_enterprise",
            )
        target = domain.guard_corrective_action(
            locked.state, cause_analysis=cause_analysis, correction=correction, corrective_action=corrective_action
        )
        action = CorrectiveAction.objects.create(
            nonconformity=locked,
            round=locked.actions.count() + 1,
            cause_analysis=cause_analysis.strip(),
            correction=correction.strip(),
            corrective_action=corrective_action.strip(),
            submitted_by=by,
        )
        stored = []
        for result, data in inspected:
            storage_name = store(result, data, folder=f"reviews/nonconformities/{locked.pk}")
            stored.append(
                CorrectiveEvidence.objects.create(
                    action=action,
                    original_name=result.safe_name,
                    storage_name=storage_name,
                    kind=result.kind,
                    content_type=result.content_type,
                    size=result.size,
                    sha256=result.sha256,
                    uploaded_by=by,
                )
            )
        before = locked.state
        locked.state = target
        locked.save(update_fields=["state"])
        record_event(
            actor=by,
            action="nonconformity.action_submitted",
            target=locked,
            before={"state": before},
            after={
                "state": target,
                "round": action.round,
                "files": [{"name": f.original_name, "sha256": f.sha256, "size": f.size} for f in stored],
            },
        )
        verifier = verifier_id(locked)
        if verifier:
            from certflow.accounts.models import User

            notify(
                recipients=User.objects.filter(pk=verifier),
                kind="nonconformity.action_submitted",
                enterprise=locked.owner.enterprise,
                title=f"整改报告待验证：{locked.number}（第 {action.round} 轮）",
                body=f"{locked.owner.enterprise.name} 已提交整改报告。 / A corrective action awaits verification.",
                url=_nc_url(locked),
            )
    return action


def _lock_for_decision(action: CorrectiveAction) -> tuple[Nonconformity, CorrectiveAction]:
    nonconformity = _lock_nonconformity(action.nonconformity)
    locked = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    return nonconformity, locked


def _guard_pending(action: CorrectiveAction) -> None:
    if action.decision != ActionDecision.PENDING:
        raise RuleViolation(
            f"第 {action.round} 轮整改报告已处理（{action.get_decision_display()}）",
            f"round {action.round} was already decided ({action.decision})",
            "decided",
        )


def corrective_action_accept(*, by, action: CorrectiveAction, comment: str = "") -> CorrectiveAction:
    """The reviewer verifies the correction effective: the nonconformity is closed. When it was the last
    open one of a document review, the review passes at once (decisions R5)."""
    from certflow.reviews.services.review import review_pass

    with transaction.atomic():
        # The application (or certificate) first, as review_pass will lock it: one lock order for every writer.
        _lock_owner(action.nonconformity)
        nonconformity, locked = _lock_for_decision(action)
        target = domain.guard_accept(
            nonconformity.state, is_verifier=by.is_active and by.pk == verifier_id(nonconformity)
        )
        _guard_pending(locked)
        now = timezone.now()
        locked.decision, locked.decided_by, locked.decided_at, locked.comment = (
            ActionDecision.ACCEPTED,
            by,
            now,
            comment.strip(),
        )
        locked.save(update_fields=["decision", "decided_by", "decided_at", "comment"])
        before = nonconformity.state
        nonconformity.state, nonconformity.verified_by, nonconformity.verified_at = target, by, now
        nonconformity.closed_reason = comment.strip() or "整改有效，已验证关闭 / correction verified effective"
        nonconformity.save(update_fields=["state", "verified_by", "verified_at", "closed_reason"])
        record_event(
            actor=by,
            action="nonconformity.verified",
            target=nonconformity,
            reason=comment.strip(),
            before={"state": before},
            after={"state": target, "round": locked.round},
        )
        notify(
            recipients=enterprise_users(nonconformity.owner),
            kind="nonconformity.verified",
            enterprise=nonconformity.owner.enterprise,
            title=f"不符合项 {nonconformity.number} 整改已验证关闭",
            body=comment.strip() or "整改有效。 / The correction is verified effective.",
            url=_nc_url(nonconformity),
        )
        _audit_may_pass(by, nonconformity)
        _certificate_may_be_restored(by, nonconformity)
        review = nonconformity.review
        if (
            review is not None
            and review.status == domain.ReviewStatus.CORRECTIONS
            and domain.review_passes(review.nonconformities.values_list("state", flat=True))
        ):
            review_pass(by=by, review=review)
    return locked


def _decide(by, action: CorrectiveAction, nonconformity: Nonconformity, decision, target, comment, event) -> None:
    """Record the verifier's decision on a round and move the nonconformity, with its one event."""
    action.decision, action.decided_by, action.decided_at, action.comment = (
        decision,
        by,
        timezone.now(),
        comment.strip(),
    )
    action.save(update_fields=["decision", "decided_by", "decided_at", "comment"])
    before = nonconformity.state
    nonconformity.state = target
    nonconformity.save(update_fields=["state"])
    record_event(
        actor=by,
        action=event,
        target=nonconformity,
        reason=comment.strip(),
        before={"state": before},
        after={"state": target, "round": action.round},
    )


def corrective_action_return(*, by, action: CorrectiveAction, comment: str) -> CorrectiveAction:
    """The reviewer finds the correction not yet effective: the enterprise answers again (a new round)."""
    with transaction.atomic():
        nonconformity, locked = _lock_for_decision(action)
        target = domain.guard_return(
            nonconformity.state, is_verifier=by.is_active and by.pk == verifier_id(nonconformity), comment=comment
        )
        _guard_pending(locked)
        _decide(by, locked, nonconformity, ActionDecision.RETURNED, target, comment, "nonconformity.returned")
        notify(
            recipients=enterprise_users(nonconformity.owner),
            kind="nonconformity.returned",
            enterprise=nonconformity.owner.enterprise,
            title=f"不符合项 {nonconformity.number} 的整改被退回，请于 {nonconformity.due_date:%Y-%m-%d} 前重新提交",
            body=comment.strip(),
            url=_nc_url(nonconformity),
        )
    return locked


def _lock_owner(nonconformity: Nonconformity) -> None:
    if nonconformity.application_id:
        Application.objects.select_for_update().get(pk=nonconformity.application_id)
    else:
        from certflow.certificates.models import Certificate

        Certificate.objects.select_for_update().get(pk=nonconformity.certificate_id)


def _certificate_may_be_restored(by, nonconformity: Nonconformity) -> None:
    """A certificate suspended for a surveillance audit's major nonconformities is restored once all of them
    are verified (6 持续监督 2; decisions SV7)."""
    if nonconformity.certificate_id and nonconformity.audit_id:
        from certflow.surveillance.services import restore_if_corrected

        restore_if_corrected(by=by, audit_id=nonconformity.audit_id)


def _audit_may_pass(by, nonconformity: Nonconformity) -> None:
    """An on-site audit passes as soon as its pass rule holds, as a document review does (decisions AC7)."""
    if nonconformity.audit_id:
        from certflow.audits.services.conduct import audit_pass_if_ready

        audit_pass_if_ready(by=by, audit_id=nonconformity.audit_id)


def corrective_action_accept_plan(*, by, action: CorrectiveAction, comment: str = "") -> CorrectiveAction:
    """The lead auditor accepts a minor on-site nonconformity's correction plan (整改计划已接受): the round is
    decided, the enterprise later submits the completed correction for verification (decisions AC6)."""
    with transaction.atomic():
        _lock_owner(action.nonconformity)
        nonconformity, locked = _lock_for_decision(action)
        target = domain.guard_accept_plan(
            nonconformity.state,
            grade=nonconformity.grade,
            stage=nonconformity.stage,
            is_verifier=by.is_active and by.pk == verifier_id(nonconformity),
        )
        _guard_pending(locked)
        _decide(by, locked, nonconformity, ActionDecision.PLAN_ACCEPTED, target, comment, "nonconformity.plan_accepted")
        notify(
            recipients=enterprise_users(nonconformity.owner),
            kind="nonconformity.plan_accepted",
            enterprise=nonconformity.owner.enterprise,
            title=f"不符合项 {nonconformity.number} 的整改计划已接受",
            body=(comment.strip() or "整改计划可行。")
            + " 请按计划完成整改后提交整改证据。 / Complete the correction as planned and submit its evidence.",
            url=_nc_url(nonconformity),
        )
        _audit_may_pass(by, nonconformity)
    return locked


def nonconformity_report(*, by, nonconformity: Nonconformity, reported_on: date) -> Nonconformity:
    """Count a nonconformity's deadline from the day it is formally reported (an on-site audit's closing
    meeting, where the deadlines are announced). Call inside the stage's transaction."""
    due_date, due_provisional = correction_due_info(nonconformity.owner, nonconformity.grade, reported_on)
    before = {"reported_on": nonconformity.reported_on, "due_date": nonconformity.due_date}
    if before == {"reported_on": reported_on, "due_date": due_date}:
        return nonconformity
    nonconformity.reported_on, nonconformity.due_date, nonconformity.due_provisional = (
        reported_on,
        due_date,
        due_provisional,
    )
    nonconformity.save(update_fields=["reported_on", "due_date", "due_provisional"])
    record_event(
        actor=by,
        action="nonconformity.reported",
        target=nonconformity,
        before=before,
        after={"reported_on": reported_on, "due_date": due_date, "due_provisional": due_provisional},
    )
    return nonconformity
