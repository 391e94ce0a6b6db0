"""Writes of certificates: issue, suspend, restore, revoke, expire, lapse, supersede, legacy import.

Each function is one transaction with one status-change row (when the status changes), one event and
the enterprise's notification. Nothing caches a certificate's status, so the public verification
page shows a change the moment the transaction commits.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from certflow.accounts.models import User
from certflow.certificates import domain, signing
from certflow.certificates.domain import CertificateAction, CertificateFacts, CertificateStatus
from certflow.certificates.models import Certificate, CertificateStatusChange
from certflow.certificates.selectors import recertified_enterprise_ids
from certflow.core.events.services import record_event
from certflow.core.rules import RuleViolation
from certflow.core.schemes.registry import get_scheme
from certflow.core.sequences import next_value


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _guard(by, roles: frozenset[str], zh: str, en: str) -> None:
    if by is None:
        return
    by.__dict__.pop("roles", None)  # a grant revoked a moment ago must count
    if not (by.is_active and by.is_cb_staff and by.roles & roles):
        raise RuleViolation(zh, en, "not_allowed")


def _guard_issuer(by) -> None:
    if by is None:
        raise RuleViolation("颁发证书须由具体人员操作", "a certificate is issued by a person", "not_allowed")
    _guard(
        by,
        domain.ISSUER_ROLES,
        "只有技术委员会委员、审核方案管理人员或系统管理员可以颁发证书",
        "only a technical committee member, a programme manager or an administrator may issue certificates",
    )


def _guard_status_changer(by) -> None:
    _guard(
        by,
        domain.STATUS_ROLES,
        "只有审核方案管理人员或系统管理员可以变更证书状态",
        "only a programme manager or an administrator may change a certificate's status",
    )


def enterprise_users(enterprise_id: int):
    return User.objects.filter(
        memberships__enterprise_id=enterprise_id, memberships__ended_at__isnull=True, is_active=True
    ).distinct()


def _notify(certificate: Certificate, *, kind: str, title: str, body: str) -> None:
    from certflow.notifications.services import notify

    notify(
        recipients=enterprise_users(certificate.enterprise_id),
        kind=kind,
        enterprise=certificate.enterprise,
        title=title,
        body=body,
        url=f"/certificates/{certificate.pk}/",
    )


@dataclass(frozen=True)
class Scope:
    categories: list[str]
    services: list[str]
    text: str
    text_en: str


def scope_from(scheme, scope: dict) -> Scope:
    """Check the scope against the scheme (codes it defines) and write it as the certificate prints it."""
    categories = list(scope.get("categories") or [])
    services = list(scope.get("services") or [])
    other = (scope.get("other_description") or "").strip()
    if not categories:
        raise RuleViolation("认证范围须至少包含一个定制商品类别", "the scope needs at least one category", "scope")
    known_categories = {c.code: c for c in scheme.scope.categories}
    known_services = {s.code: s for s in scheme.scope.service_stages}
    unknown = [c for c in categories if c not in known_categories] + [s for s in services if s not in known_services]
    if unknown:
        raise RuleViolation(
            f"认证规范中没有这些范围代码：{', '.join(unknown)}", f"unknown scope codes: {', '.join(unknown)}", "scope"
        )
    names_zh, names_en = [], []
    for code in categories:
        category = known_categories[code]
        if category.description_required and not other:
            raise RuleViolation("“其他”类别须说明具体商品", "describe the goods of the 'other' category", "scope")
        extra = f"（{other}）" if category.description_required else ""
        names_zh.append(category.name.zh + extra)
        names_en.append(category.name.en + (f" ({other})" if category.description_required else ""))
    text, text_en = "、".join(names_zh), ", ".join(names_en)
    if services:
        text += "；服务环节：" + "、".join(known_services[s].name.zh for s in services)
        text_en += "; service stages: " + ", ".join(known_services[s].name.en.lower() for s in services)
    return Scope(categories, services, text, text_en)


def _sign(certificate: Certificate) -> None:
    signed = signing.sign(claims_of(certificate))
    certificate.signed_payload, certificate.signature, certificate.signing_key_id = (
        signed.payload,
        signed.signature,
        signed.key_id,
    )


def claims_of(certificate: Certificate) -> signing.Claims:
    return signing.Claims(
        number=certificate.number,
        enterprise_name=certificate.enterprise_name,
        uscc=certificate.enterprise_uscc,
        scope=certificate.scope_text,
        grade=certificate.grade_name,
        scheme=f"{certificate.scheme_code} {certificate.scheme_version_label}",
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
    )


def _record_change(certificate, *, by, from_status: str, to_status: str, effective_on: date, reason: str):
    return CertificateStatusChange.objects.create(
        certificate=certificate,
        from_status=from_status,
        to_status=to_status,
        effective_on=effective_on,
        reason=reason,
        changed_by=by,
    )


def certificate_issue(
    *,
    by,
    enterprise,
    application=None,
    scheme_version,
    grade_code: str,
    scope: dict,
    issued_on: date,
    supersedes: Certificate | None = None,
    expires_on: date | None = None,
    today: date | None = None,
) -> Certificate:
    """颁发证书 (6 认证决定 2): a certificate of the grade decided, valid for the scheme's validity period.

    `supersedes`: the enterprise's certificate this one replaces (re-certification, legacy transition);
    it becomes "superseded" in the same transaction.
    `expires_on`: a replacement that keeps the replaced certificate's end (a reduced scope, decisions L-2 R3)
    instead of a new validity period; never later than a full period from `issued_on`.
    """
    _guard_issuer(by)
    today = _today(today)
    scheme = scheme_version.as_scheme()
    if issued_on > today:
        raise RuleViolation("颁证日期不能晚于今天", "the issue date cannot be in the future", "future_date")
    if issued_on < scheme.effective:
        raise RuleViolation(
            f"颁证日期早于{scheme.label}的实施日期 {scheme.effective:%Y-%m-%d}",
            f"the issue date is before {scheme.label} took effect ({scheme.effective:%Y-%m-%d})",
            "before_scheme",
        )
    grade = next((g for g in scheme.grading.grades if g.code == grade_code), None)
    if grade is None:
        raise RuleViolation(f"认证规范中没有资质等级“{grade_code}”", f"no grade {grade_code!r} in the scheme", "grade")
    checked_scope = scope_from(scheme, scope)
    validity = scheme.deadline("certificate_validity")
    if validity.unit != "years":
        raise RuleViolation("证书有效期须以年计", "the certificate validity must be given in years", "validity_unit")
    full_expiry = domain.expiry_for(issued_on, validity.amount)
    if expires_on is not None and not (issued_on <= expires_on <= full_expiry):
        raise RuleViolation(
            f"有效期至 {expires_on:%Y-%m-%d} 不在颁证日期与满期 {full_expiry:%Y-%m-%d} 之间",
            f"the expiry {expires_on:%Y-%m-%d} is not between the issue date and {full_expiry:%Y-%m-%d}",
            "expiry",
        )
    with transaction.atomic():
        old = None
        if supersedes is not None:
            old = Certificate.objects.select_for_update().get(pk=supersedes.pk)
            if old.enterprise_id != enterprise.pk:
                raise RuleViolation(
                    "只能换发同一企业的证书",
                    "a certificate can only replace one of the same enterprise",
                    "other_enterprise",
                )
            domain.check_transition(_facts(old), CertificateAction.SUPERSEDE, today=today)
        seq = next_value(domain.sequence_name(issued_on.year))
        number = domain.format_number(settings.CERTFLOW_CERTIFICATE_NUMBER_FORMAT, year=issued_on.year, seq=seq)
        if Certificate.objects.filter(number=number).exists():
            # An imported legacy number in our format: never reuse it, refuse loudly instead.
            raise RuleViolation(
                f"证书编号 {number} 已存在", f"certificate number {number} already exists", "number_taken"
            )
        certificate = Certificate(
            number=number,
            enterprise=enterprise,
            application=application,
            scheme_version=scheme_version,
            scheme_code=scheme.code,
            scheme_version_label=scheme.version,
            enterprise_name=enterprise.name,
            enterprise_uscc=enterprise.uscc,
            enterprise_address=enterprise.address,
            scope_categories=checked_scope.categories,
            scope_services=checked_scope.services,
            scope_text=checked_scope.text,
            scope_text_en=checked_scope.text_en,
            grade_code=grade.code,
            grade_name=grade.name.zh,
            grade_name_en=grade.name.en,
            issued_on=issued_on,
            expires_on=expires_on or full_expiry,
            status=CertificateStatus.VALID,
            status_since=issued_on,
            supersedes=old,
            created_by=by,
        )
        _sign(certificate)
        certificate.save()
        _record_change(
            certificate, by=by, from_status="", to_status=CertificateStatus.VALID, effective_on=issued_on, reason=""
        )
        if old is not None:
            _set_status(
                old, by=by, to_status=CertificateStatus.SUPERSEDED, effective_on=issued_on, reason=f"换发为 {number}"
            )
        record_event(
            actor=by,
            action="certificate.issued",
            target=certificate,
            after={
                "number": number,
                "enterprise": enterprise.uscc,
                "grade": grade.code,
                "issued_on": issued_on,
                "expires_on": certificate.expires_on,
                "supersedes": old.number if old else None,
                "key_id": certificate.signing_key_id,
            },
        )
        _notify(
            certificate,
            kind="certificate.issued",
            title=f"认证证书已颁发：{number}",
            body=(
                f"贵企业获得{grade.name.zh}等级定制商品服务认证证书，有效期至 {certificate.expires_on:%Y-%m-%d}。\n"
                f"Your certificate {number} ({grade.name.en}) is issued, valid until {certificate.expires_on:%Y-%m-%d}."
            ),
        )
    return certificate


def _other_description(scheme, certificate: Certificate) -> str:
    """The words the certificate printed for an "other" category (scope_from writes them in （）)."""
    for category in scheme.scope.categories:
        if category.description_required and category.code in certificate.scope_categories:
            found = re.search(re.escape(category.name.zh) + r"（(.+?)）", certificate.scope_text)
            if found:
                return found.group(1)
    return ""


def certificate_reduce_scope(
    *,
    by,
    certificate: Certificate,
    categories: list[str],
    services: list[str],
    reason: str,
    today: date | None = None,
) -> Certificate:
    """缩小认证范围 (ISO/IEC 17021-1:2015 9.6.5.1 c, ISO/IEC 17065:2012 7.11.1): the parts that no longer meet
    the requirements are excluded. A replacement certificate with the reduced scope, a new number and the SAME
    expiry (decisions LC3: a reduction is not a re-certification) supersedes the old one in one transaction."""
    _guard_status_changer(by)
    if by is None:
        raise RuleViolation("缩小认证范围须由具体人员操作", "a person reduces a scope", "not_allowed")
    today = _today(today)
    reason = (reason or "").strip()
    categories = list(dict.fromkeys(categories or []))
    services = list(dict.fromkeys(services or []))
    with transaction.atomic():
        old = (
            # of=self: PostgreSQL cannot lock the nullable side of the outer join to scheme_version.
            Certificate.objects.select_for_update(of=("self",))
            .select_related("enterprise", "scheme_version")
            .get(pk=certificate.pk)
        )
        domain.check_scope_reduction(
            status=old.status,
            old_categories=list(old.scope_categories),
            old_services=list(old.scope_services),
            categories=categories,
            services=services,
            reason=reason,
        )
        if old.expires_on < today:
            raise RuleViolation(
                f"证书已于 {old.expires_on:%Y-%m-%d} 到期",
                f"the certificate expired on {old.expires_on:%Y-%m-%d}",
                "expired",
            )
        scheme = old.scheme_version.as_scheme()
        # Keep the printed order of the codes (the scheme's order, as on the old certificate).
        categories = [c for c in old.scope_categories if c in categories]
        services = [s for s in old.scope_services if s in services]
        new = certificate_issue(
            by=by,
            enterprise=old.enterprise,
            application=old.application,
            scheme_version=old.scheme_version,
            grade_code=old.grade_code,
            scope={
                "categories": categories,
                "services": services,
                "other_description": _other_description(scheme, old),
            },
            issued_on=today,
            supersedes=old,
            expires_on=old.expires_on,
            today=today,
        )
        record_event(
            actor=by,
            action="certificate.scope_reduced",
            target=new,
            before={"number": old.number, "categories": old.scope_categories, "services": old.scope_services},
            after={"number": new.number, "categories": categories, "services": services, "expires_on": new.expires_on},
            reason=reason,
        )
        _notify(
            new,
            kind="certificate.scope_reduced",
            title=f"认证范围已缩小：{old.number} → {new.number}",
            body=(
                f"原证书 {old.number} 已换发为 {new.number}，认证范围：{new.scope_text}；有效期不变，至 "
                f"{new.expires_on:%Y-%m-%d}。原因：{reason}\n"
                f"Certificate {old.number} is replaced by {new.number} with a reduced scope ({new.scope_text_en}), "
                f"still valid until {new.expires_on:%Y-%m-%d}. Reason: {reason}"
            ),
        )
    certificate.refresh_from_db()
    return new


def _facts(certificate: Certificate) -> CertificateFacts:
    return CertificateFacts(
        status=certificate.status, expires_on=certificate.expires_on, is_legacy=certificate.is_legacy
    )


def _set_status(certificate: Certificate, *, by, to_status: str, effective_on: date, reason: str) -> None:
    from_status = certificate.status
    certificate.status, certificate.status_since, certificate.status_reason = to_status, effective_on, reason
    certificate.save(update_fields=["status", "status_since", "status_reason", "updated_at"])
    _record_change(
        certificate, by=by, from_status=from_status, to_status=to_status, effective_on=effective_on, reason=reason
    )


_MESSAGES = {
    CertificateAction.SUSPEND: ("认证证书已暂停", "Your certificate is suspended"),
    CertificateAction.RESTORE: ("认证证书已恢复有效", "Your certificate is valid again"),
    CertificateAction.REVOKE: ("认证证书已撤销", "Your certificate is revoked"),
    CertificateAction.EXPIRE: ("认证证书已过期", "Your certificate has expired"),
    CertificateAction.LAPSE: (
        "旧版认证证书已失效（过渡期届满）",
        "Your legacy certificate lapsed (transition period over)",
    ),
}


def _change(
    *, by, certificate: Certificate, action: str, reason: str, today: date, effective_on=None, lapses_on=None
) -> Certificate:
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().select_related("enterprise").get(pk=certificate.pk)
        before = locked.status
        target = domain.check_transition(_facts(locked), action, today=today, reason=reason, lapses_on=lapses_on)
        effective = effective_on or today
        _set_status(locked, by=by, to_status=target, effective_on=effective, reason=reason)
        record_event(
            actor=by,
            action=f"certificate.{action}",
            target=locked,
            before={"status": before},
            after={"status": target, "effective_on": effective},
            reason=reason,
        )
        zh, en = _MESSAGES[action]
        _notify(
            locked,
            kind=f"certificate.{action}",
            title=f"{zh}：{locked.number}",
            body=f"{zh}（自 {effective:%Y-%m-%d}）。{('原因：' + reason) if reason else ''}\n"
            f"{en} (from {effective:%Y-%m-%d}).{(' Reason: ' + reason) if reason else ''}",
        )
    certificate.refresh_from_db()
    return locked


def certificate_suspend(*, by, certificate: Certificate, reason: str, today: date | None = None) -> Certificate:
    """暂停 (6 持续监督 2): e.g. a major nonconformity found in surveillance."""
    _guard_status_changer(by)
    return _change(by=by, certificate=certificate, action=CertificateAction.SUSPEND, reason=reason, today=_today(today))


def certificate_restore(*, by, certificate: Certificate, reason: str = "", today: date | None = None) -> Certificate:
    """恢复: the cause of the suspension is corrected and verified."""
    _guard_status_changer(by)
    return _change(by=by, certificate=certificate, action=CertificateAction.RESTORE, reason=reason, today=_today(today))


def certificate_revoke(*, by, certificate: Certificate, reason: str, today: date | None = None) -> Certificate:
    """撤销 (6 持续监督 2)."""
    _guard_status_changer(by)
    return _change(by=by, certificate=certificate, action=CertificateAction.REVOKE, reason=reason, today=_today(today))


def certificate_expire(*, by=None, certificate: Certificate, today: date | None = None) -> Certificate:
    """过期: from the day after the last valid day; `by=None` is the daily sweep."""
    _guard_status_changer(by)
    return _change(
        by=by,
        certificate=certificate,
        action=CertificateAction.EXPIRE,
        reason="有效期届满 / validity period ended",
        today=_today(today),
        effective_on=certificate.expires_on + timedelta(days=1),
    )


def lapse_date() -> date:
    return get_scheme().transition.lapses_on


def certificate_lapse(*, by=None, certificate: Certificate, today: date | None = None) -> Certificate:
    """失效 (前言): a legacy certificate not re-certified under the current scheme by the transition deadline."""
    _guard_status_changer(by)
    lapses_on = lapse_date()
    return _change(
        by=by,
        certificate=certificate,
        action=CertificateAction.LAPSE,
        reason="过渡期届满未完成重新认证 / not re-certified by the end of the transition period",
        today=_today(today),
        effective_on=lapses_on,
        lapses_on=lapses_on,
    )


def certificates_sweep(*, today: date | None = None) -> dict[str, int]:
    """Write the expiries and lapses that are due (for `certflow tick`); idempotent, one transaction each."""
    today = _today(today)
    lapses_on = lapse_date()
    done = {"expired": 0, "lapsed": 0}
    active = [CertificateStatus.VALID, CertificateStatus.SUSPENDED]
    if today >= lapses_on:
        recertified = recertified_enterprise_ids()
        legacy = Certificate.objects.filter(status__in=active, is_legacy=True, expires_on__gte=lapses_on)
        for certificate in legacy.exclude(enterprise_id__in=recertified):
            certificate_lapse(certificate=certificate, today=today)
            done["lapsed"] += 1
    for certificate in Certificate.objects.filter(status__in=active, expires_on__lt=today):
        certificate_expire(certificate=certificate, today=today)
        done["expired"] += 1
    return done


def legacy_certificate_create(
    *,
    by,
    enterprise,
    number: str,
    scheme_code: str,
    scheme_version_label: str,
    grade_code: str,
    grade_name: str,
    scope_text: str,
    issued_on: date,
    expires_on: date,
    grade_name_en: str = "",
    scope_text_en: str = "",
    today: date | None = None,
) -> Certificate:
    """Record a certificate issued under the earlier scheme (前言), keeping its own number and dates.

    It is signed like any other, so the public page and the QR check work for it; whether it has
    lapsed follows from the transition deadline (effective_status and the sweep).
    """
    _guard_issuer(by)
    number = (number or "").strip()
    if not domain.NUMBER_INPUT.fullmatch(number):
        raise RuleViolation(
            "证书编号只能包含字母、数字、“.”、“_”和“-”",
            "a certificate number has letters, digits, '.', '_', '-' only",
            "number",
        )
    if expires_on <= issued_on or issued_on > _today(today):
        raise RuleViolation("证书日期不合理", "the certificate's dates are not plausible", "dates")
    if not scope_text.strip() or not grade_name.strip():
        raise RuleViolation("须填写认证范围和资质等级", "scope and grade are required", "required")
    with transaction.atomic():
        if Certificate.objects.filter(number=number).exists():
            raise RuleViolation(
                f"证书编号 {number} 已存在", f"certificate number {number} already exists", "number_taken"
            )
        certificate = Certificate(
            number=number,
            enterprise=enterprise,
            scheme_code=scheme_code,
            scheme_version_label=scheme_version_label,
            enterprise_name=enterprise.name,
            enterprise_uscc=enterprise.uscc,
            enterprise_address=enterprise.address,
            scope_text=scope_text.strip(),
            scope_text_en=scope_text_en.strip(),
            grade_code=grade_code,
            grade_name=grade_name.strip(),
            grade_name_en=grade_name_en.strip(),
            issued_on=issued_on,
            expires_on=expires_on,
            status=CertificateStatus.VALID,
            status_since=issued_on,
            is_legacy=True,
            created_by=by,
        )
        _sign(certificate)
        certificate.save()
        _record_change(
            certificate,
            by=by,
            from_status="",
            to_status=CertificateStatus.VALID,
            effective_on=issued_on,
            reason="旧版体系证书导入 / legacy certificate imported",
        )
        record_event(
            actor=by,
            action="certificate.legacy_imported",
            target=certificate,
            after={"number": number, "enterprise": enterprise.uscc, "issued_on": issued_on, "expires_on": expires_on},
        )
    return certificate
