# ruff: noqa: F811 — the shared fixtures are imported by name and then requested as arguments
"""The whole conduct, from a notified audit to passed, with the application's status at every step."""

from django.utils import timezone

from certflow.applications.domain import ApplicationStatus as A
from certflow.audits.domain import AuditStatus as S
from certflow.audits.services import conduct
from certflow.audits.tests.test_conduct_fixtures import (  # noqa: F401
    ATTENDEES,
    DAY1,
    DAY2,
    member,
    record_everything,
    submit,
)
from certflow.reviews import services as review_services


def states(audit):
    audit.refresh_from_db()
    audit.application.refresh_from_db()
    return audit.status, audit.application.status


def test_notified_to_passed_with_a_verified_major_and_a_minor_on_plan(notified, lead_auditor, member, user_a):
    audit = notified
    assert states(audit) == (S.NOTIFIED, A.ONSITE_AUDIT)
    conduct.audit_start(by=lead_auditor, audit=audit, today=DAY1)
    assert states(audit) == (S.IN_PROGRESS, A.ONSITE_AUDIT)
    record_everything(audit, member, {"4.4-1": "minor", "4.9-1": "major"})
    minor = conduct.nonconformity_raise_from_finding(by=member, audit=audit, item_id="4.4-1", today=DAY1)
    major = conduct.nonconformity_raise_from_finding(by=member, audit=audit, item_id="4.9-1", today=DAY1)
    assert states(audit) == (S.IN_PROGRESS, A.ONSITE_AUDIT)
    conduct.nonconformity_confirm(by=user_a, nonconformity=minor)
    conduct.nonconformity_confirm(by=member, nonconformity=major, representative_name="王总")
    conduct.closing_meeting_hold(
        by=lead_auditor, audit=audit, held_at=timezone.now(), attendees=ATTENDEES, conclusion="结论", today=DAY2
    )
    assert states(audit) == (S.CORRECTIONS, A.ONSITE_CORRECTIONS)
    first = submit(major, user_a)
    review_services.corrective_action_return(by=lead_auditor, action=first, comment="证据不足")
    assert states(audit) == (S.CORRECTIONS, A.ONSITE_CORRECTIONS)
    review_services.corrective_action_accept(by=lead_auditor, action=submit(major, user_a))
    assert states(audit) == (S.CORRECTIONS, A.ONSITE_CORRECTIONS)  # the minor is still open
    review_services.corrective_action_accept_plan(by=lead_auditor, action=submit(minor, user_a))
    assert states(audit) == (S.PASSED, A.ONSITE_AUDIT_PASSED)
    assert audit.passed_on_plan == [minor.number]


def test_notified_to_passed_with_every_nonconformity_verified(notified, lead_auditor, member, user_a):
    audit = notified
    conduct.audit_start(by=lead_auditor, audit=audit, today=DAY1)
    record_everything(audit, member, {"4.4-1": "minor"})
    minor = conduct.nonconformity_raise_from_finding(by=member, audit=audit, item_id="4.4-1", today=DAY1)
    conduct.nonconformity_confirm(by=user_a, nonconformity=minor)
    conduct.closing_meeting_hold(
        by=lead_auditor, audit=audit, held_at=timezone.now(), attendees=ATTENDEES, conclusion="结论", today=DAY2
    )
    review_services.corrective_action_accept(by=lead_auditor, action=submit(minor, user_a))
    assert states(audit) == (S.PASSED, A.ONSITE_AUDIT_PASSED)
    assert audit.passed_on_plan == []
