"""Writes of the document review (文件审核): assign, record the checklist, complete, pass.

Clause 6 文件审核 1–2. Each function is one transaction with its event and notifications.
Lock order everywhere: application → review → nonconformity → corrective action.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from certflow.applications.domain import Action, status_after_review
from certflow.applications.models import Application, AssignmentRole, MaterialFile
from certflow.applications.services import application_advance, assignment_add, assignment_end
from certflow.core.events.services import record_event
from certflow.core.rules import RuleViolation
from certflow.reviews import domain
from certflow.reviews.domain import Answer, NonconformityStage, ReviewStatus
from certflow.reviews.models import ChecklistEntry, DocumentReview
from certflow.reviews.selectors import review_items
from certflow.reviews.services.common import (
    enterprise_users,
    lock_application,
    notify,
    reviewer_facts,
    today_or,
)
from certflow.reviews.services.nonconformities import nonconformity_raise


def _guard_assigner(by) -> None:
    if not (by.is_cb_staff and by.is_active and by.roles & domain.ASSIGNER_ROLES):
        raise RuleViolation(
            "只有受理员或审核方案管理人员可以指派文件审核员",
            "only an acceptance clerk or a programme manager may assign a document reviewer",
            "not_assigner",
        )


def _guard_reviewer_acts(by, review: DocumentReview) -> None:
    if by.pk != review.reviewer_id or not by.is_active:
        raise RuleViolation(
            "只有被指派的文件审核员可以进行此操作",
            "only the assigned document reviewer may do this",
            "not_reviewer",
        )


def _review_url(review: DocumentReview) -> str:
    return f"/reviews/{review.pk}/"


def review_assign(*, by, application: Application, reviewer) -> DocumentReview:
    """Send an accepted application to document review with a qualified reviewer (START_REVIEW)."""
    _guard_assigner(by)
    with transaction.atomic():
        locked = lock_application(application)
        domain.guard_assign(locked.status, reviewer_facts(reviewer))
        review = DocumentReview.objects.create(application=locked, reviewer=reviewer, assigned_by=by)
        application_advance(by=by, application=locked, action=Action.START_REVIEW)
        assignment_add(by=by, application=locked, user=reviewer, role=AssignmentRole.DOCUMENT_REVIEWER)
        record_event(
            actor=by,
            action="review.assigned",
            target=review,
            after={"application": locked.reference, "reviewer": reviewer.pk},
        )
        notify(
            recipients=[reviewer],
            kind="review.assigned",
            enterprise=locked.enterprise,
            title=f"文件审核任务：{locked.enterprise.name}（{locked.reference}）",
            body="您被指派为该申请的文件审核员。 / You are assigned as the document reviewer.",
            url=_review_url(review),
        )
        notify(
            recipients=enterprise_users(locked),
            kind="review.started",
            enterprise=locked.enterprise,
            title=f"文件审核已开始（{locked.reference}）",
            body="认证机构已安排审核员审核您的申请材料。 / Document review of your application has started.",
            url=_review_url(review),
        )
    return review


def review_reassign(*, by, review: DocumentReview, reviewer, reason: str = "") -> DocumentReview:
    """Hand a review not yet passed to another reviewer; the checklist so far stays, with who recorded it."""
    _guard_assigner(by)
    with transaction.atomic():
        locked_application = lock_application(review.application)
        locked = DocumentReview.objects.select_for_update().get(pk=review.pk)
        domain.guard_reassign(locked.status, locked.reviewer_id, reviewer.pk, reviewer_facts(reviewer))
        previous = locked.reviewer
        for assignment in locked_application.assignments.filter(
            user=previous, role=AssignmentRole.DOCUMENT_REVIEWER, ended_at__isnull=True
        ):
            assignment_end(by=by, assignment=assignment)
        assignment_add(by=by, application=locked_application, user=reviewer, role=AssignmentRole.DOCUMENT_REVIEWER)
        locked.reviewer, locked.assigned_by, locked.assigned_at = reviewer, by, timezone.now()
        locked.save(update_fields=["reviewer", "assigned_by", "assigned_at"])
        record_event(
            actor=by,
            action="review.reassigned",
            target=locked,
            reason=reason,
            before={"reviewer": previous.pk},
            after={"reviewer": reviewer.pk},
        )
        notify(
            recipients=[reviewer],
            kind="review.assigned",
            enterprise=locked_application.enterprise,
            title=f"文件审核任务：{locked_application.enterprise.name}（{locked_application.reference}）",
            body="您被指派为该申请的文件审核员（接替）。 / You take over this document review.",
            url=_review_url(locked),
        )
    return locked


def _snapshot(entry: ChecklistEntry | None) -> dict | None:
    if entry is None:
        return None
    return {
        "result": entry.result,
        "note": entry.note,
        "na_reason": entry.na_reason,
        "evidence": entry.evidence_id,
        "evidence_page": entry.evidence_page,
    }


def _check_evidence(review: DocumentReview, evidence: MaterialFile | None) -> None:
    if evidence is None:
        return
    current = (
        evidence.application_id == review.application_id
        and evidence.withdrawn_at is None
        and not MaterialFile.objects.filter(replaces=evidence).exists()
    )
    if not current:
        raise RuleViolation(
            "证据文件须为本申请当前有效的申请材料文件",
            "the evidence must be a current material file of this application",
            "invalid_evidence",
        )


def checklist_record(
    *,
    by,
    review: DocumentReview,
    item_id: str,
    result: str,
    note: str = "",
    na_reason: str = "",
    evidence: MaterialFile | None = None,
    evidence_page: int | None = None,
) -> ChecklistEntry:
    """Record (or change) the reviewer's result for one item while the review is in progress."""
    answer = Answer(
        item_id=item_id,
        result=result,
        note=note.strip(),
        na_reason=na_reason.strip(),
        has_evidence=evidence is not None,
        evidence_page=evidence_page,
    )
    with transaction.atomic():
        locked = (
            DocumentReview.objects.select_for_update().select_related("application__scheme_version").get(pk=review.pk)
        )
        _guard_reviewer_acts(by, locked)
        domain.guard_record(locked.status, answer, (item.id for item in review_items(locked.application)))
        _check_evidence(locked, evidence)
        entry = ChecklistEntry.objects.filter(review=locked, item_id=item_id).first()
        before = _snapshot(entry)
        if entry is None:
            entry = ChecklistEntry(review=locked, item_id=item_id, recorded_by=by)
        entry.result, entry.note, entry.na_reason = result, answer.note, answer.na_reason
        entry.evidence, entry.evidence_page = evidence, evidence_page
        entry.recorded_by, entry.recorded_at = by, timezone.now()
        if before == _snapshot(entry):
            return entry  # nothing changed: no row, no event
        entry.save()
        if locked.started_at is None:
            locked.started_at = entry.recorded_at
            locked.save(update_fields=["started_at"])
        record_event(
            actor=by,
            action="review.entry_recorded",
            target=locked,
            before={"item": item_id, **(before or {})},
            after={"item": item_id, **_snapshot(entry)},
        )
    return entry


def _answers(review: DocumentReview) -> dict[str, Answer]:
    return {
        e.item_id: Answer(e.item_id, e.result, e.note, e.na_reason, e.evidence_id is not None, e.evidence_page)
        for e in review.entries.all()
    }


def review_complete(*, by, review: DocumentReview, summary: str, today: date | None = None) -> DocumentReview:
    """Issue the document-review report: raise a nonconformity for every minor/major entry, with its
    deadline counted from today, and move the application on (COMPLETE_REVIEW; passed when none)."""
    reported_on = today_or(today)
    with transaction.atomic():
        application = lock_application(review.application)
        locked = DocumentReview.objects.select_for_update().get(pk=review.pk)
        _guard_reviewer_acts(by, locked)
        item_ids = [item.id for item in review_items(application)]
        findings = domain.guard_complete(locked.status, item_ids, _answers(locked), summary)
        raised = [
            nonconformity_raise(
                by=by,
                application=application,
                stage=NonconformityStage.DOCUMENT_REVIEW,
                item_id=finding.item_id,
                grade=finding.grade,
                description=finding.description,
                reported_on=reported_on,
                review=locked,
                notify_enterprise=False,
            )
            for finding in findings
        ]
        now = timezone.now()
        locked.summary, locked.completed_at, locked.completed_on = summary.strip(), now, reported_on
        locked.status = ReviewStatus.CORRECTIONS if raised else ReviewStatus.PASSED
        locked.passed_at = None if raised else now
        locked.started_at = locked.started_at or now
        locked.save()
        application_advance(
            by=by, application=application, action=Action.COMPLETE_REVIEW, target=status_after_review(len(raised))
        )
        record_event(
            actor=by,
            action="review.completed",
            target=locked,
            after={
                "status": locked.status,
                "reported_on": reported_on,
                "nonconformities": [nc.number for nc in raised],
            },
        )
        if raised:
            first_due = min(nc.due_date for nc in raised)
            body = (
                f"文件审核报告已出具，共 {len(raised)} 个不符合项，最早须于 {first_due:%Y年%m月%d日} 前提交整改报告。"
                f" / The document-review report lists {len(raised)} nonconformities; the first corrective "
                f"action is due by {first_due:%Y-%m-%d}."
            )
        else:
            body = "文件审核通过，未发现不符合项。 / The document review passed with no nonconformities."
        notify(
            recipients=enterprise_users(application),
            kind="review.completed",
            enterprise=application.enterprise,
            title=f"文件审核报告已出具（{application.reference}）",
            body=body,
            url=_review_url(locked),
        )
    return locked


def review_pass(*, by, review: DocumentReview) -> DocumentReview:
    """The review passes when every nonconformity is verified (clause 6 文件审核 2): PASS_REVIEW.

    `corrective_action_accept` calls this when it verifies the last open nonconformity.
    """
    with transaction.atomic():
        application = lock_application(review.application)
        locked = DocumentReview.objects.select_for_update().get(pk=review.pk)
        states = list(locked.nonconformities.values_list("state", flat=True))
        domain.guard_pass(locked.status, states)
        locked.status, locked.passed_at = ReviewStatus.PASSED, timezone.now()
        locked.save(update_fields=["status", "passed_at"])
        application_advance(by=by, application=application, action=Action.PASS_REVIEW)
        record_event(actor=by, action="review.passed", target=locked, after={"nonconformities_verified": len(states)})
        notify(
            recipients=enterprise_users(application),
            kind="review.passed",
            enterprise=application.enterprise,
            title=f"文件审核通过（{application.reference}）",
            body="全部不符合项的整改已验证有效，可进入现场审核安排。"
            " / Every nonconformity is verified; the on-site audit can now be planned.",
            url=_review_url(locked),
        )
    return locked
