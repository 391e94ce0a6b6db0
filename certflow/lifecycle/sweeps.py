"""The work of the lifecycle's tick steps. Each function takes the day and returns counts; each is
idempotent on its own (what it did leaves nothing due, or a TickNotice row), so a retried step is harmless."""

from datetime import date

from django.db import IntegrityError, transaction

from certflow.accounts.models import User
from certflow.accounts.roles import StaffRole
from certflow.certificates import services as certificate_services
from certflow.certificates.domain import CertificateStatus
from certflow.certificates.models import Certificate
from certflow.certificates.selectors import recertified_enterprise_ids
from certflow.core.events.services import record_event
from certflow.core.schemes.registry import get_scheme
from certflow.lifecycle import domain
from certflow.lifecycle.models import TickNotice
from certflow.notifications.services import notify

ACTIVE = (CertificateStatus.VALID, CertificateStatus.SUSPENDED)


def staff_with_role(*roles: str):
    return User.objects.filter(
        is_active=True, role_grants__role__in=roles, role_grants__revoked_at__isnull=True
    ).distinct()


def legacy_lapse_candidates(day: date, queryset=None) -> list[Certificate]:
    """Legacy certificates that lapse on `day` (domain.lapse_due): not those whose enterprise re-certified in time."""
    transition = get_scheme().transition
    if day < transition.lapses_on:
        return []
    rows = list(
        (queryset if queryset is not None else Certificate.objects.all()).filter(
            is_legacy=True, status__in=ACTIVE, expires_on__gte=transition.lapses_on
        )
    )
    recertified = recertified_enterprise_ids({c.enterprise_id for c in rows})
    return [
        c
        for c in rows
        if domain.lapse_due(
            domain.LegacyFacts(c.status, c.expires_on, c.enterprise_id in recertified),
            day=day,
            lapses_on=transition.lapses_on,
        )
    ]


def lapse_legacy(day: date, queryset=None) -> int:
    """失效 (前言): each due legacy certificate through `certificate_lapse` (its own transaction, event and notice)."""
    due = legacy_lapse_candidates(day, queryset)
    for certificate in due:
        certificate_services.certificate_lapse(certificate=certificate, today=day)
    return len(due)


def certificates_step(day: date) -> dict[str, int]:
    # Not certificates_sweep(): it lapses every legacy certificate, also those whose enterprise re-certified
    # in time without the new certificate naming the old one (decisions L2).
    lapsed = lapse_legacy(day)
    expired = 0
    for certificate in Certificate.objects.filter(status__in=ACTIVE, expires_on__lt=day):
        certificate_services.certificate_expire(certificate=certificate, today=day)
        expired += 1
    return {"lapsed": lapsed, "expired": expired}


def suspension_max_step(day: date) -> dict[str, int]:
    """暂停期满未恢复 → 撤销 (decisions S6 suspension_max; ISO/IEC 17021-1:2015 9.6.5)."""
    limit = get_scheme().deadline("suspension_max")
    revoked = 0
    for certificate in Certificate.objects.filter(status=CertificateStatus.SUSPENDED).order_by("id"):
        if not domain.suspension_overrun(certificate.status_since, day=day, amount=limit.amount, unit=limit.unit):
            continue
        last = domain.suspension_last_day(certificate.status_since, limit.amount, limit.unit)
        reason = (
            f"暂停期满（{limit.amount} 个月，至 {last:%Y-%m-%d}）未恢复，依规撤销 / "
            f"suspended beyond the {limit.amount}-month maximum (until {last:%Y-%m-%d}) without restoration"
        )
        certificate_services.certificate_revoke(by=None, certificate=certificate, reason=reason, today=day)
        revoked += 1
    return {"revoked": revoked}


def _once(kind: str, key: str, day: date) -> bool:
    """Claim the right to send this reminder; False when it was sent before (by this or another runner)."""
    try:
        with transaction.atomic():
            TickNotice.objects.create(kind=kind, key=key, day=day)
        return True
    except IntegrityError:
        return False


def overdue_nonconformities_step(day: date) -> dict[str, int]:
    """整改逾期: tell the enterprise and the programme managers once per nonconformity (5-4, 6 持续监督 2)."""
    from certflow.certificates.services import enterprise_users
    from certflow.reviews.domain import AWAITING_ENTERPRISE
    from certflow.reviews.models import Nonconformity

    managers = list(staff_with_role(StaffRole.PROGRAMME_MANAGER))
    escalated = 0
    overdue = Nonconformity.objects.filter(state__in=AWAITING_ENTERPRISE, due_date__lt=day).select_related(
        "application__enterprise", "certificate__enterprise"
    )
    for nc in overdue.order_by("id"):
        with transaction.atomic():
            if not _once("nonconformity.overdue", str(nc.pk), day):
                continue
            enterprise = nc.enterprise
            # Surveillance nonconformities belong to a certificate, not an application.
            if nc.application_id:
                owner_zh, owner_en = f"申请 {nc.application.reference}", f"application {nc.application.reference}"
            else:
                owner_zh, owner_en = f"证书 {nc.certificate.number}", f"certificate {nc.certificate.number}"
            body = (
                f"不符合项 {nc.number}（{owner_zh}）"
                f"整改期限为 {nc.due_date:%Y-%m-%d}，已逾期未提交整改。\n"
                f"Nonconformity {nc.number} ({owner_en}) was due on "
                f"{nc.due_date:%Y-%m-%d} and no corrective action was submitted."
            )
            title = f"整改逾期：{nc.number} / corrective action overdue"
            url = f"/reviews/nonconformities/{nc.pk}/"
            notify(
                recipients=enterprise_users(enterprise.pk),
                kind="nonconformity.overdue",
                enterprise=enterprise,
                title=title,
                body=body,
                url=url,
            )
            notify(
                recipients=managers,
                kind="nonconformity.overdue",
                title=title,
                body=f"{enterprise.name}：{body}",
                url=url,
            )
            record_event(
                actor=None,
                action="nonconformity.escalated",
                target=nc,
                after={"due_date": nc.due_date, "state": nc.state, "day": day},
                reason="整改逾期 / corrective action overdue",
            )
            escalated += 1
    return {"escalated": escalated}


def acceptance_due_step(day: date) -> dict[str, int]:
    """受理期限 (6 申请受理 2, 5 working days): remind the clerks once per application and deadline."""
    from certflow.applications.domain import ApplicationStatus
    from certflow.applications.models import Application

    clerks = list(staff_with_role(StaffRole.ACCEPTANCE_CLERK))
    reminded = 0
    due = Application.objects.filter(status=ApplicationStatus.SUBMITTED, acceptance_due__lte=day).select_related(
        "enterprise"
    )
    for application in due.order_by("acceptance_due", "id"):
        with transaction.atomic():
            if not _once("application.acceptance_due", f"{application.pk}:{application.acceptance_due}", day):
                continue
            late = application.acceptance_due < day
            zh = "已逾期" if late else "今日到期"
            en = "is overdue" if late else "is due today"
            notify(
                recipients=clerks,
                kind="application.acceptance_due",
                title=f"受理期限{zh}：{application.reference} / acceptance {en}",
                body=(
                    f"{application.enterprise.name} 的申请 {application.reference} 受理截止日为 "
                    f"{application.acceptance_due:%Y-%m-%d}（{zh}）。\n"
                    f"The acceptance decision on {application.reference} {en} ({application.acceptance_due:%Y-%m-%d})."
                ),
                url=f"/applications/{application.pk}/",
            )
            reminded += 1
    return {"reminded": reminded}
