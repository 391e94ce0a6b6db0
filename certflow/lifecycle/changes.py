"""Major changes reported by the certified enterprise, and major events that suspend its certificate.

6 持续监督 2 (the CB suspends or revokes a certificate that no longer meets the requirements);
ISO/IEC 17065:2012 7.10–7.11 and ISO/IEC 17021-1:2015 8.5.3, 9.6.4.2, 9.6.5. Each function is one
transaction with its event and notifications; a suspension or restoration goes through
certflow.certificates.services, so the public verification shows it the moment it commits.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from certflow.accounts.roles import StaffRole
from certflow.certificates import services as certificate_services
from certflow.certificates.domain import CertificateStatus
from certflow.certificates.models import Certificate
from certflow.core.events.services import record_event
from certflow.core.rules import RuleViolation
from certflow.core.sequences import next_value
from certflow.lifecycle import domain
from certflow.lifecycle.cases import special_audit_planner
from certflow.lifecycle.domain import ChangeAssessment, ChangeKind, ChangeStatus, EventKind, EventStatus
from certflow.lifecycle.models import ChangeReport, MajorEvent
from certflow.lifecycle.permissions import guard_change_handler, guard_reporter, is_enterprise_member
from certflow.lifecycle.sweeps import staff_with_role
from certflow.notifications.services import notify


def _today(today):
    return today or timezone.localdate()


def _reference(prefix: str, day: date) -> str:
    return f"{prefix}-{day.year}-{next_value(f'lifecycle-{prefix}-{day.year}'):04d}"


def _managers():
    return staff_with_role(StaffRole.PROGRAMME_MANAGER)


def _tell_enterprise(row, *, kind: str, title: str, body: str, url: str) -> None:
    notify(
        recipients=certificate_services.enterprise_users(row.enterprise_id),
        kind=kind,
        enterprise=row.enterprise,
        title=title,
        body=body,
        url=url,
    )


# --- change reports -------------------------------------------------------------------------------------


def change_report_submit(
    *, by, certificate: Certificate, kind: str, description: str, effective_on: date | None, today=None
) -> ChangeReport:
    """重大变更报告: by the holder's user (or a programme manager recording what the enterprise said)."""
    guard_reporter(by, certificate)
    today = _today(today)
    description = (description or "").strip()
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().select_related("enterprise").get(pk=certificate.pk)
        domain.check_change_report(
            kind=kind, description=description, effective_on=effective_on, certificate_status=locked.status
        )
        if len(description) > 5000:
            raise RuleViolation(
                "变更内容不能超过 5000 个字符", "the description is longer than 5000 characters", "too_long"
            )
        report = ChangeReport.objects.create(
            reference=_reference("BG", today),
            certificate=locked,
            enterprise=locked.enterprise,
            kind=kind,
            description=description,
            effective_on=effective_on,
            submitted_by=by,
            submitted_on=today,
        )
        record_event(
            actor=by,
            action="change_report.submitted",
            target=report,
            after={
                "reference": report.reference,
                "certificate": locked.number,
                "kind": kind,
                "effective_on": effective_on,
            },
        )
        url = f"/lifecycle/changes/{report.pk}/"
        notify(
            recipients=_managers(),
            kind="change_report.submitted",
            title=f"重大变更待评估：{report.reference} / change to assess",
            body=f"{locked.enterprise.name}（{locked.number}）：{ChangeKind(kind).label}\n{description[:300]}",
            url=url,
        )
        if not is_enterprise_member(by, locked.enterprise_id):
            _tell_enterprise(
                report,
                kind="change_report.recorded",
                title=f"认证机构已登记贵企业的变更：{report.reference} / change recorded",
                body=f"{ChangeKind(kind).label}：{description[:300]}",
                url=url,
            )
    return report


def change_report_assess(*, by, report: ChangeReport, assessment: str, note: str = "", today=None) -> ChangeReport:
    """评估: no action, check at the next surveillance, a special audit, or a scope change.

    A special audit is planned through the audits app (short notice, ISO/IEC 17021-1 9.6.4.2); a scope change
    is carried out afterwards with the certificate's scope reduction (or a new application to extend it)."""
    guard_change_handler(by)
    today = _today(today)
    note = (note or "").strip()
    with transaction.atomic():
        locked = (
            ChangeReport.objects.select_for_update(of=("self",))
            .select_related("certificate", "enterprise")
            .get(pk=report.pk)
        )
        locked.status = domain.check_change_assessment(locked.status, assessment, note)
        if assessment == ChangeAssessment.SPECIAL_AUDIT_NEEDED:
            create = special_audit_planner()
            if create is not None:
                audit = create(
                    by=by,
                    enterprise=locked.enterprise,
                    reason=f"重大变更 {locked.reference}（{locked.get_kind_display()}）：{note}"[:500],
                    application=None,
                    today=today,
                )
                locked.special_audit_reference = audit.reference
        locked.assessment, locked.assessment_note = assessment, note
        locked.assessed_by, locked.assessed_on = by, today
        locked.save()
        record_event(
            actor=by,
            action="change_report.assessed",
            target=locked,
            before={"status": ChangeStatus.SUBMITTED},
            after={"status": locked.status, "assessment": assessment, "audit": locked.special_audit_reference},
            reason=note,
        )
        label = ChangeAssessment(assessment).label
        audit = (
            f"\n特殊审核 / special audit: {locked.special_audit_reference}" if locked.special_audit_reference else ""
        )
        _tell_enterprise(
            locked,
            kind="change_report.assessed",
            title=f"变更评估结论：{locked.reference} / change assessed",
            body=f"{label} / {domain.ASSESSMENT_EN[assessment]}\n{note}{audit}",
            url=f"/lifecycle/changes/{locked.pk}/",
        )
    return locked


# --- major events ---------------------------------------------------------------------------------------


def major_event_record(
    *, by, certificate: Certificate, kind: str, description: str, occurred_on: date | None, today=None
) -> MajorEvent:
    """重大事件: recorded by the CB or reported by the enterprise; the certificate is suspended at once.

    The enterprise cannot suspend its own certificate as a person, so when it reports, the suspension is the
    system's (by=None in the status history), caused by its report; the CB records it under its own name."""
    guard_reporter(by, certificate)
    today = _today(today)
    description = (description or "").strip()[:5000]
    from_enterprise = is_enterprise_member(by, certificate.enterprise_id)
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().select_related("enterprise").get(pk=certificate.pk)
        domain.check_major_event(
            kind=kind, description=description, occurred_on=occurred_on, today=today, status=locked.status
        )
        event = MajorEvent.objects.create(
            reference=_reference("ZD", today),
            certificate=locked,
            enterprise=locked.enterprise,
            kind=kind,
            description=description,
            occurred_on=occurred_on,
            reported_by_enterprise=from_enterprise,
            submitted_by=by,
            recorded_on=today,
            suspended_certificate=locked.status == CertificateStatus.VALID,
        )
        if event.suspended_certificate:
            certificate_services.certificate_suspend(
                by=None if from_enterprise else by,
                certificate=locked,
                reason=domain.suspension_reason(kind, event.reference, description),
                today=today,
            )
        record_event(
            actor=by,
            action="major_event.recorded",
            target=event,
            after={
                "reference": event.reference,
                "certificate": locked.number,
                "kind": kind,
                "occurred_on": occurred_on,
                "suspended": event.suspended_certificate,
                "by_enterprise": from_enterprise,
            },
        )
        notify(
            recipients=_managers(),
            kind="major_event.recorded",
            title=f"重大事件：{event.reference}，证书 {locked.number} 已暂停 / major event, certificate suspended",
            body=f"{locked.enterprise.name}：{EventKind(kind).label}\n{description[:300]}",
            url=f"/lifecycle/events/{event.pk}/",
        )
    certificate.refresh_from_db()
    return event


def major_event_resolve(*, by, event: MajorEvent, resolution: str, restore: bool = True, today=None) -> MajorEvent:
    """The enterprise's correction is verified: close the event and, if asked, restore the certificate.

    Restoring is refused while another major event on the certificate is still open; a certificate suspended
    longer than the scheme's maximum has been revoked by the tick and cannot be restored."""
    guard_change_handler(by)
    today = _today(today)
    resolution = (resolution or "").strip()
    with transaction.atomic():
        locked = (
            MajorEvent.objects.select_for_update(of=("self",))
            .select_related("certificate", "enterprise")
            .get(pk=event.pk)
        )
        locked.status = domain.check_event_resolution(locked.status, resolution)
        if restore:
            others = MajorEvent.objects.filter(certificate=locked.certificate_id, status=EventStatus.OPEN).exclude(
                pk=locked.pk
            )
            open_refs = list(others.values_list("reference", flat=True))
            if open_refs:
                raise RuleViolation(
                    f"该证书还有未解决的重大事件（{'、'.join(open_refs)}），暂不能恢复",
                    f"other major events on this certificate are still open ({', '.join(open_refs)})",
                    "other_events_open",
                )
            certificate_services.certificate_restore(
                by=by,
                certificate=locked.certificate,
                reason=f"重大事件 {locked.reference} 已整改并验证 / major event resolved: {resolution[:200]}",
                today=today,
            )
            locked.restored_certificate = True
        locked.resolution, locked.resolved_by, locked.resolved_on = resolution, by, today
        locked.save()
        record_event(
            actor=by,
            action="major_event.resolved",
            target=locked,
            before={"status": EventStatus.OPEN},
            after={"status": locked.status, "restored": locked.restored_certificate},
            reason=resolution,
        )
        _tell_enterprise(
            locked,
            kind="major_event.resolved",
            title=f"重大事件已处理：{locked.reference} / major event resolved",
            body=resolution[:500],
            url=f"/lifecycle/events/{locked.pk}/",
        )
    return locked
