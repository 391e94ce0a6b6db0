"""Re-certification: the window rule applied to an enterprise's certificates, and the tick's reminders.

5 认证模式 (a certificate valid 3 years, then re-certification); ISO/IEC 17021-1:2015 9.6.3 (re-certification
completed before expiry). The rule itself is `domain.check_recertification_application` (pure); the granting of
a re-certification (the new certificate superseding the old without a gap) is the decision app's.
"""

from datetime import date

from django.db import transaction

from certflow.certificates.domain import CertificateStatus
from certflow.certificates.models import Certificate
from certflow.core.events.services import record_event
from certflow.core.schemes.registry import get_scheme
from certflow.lifecycle import domain
from certflow.lifecycle.models import TickNotice
from certflow.lifecycle.sweeps import _once
from certflow.notifications.services import notify

ACTIVE = (CertificateStatus.VALID, CertificateStatus.SUSPENDED)
# An application still going (or granted) counts as "applied"; withdrawn, not accepted or refused ones do not.
DEAD_APPLICATION_STATUSES = ("withdrawn", "not_accepted", "refused")


def opens_months() -> int:
    deadline = get_scheme().deadline("recertification_opens")
    if deadline.unit != "months":
        raise ValueError(f"recertification_opens must be given in months, not {deadline.unit}")
    return deadline.amount


def current_certificate(enterprise_id: int) -> Certificate | None:
    """The enterprise's current-scheme certificate that re-certification would renew (the latest to expire)."""
    return (
        Certificate.objects.filter(enterprise_id=enterprise_id, is_legacy=False, status__in=ACTIVE)
        .order_by("-expires_on", "-id")
        .first()
    )


def check_may_apply(enterprise, today: date) -> domain.RecertificationWindow:
    """RuleViolation (zh/en, with the opening date) unless `enterprise` may apply for re-certification today."""
    certificate = current_certificate(enterprise.pk)
    return domain.check_recertification_application(
        expires_on=certificate.expires_on if certificate else None,
        status=certificate.status if certificate else None,
        today=today,
        months_before=opens_months(),
    )


def _applying(enterprise_ids) -> set[int]:
    """Which of these enterprises have a re-certification application that is not dead."""
    from certflow.applications.domain import ApplicationType
    from certflow.applications.models import Application

    return set(
        Application.objects.filter(enterprise_id__in=enterprise_ids, application_type=ApplicationType.RECERTIFICATION)
        .exclude(status__in=DEAD_APPLICATION_STATUSES)
        .values_list("enterprise_id", flat=True)
    )


def _message(day: date, certificate: Certificate, window: domain.RecertificationWindow) -> tuple[str, str]:
    days = (certificate.expires_on - day).days
    title = f"请申请再认证：证书 {certificate.number} 将于 {certificate.expires_on:%Y-%m-%d} 到期 / re-certification"
    body = (
        f"贵企业的认证证书 {certificate.number} 有效期至 {certificate.expires_on:%Y-%m-%d}（约 {days} 天后）。"
        f"再认证申请自 {window.opens_on:%Y-%m-%d} 起开放，请尽早提交，以便在到期前完成再认证。\n"
        f"Your certificate {certificate.number} expires on {certificate.expires_on:%Y-%m-%d} (in about {days} days). "
        f"Re-certification is open since {window.opens_on:%Y-%m-%d}; apply early so it is decided before expiry."
    )
    return title, body


def recertification_reminders_step(day: date) -> dict[str, int]:
    """再认证提醒: when the window opens, then 90 and 30 days before expiry, unless a re-certification
    application exists. Each (certificate, stage) is sent at most once (TickNotice)."""
    from certflow.certificates.services import enterprise_users

    months = opens_months()
    latest_expiry = domain.add_months(day, months)
    sent = 0
    rows = Certificate.objects.filter(
        is_legacy=False, status__in=ACTIVE, expires_on__gte=day, expires_on__lte=latest_expiry
    ).select_related("enterprise")
    candidates = []
    for certificate in rows.order_by("expires_on", "id"):
        due = domain.recertification_reminder_due(certificate.expires_on, today=day, months_before=months)
        if due:
            candidates.append((certificate, due))
    # Two queries for the whole window instead of two per certificate: most certificates in it were told
    # already, or their enterprise has applied (the daily run over 50,000 certificates, bench/RESULTS.md).
    # The TickNotice claim below stays the guard; these sets only skip what it would refuse.
    told = set(
        TickNotice.objects.filter(
            kind="certificate.recertification", key__in=[f"{c.pk}:{due[-1]}" for c, due in candidates]
        ).values_list("key", flat=True)
    )
    applying = _applying({c.enterprise_id for c, _due in candidates})
    for certificate, due in candidates:
        if f"{certificate.pk}:{due[-1]}" in told or certificate.enterprise_id in applying:
            continue
        with transaction.atomic():
            # The latest stage is the message; earlier ones a late first run skipped are marked passed.
            if not _once("certificate.recertification", f"{certificate.pk}:{due[-1]}", day):
                continue
            for earlier in due[:-1]:
                _once("certificate.recertification", f"{certificate.pk}:{earlier}", day)
            window = domain.recertification_window(certificate.expires_on, months)
            title, body = _message(day, certificate, window)
            notify(
                recipients=enterprise_users(certificate.enterprise_id),
                kind="certificate.recertification_due",
                enterprise=certificate.enterprise,
                title=title,
                body=body,
                url=f"/certificates/{certificate.pk}/",
            )
            record_event(
                actor=None,
                action="certificate.recertification_reminded",
                target=certificate,
                after={"stage": due[-1], "expires_on": certificate.expires_on, "day": day},
            )
            sent += 1
    return {"reminded": sent}
