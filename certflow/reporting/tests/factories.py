"""Bare rows for the report tests: audits, teams, nonconformities and certificates with chosen dates.

The report reads records; how they got there is the other apps' business (their tests go through
the services). These factories set exactly the dates a month boundary test needs.
"""

from datetime import date, datetime, time, timedelta

import factory
from django.utils import timezone

from certflow.accounts.roles import StaffRole
from certflow.applications.tests.factories import ApplicationFactory
from certflow.auditors.models import AuditorProfile
from certflow.audits.domain import AuditStatus, AuditType
from certflow.audits.models import Audit, AuditSite, AuditTeamMember, ClosingMeeting, TeamRole
from certflow.certificates.domain import CertificateStatus
from certflow.certificates.models import Certificate, CertificateStatusChange
from certflow.core.schemes.services import scheme_version_for
from certflow.core.testing.factories import EnterpriseFactory, StaffFactory, UserFactory
from certflow.reviews.models import Nonconformity


def aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


class AuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audit

    reference = factory.Sequence(lambda n: f"SH2026-R{n:05d}")
    enterprise = factory.SubFactory(EnterpriseFactory)
    application = factory.SubFactory(
        ApplicationFactory,
        enterprise=factory.SelfAttribute("..enterprise"),
        categories=["custom_furniture"],
        service_stages=["solution_design", "manufacturing"],
    )
    scheme_version = factory.LazyFunction(scheme_version_for)
    audit_type = AuditType.INITIAL
    status = AuditStatus.NOTIFIED
    first_day = date(2026, 10, 12)
    last_day = factory.LazyAttribute(lambda o: o.first_day + timedelta(days=1))
    days = factory.LazyAttribute(lambda o: [o.first_day.isoformat(), o.last_day.isoformat()])
    notice_sent_on = factory.LazyAttribute(lambda o: o.first_day - timedelta(days=10))
    created_by = factory.SubFactory(UserFactory)


def auditor(*, lead: bool = False, number: str | None = None):
    roles = [StaffRole.AUDITOR, StaffRole.LEAD_AUDITOR] if lead else [StaffRole.AUDITOR]
    user = StaffFactory(roles=roles)
    if number != "":
        AuditorProfile.objects.create(
            user=user,
            qualification_number=number or f"CCAA-2025-{user.pk:05d}",
            valid_from=date(2025, 1, 1),
            valid_until=date(2028, 12, 31),
        )
    return user


def add_team(audit: Audit, *, lead: bool = True, members: int = 1, member_numbers: bool = True) -> Audit:
    planner = audit.created_by
    if lead:
        AuditTeamMember.objects.create(
            audit=audit, user=auditor(lead=True), role=TeamRole.LEAD_AUDITOR, added_by=planner
        )
    for _ in range(members):
        user = auditor(number=None if member_numbers else "")
        AuditTeamMember.objects.create(audit=audit, user=user, role=TeamRole.AUDITOR, added_by=planner)
    AuditSite.objects.create(audit=audit, kind="workshop", name="生产车间", address="深圳市南山区科技园1号")
    return audit


def planned(**kwargs) -> Audit:
    team = {k: kwargs.pop(k) for k in ("lead", "members", "member_numbers") if k in kwargs}
    return add_team(AuditFactory(**kwargs), **team)


def closed(*, closed_on: date, passed_on: date | None = None, majors: int = 0, minors: int = 0, **kwargs) -> Audit:
    """An audit whose closing meeting was held on `closed_on` (10:00 Beijing time)."""
    kwargs.setdefault("first_day", closed_on - timedelta(days=1))
    kwargs.setdefault("status", AuditStatus.PASSED if passed_on else AuditStatus.CORRECTIONS)
    audit = planned(
        closed_at=aware(closed_on),
        passed_at=aware(passed_on) if passed_on else None,
        started_at=aware(kwargs["first_day"], 9),
        **kwargs,
    )
    ClosingMeeting.objects.create(
        audit=audit,
        held_at=audit.closed_at,
        attendees=[{"name": "李组长", "title": "审核组长", "side": "cb"}],
        conclusion="推荐认证" if not majors else "严重不符合项验证关闭后推荐认证",
        recorded_by=audit.created_by,
    )
    for grade, count in (("major", majors), ("minor", minors)):
        for _ in range(count):
            NonconformityFactory(audit=audit, grade=grade)
    return audit


class NonconformityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nonconformity

    audit = None
    application = factory.LazyAttribute(lambda o: o.audit.application)
    stage = "onsite_audit"
    number = factory.Sequence(lambda n: f"NC-R{n:05d}")
    item_id = "4.1-1"
    grade = "minor"
    description = "记录不全"
    raised_by = factory.LazyAttribute(lambda o: o.audit.created_by)
    reported_on = factory.LazyAttribute(lambda o: o.audit.first_day)
    due_date = factory.LazyAttribute(lambda o: o.audit.first_day + timedelta(days=30))


class CertificateFactory(factory.django.DjangoModelFactory):
    """A certificate row with its issuance in the history, as certificate_issue leaves it (unsigned)."""

    class Meta:
        model = Certificate
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"OLS-GZ0056-2026-{n + 1:05d}")
    enterprise = factory.SubFactory(EnterpriseFactory)
    scheme_code = "CTS OLS/GZ-0056-2025"
    scheme_version_label = "A0"
    enterprise_name = factory.LazyAttribute(lambda o: o.enterprise.name)
    enterprise_uscc = factory.LazyAttribute(lambda o: o.enterprise.uscc)
    enterprise_address = factory.LazyAttribute(lambda o: o.enterprise.address)
    scope_categories = ["custom_furniture"]
    scope_text = "定制家具；服务环节：方案设计、生产制造"
    grade_code = "four_star"
    grade_name = "四星级"
    issued_on = date(2026, 10, 15)
    expires_on = factory.LazyAttribute(lambda o: o.issued_on.replace(year=o.issued_on.year + 3) - timedelta(days=1))
    status = CertificateStatus.VALID
    status_since = factory.LazyAttribute(lambda o: o.issued_on)
    signed_payload = "{}"
    signature = "unsigned-test-row"
    signing_key_id = "test"
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def history(obj, create, extracted, **kwargs):
        if create:
            CertificateStatusChange.objects.create(
                certificate=obj, from_status="", to_status=CertificateStatus.VALID, effective_on=obj.issued_on
            )


def change_status(certificate: Certificate, to_status: str, on: date, reason: str = "") -> Certificate:
    CertificateStatusChange.objects.create(
        certificate=certificate, from_status=certificate.status, to_status=to_status, effective_on=on, reason=reason
    )
    Certificate.objects.filter(pk=certificate.pk).update(status=to_status, status_since=on, status_reason=reason)
    certificate.refresh_from_db()
    return certificate
