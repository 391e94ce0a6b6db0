"""Writes of the surveillance programme: the outcomes of a surveillance audit on its certificate, and the
daily sweep's reminders. Planning a surveillance audit is `certflow.audits.services.planning.
surveillance_audit_create` (the audit machinery); this module reacts to what the audit found.

Clause 6 持续监督 2: a major nonconformity suspends the certificate at once, with the reason; when every major
one of that audit is verified the certificate is restored; an unresolved suspension is revoked at the
scheme's maximum by the lifecycle's sweep (`certificates.suspension_max`), not here (decisions SV7).
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from certflow.accounts.models import User
from certflow.certificates.domain import CertificateStatus
from certflow.certificates.models import Certificate
from certflow.core.events.services import record_event
from certflow.surveillance import domain
from certflow.surveillance.models import SurveillanceReminder, SurveillanceSuspension


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _notify(**kwargs) -> None:
    from certflow.notifications.services import notify

    notify(**kwargs)


def programme_managers():
    from certflow.accounts.roles import StaffRole

    return User.objects.filter(
        role_grants__role=StaffRole.PROGRAMME_MANAGER, role_grants__revoked_at__isnull=True, is_active=True
    ).distinct()


def enterprise_users(enterprise_id: int):
    return User.objects.filter(
        memberships__enterprise_id=enterprise_id, memberships__ended_at__isnull=True, is_active=True
    ).distinct()


def _facts(ncs) -> list[domain.NcFacts]:
    return [domain.NcFacts(nc.number, nc.grade, nc.state) for nc in ncs]


def after_surveillance_closing(
    *, by, audit, nonconformities, today: date | None = None
) -> SurveillanceSuspension | None:
    """Called inside the closing meeting's transaction (certificate locked first). A major nonconformity
    suspends the certificate at once with the reason naming it; minor ones leave it valid (their
    correction runs by its deadline)."""
    from certflow.certificates.services import certificate_suspend

    today = _today(today)
    reason = domain.suspension_reason(audit.reference, _facts(nonconformities))
    if reason is None:
        return None
    certificate = Certificate.objects.get(pk=audit.certificate_id)
    majors = sorted(nc.number for nc in nonconformities if nc.grade == "major")
    suspended_here = certificate.status == CertificateStatus.VALID
    if suspended_here:
        # The sweep's and the closing's consequence, not a manager's decision: the certificate service's
        # role check is for people acting on the certificate page (by=None = by rule); the event below
        # names the lead auditor whose closing meeting caused it.
        certificate_suspend(by=None, certificate=certificate, reason=reason, today=today)
    suspension = SurveillanceSuspension.objects.create(
        audit=audit,
        certificate=certificate,
        nonconformities=majors,
        reason=reason,
        suspended_on=today,
        suspended_here=suspended_here,
    )
    record_event(
        actor=by,
        action="surveillance.certificate_suspended" if suspended_here else "surveillance.major_while_suspended",
        target=certificate,
        reason=reason,
        after={"audit": audit.reference, "nonconformities": majors, "status": certificate.status},
    )
    _notify(
        recipients=programme_managers(),
        kind="surveillance.suspended",
        title=f"监督审核发现严重不符合项，证书 {certificate.number} 已暂停",
        body=reason,
        url=f"/surveillance/certificates/{certificate.pk}/",
    )
    return suspension


def restore_if_corrected(*, by, audit_id: int, today: date | None = None) -> bool:
    """After a verification: when every major nonconformity of the surveillance audit is verified, the
    certificate suspended for it is restored. Does nothing when the certificate has meanwhile been revoked,
    expired or restored, or was suspended for another cause (SV7)."""
    from certflow.certificates.services import certificate_restore
    from certflow.reviews.models import Nonconformity

    today = _today(today)
    suspension = (
        SurveillanceSuspension.objects.select_for_update(of=("self",))
        .select_related("audit", "certificate")
        .filter(audit_id=audit_id, restored_on__isnull=True, suspended_here=True)
        .first()
    )
    if suspension is None:
        return False
    ncs = Nonconformity.objects.filter(audit_id=audit_id)
    if not domain.restore_due(_facts(ncs)):
        return False
    certificate = suspension.certificate
    certificate.refresh_from_db()
    if certificate.status != CertificateStatus.SUSPENDED:
        return False
    reason = domain.restore_reason(suspension.audit.reference, _facts(ncs))
    certificate_restore(by=None, certificate=certificate, reason=reason, today=today)
    suspension.restored_on = today
    suspension.save(update_fields=["restored_on"])
    record_event(
        actor=by,
        action="surveillance.certificate_restored",
        target=certificate,
        reason=reason,
        after={"audit": suspension.audit.reference, "status": CertificateStatus.VALID},
    )
    _notify(
        recipients=programme_managers(),
        kind="surveillance.restored",
        title=f"证书 {certificate.number} 已恢复有效",
        body=reason,
        url=f"/surveillance/certificates/{certificate.pk}/",
    )
    return True


# --- the daily sweep -------------------------------------------------------------------------------


def _record_once(certificate: Certificate, kind: str, window: domain.Window, day: date) -> bool:
    try:
        with transaction.atomic():
            SurveillanceReminder.objects.create(
                certificate=certificate,
                window=window.number,
                kind=kind,
                day=day,
                window_opens=window.opens,
                window_closes=window.closes,
            )
        return True
    except IntegrityError:
        return False


def _tell(certificate: Certificate, kind: str, window: domain.Window, managers: list) -> None:
    url = f"/surveillance/certificates/{certificate.pk}/"
    span = f"{window.opens:%Y-%m-%d} 至 {window.closes:%Y-%m-%d}"
    span_en = f"{window.opens:%Y-%m-%d} to {window.closes:%Y-%m-%d}"
    if kind == domain.ReminderKind.OPENED:
        body = (
            f"证书 {certificate.number}（{certificate.enterprise_name}）的第 {window.number} 次监督审核"
            f"须在 {span} 间进行"
            f"（第6章 持续监督 1）。\nSurveillance audit {window.number} of certificate {certificate.number} is due "
            f"between {span_en} (clause 6 surveillance 1)."
        )
        title = f"监督审核应安排：{certificate.number} / surveillance due"
        _notify(recipients=managers, kind="surveillance.due", title=title, body=body, url=url)
        _notify(
            recipients=enterprise_users(certificate.enterprise_id),
            kind="surveillance.due",
            enterprise=certificate.enterprise,
            title=title,
            body=body + "\n认证机构将与贵企业协商审核日期。 / The CB will agree the audit days with you.",
            url=f"/certificates/{certificate.pk}/",
        )
    else:
        body = (
            f"证书 {certificate.number}（{certificate.enterprise_name}）的第 {window.number} 次监督审核窗口已于 "
            f"{window.closes:%Y-%m-%d} 截止，尚未完成监督审核。\nSurveillance audit {window.number} of certificate "
            f"{certificate.number} was due by {window.closes:%Y-%m-%d} and has not been held."
        )
        _notify(
            recipients=managers,
            kind="surveillance.overdue",
            title=f"监督审核逾期：{certificate.number} / surveillance overdue",
            body=body,
            url=url,
        )
    record_event(
        actor=None,
        action=f"surveillance.{kind}",
        target=certificate,
        after={"window": window.number, "opens": window.opens, "closes": window.closes},
        reason=body.split("\n")[0],
    )


def surveillance_sweep(day: date) -> dict[str, int]:
    """监督审核提醒 (6 持续监督 1): tell once when a window opens (managers and the enterprise) and once when
    it has closed with no audit held (managers; an event). The reminder rows make a rerun change nothing."""
    from certflow.surveillance.programme_state import fill_missing
    from certflow.surveillance.selectors import audit_facts, certificate_windows, in_force

    managers = list(programme_managers())
    fill_missing()
    # Only a certificate whose next obligation has opened can owe a reminder: the windows before it are done
    # and the ones after it open later (SV11). The others are not loaded at all.
    certs = list(in_force().filter(next_obligation__opens__lte=day).order_by("id"))
    facts = audit_facts(certs)
    already = set(
        SurveillanceReminder.objects.filter(certificate__in=certs).values_list("certificate_id", "window", "kind")
    )
    counts = {"opened": 0, "overdue": 0}
    for cert in certs:
        obligations = domain.programme(certificate_windows(cert), facts.get(cert.pk, []), day)
        for kind, window in domain.reminders_due(obligations, day):
            if (cert.pk, window.number, kind) in already:
                continue
            if _record_once(cert, kind, window, day):
                _tell(cert, kind, window, managers)
                counts[kind] += 1
    return counts
