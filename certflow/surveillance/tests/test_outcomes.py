"""Surveillance audits of a certificate and their outcomes (6 持续监督 2): a major suspends at once (public at
once), verification restores, the lifecycle's suspension maximum revokes; minors leave the certificate valid."""

from datetime import date

import pytest
from django.utils import timezone

from certflow.audits.domain import AuditStatus, AuditType
from certflow.audits.services import planning
from certflow.certificates.domain import CertificateStatus
from certflow.core.events.models import Event
from certflow.core.rules import RuleViolation
from certflow.reviews import services as review_services
from certflow.reviews.models import Nonconformity
from certflow.surveillance.domain import ObligationState
from certflow.surveillance.models import SurveillanceSuspension
from certflow.surveillance.selectors import certificate_programme
from certflow.surveillance.tests.helpers import AUDIT_DAYS, PLAN_DAY, held_surveillance, notified_surveillance

PUBLIC = "/api/v1/public/certificates/"


def submit(nc, user):
    return review_services.corrective_action_submit(
        by=user, nonconformity=nc, cause_analysis="原因", correction="纠正", corrective_action="措施"
    )


@pytest.fixture
def notified(programme_manager, cert_a, user_a, lead, member):
    return notified_surveillance(
        planner=programme_manager, certificate=cert_a, enterprise_user=user_a, lead=lead, members=[member]
    )


def test_surveillance_audit_is_for_the_certificate_and_its_next_window(programme_manager, cert_a):
    audit = planning.surveillance_audit_create(by=programme_manager, certificate=cert_a, today=PLAN_DAY)
    assert (audit.audit_type, audit.certificate_id, audit.application_id) == (AuditType.SURVEILLANCE, cert_a.pk, None)
    assert audit.surveillance_window == 1 and audit.enterprise_id == cert_a.enterprise_id
    assert planning.audit_categories(audit) == ["custom_furniture"]
    obligations = certificate_programme(cert_a, PLAN_DAY)
    assert obligations[0].state == ObligationState.PLANNED
    # The next one goes to window 2; window 1 cannot be planned twice.
    with pytest.raises(RuleViolation) as exc:
        planning.surveillance_audit_create(by=programme_manager, certificate=cert_a, window=1, today=PLAN_DAY)
    assert exc.value.code == "window_taken"
    second = planning.surveillance_audit_create(by=programme_manager, certificate=cert_a, today=PLAN_DAY)
    assert second.surveillance_window == 2
    assert Event.objects.filter(action="audit.created", target_id=str(audit.pk)).exists()


def test_only_programme_managers_plan_and_only_certificates_in_force(cert_a, lead_auditor, programme_manager):
    with pytest.raises(RuleViolation):
        planning.surveillance_audit_create(by=lead_auditor, certificate=cert_a, today=PLAN_DAY)
    from certflow.certificates.services import certificate_revoke

    certificate_revoke(by=programme_manager, certificate=cert_a, reason="企业申请注销", today=PLAN_DAY)
    with pytest.raises(RuleViolation) as exc:
        planning.surveillance_audit_create(by=programme_manager, certificate=cert_a, today=PLAN_DAY)
    assert exc.value.code == "not_in_force"
    with pytest.raises(RuleViolation) as exc:
        planning.surveillance_audit_create(by=programme_manager, certificate=cert_a, window=9, today=PLAN_DAY)


def test_the_checklist_is_the_surveillance_items(notified):
    from certflow.audits.selectors import audit_items
    from certflow.core.schemes.services import scheme_version_for

    expected = [i.id for i in scheme_version_for().as_scheme().items_for_stage("surveillance")]
    assert [i.id for i in audit_items(notified)] == expected


def test_a_major_suspends_at_once_and_the_public_sees_it(client, notified, lead_auditor, member, user_a, cert_a):
    minor, major = held_surveillance(
        notified, lead=lead_auditor, member=member, results={"4.1-2": "minor", "4.3-1": "major"}, user=user_a
    )
    assert major.certificate_id == cert_a.pk and major.application_id is None and major.stage == "surveillance"
    assert major.number.startswith(f"NC-{notified.reference}-")
    cert_a.refresh_from_db()
    assert cert_a.status == CertificateStatus.SUSPENDED
    assert major.number in cert_a.status_reason and minor.number not in cert_a.status_reason
    data = client.get(PUBLIC + cert_a.number).json()
    assert data["status"] == "suspended"
    suspension = SurveillanceSuspension.objects.get(audit=notified)
    assert suspension.nonconformities == [major.number]
    # The obligation is done by the closing meeting, whatever the corrections still to come.
    assert certificate_programme(cert_a, AUDIT_DAYS[-1])[0].state == ObligationState.DONE
    # The minor verified first: still suspended. The major verified: restored, and public at once.
    review_services.corrective_action_accept(by=lead_auditor, action=submit(minor, user_a))
    cert_a.refresh_from_db()
    assert cert_a.status == CertificateStatus.SUSPENDED
    review_services.corrective_action_accept(by=lead_auditor, action=submit(major, user_a))
    cert_a.refresh_from_db()
    notified.refresh_from_db()
    assert cert_a.status == CertificateStatus.VALID and notified.status == AuditStatus.PASSED
    assert client.get(PUBLIC + cert_a.number).json()["status"] == "valid"
    suspension.refresh_from_db()
    assert suspension.restored_on is not None
    assert Event.objects.filter(action="surveillance.certificate_restored").count() == 1


def test_minors_only_leave_the_certificate_valid(notified, lead_auditor, member, user_a, cert_a):
    (minor,) = held_surveillance(notified, lead=lead_auditor, member=member, results={"4.1-2": "minor"}, user=user_a)
    cert_a.refresh_from_db()
    assert cert_a.status == CertificateStatus.VALID
    assert minor.due_date > AUDIT_DAYS[-1]
    assert not SurveillanceSuspension.objects.exists()


def test_no_nonconformity_passes_and_counts(notified, lead_auditor, member, user_a, cert_a):
    held_surveillance(notified, lead=lead_auditor, member=member, results={}, user=user_a)
    assert notified.status == AuditStatus.PASSED
    assert certificate_programme(cert_a, date(2026, 9, 1))[0].state == ObligationState.DONE


def test_suspension_maximum_revokes_and_a_late_verification_then_changes_nothing(
    notified, lead_auditor, member, user_a, cert_a
):
    from certflow.lifecycle.sweeps import suspension_max_step

    (major,) = held_surveillance(notified, lead=lead_auditor, member=member, results={"4.3-1": "major"}, user=user_a)
    cert_a.refresh_from_db()
    assert cert_a.status == CertificateStatus.SUSPENDED
    suspended_on = cert_a.status_since
    suspension_max_step(date(suspended_on.year + 1, suspended_on.month, 1))
    cert_a.refresh_from_db()
    assert cert_a.status == CertificateStatus.REVOKED
    review_services.corrective_action_accept(by=lead_auditor, action=submit(major, user_a))
    cert_a.refresh_from_db()
    assert cert_a.status == CertificateStatus.REVOKED


def test_a_major_on_a_certificate_already_suspended_is_recorded_and_not_restored_by_it(
    notified, lead_auditor, member, user_a, cert_a, programme_manager
):
    from certflow.certificates.services import certificate_suspend

    certificate_suspend(by=programme_manager, certificate=cert_a, reason="重大质量事故", today=AUDIT_DAYS[0])
    (major,) = held_surveillance(notified, lead=lead_auditor, member=member, results={"4.3-1": "major"}, user=user_a)
    assert not SurveillanceSuspension.objects.get(audit=notified).suspended_here
    review_services.corrective_action_accept(by=lead_auditor, action=submit(major, user_a))
    cert_a.refresh_from_db()
    assert cert_a.status == CertificateStatus.SUSPENDED and cert_a.status_reason == "重大质量事故"


def test_surveillance_nonconformity_needs_an_owner_in_the_database(notified, lead_auditor):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Nonconformity.objects.create(
            stage="surveillance",
            audit=notified,
            number="NC-X-01",
            item_id="4.1-2",
            grade="minor",
            description="x",
            raised_by=lead_auditor,
            reported_on=timezone.localdate(),
            due_date=timezone.localdate(),
        )


def test_a_scope_reduction_keeps_the_cycle_and_the_audits_already_held(
    notified, lead_auditor, member, user_a, cert_a, programme_manager
):
    """The replacement is issued later but keeps the expiry: its windows are the original decision's, and the
    surveillance audit held on the replaced certificate still counts (decisions SV10)."""
    from certflow.certificates.services import certificate_reduce_scope
    from certflow.surveillance.selectors import certificate_windows

    held_surveillance(notified, lead=lead_auditor, member=member, results={}, user=user_a)
    before = certificate_windows(cert_a)
    replacement = certificate_reduce_scope(
        by=programme_manager,
        certificate=cert_a,
        categories=["custom_furniture"],
        services=["manufacturing"],
        reason="方案设计环节不再满足要求",
        today=date(2026, 7, 20),
    )
    assert replacement.issued_on == date(2026, 7, 20) and replacement.expires_on == cert_a.expires_on
    assert certificate_windows(replacement) == before
    first = certificate_programme(replacement, date(2026, 7, 21))[0]
    assert first.state == ObligationState.DONE
