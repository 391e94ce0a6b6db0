"""Complaints and appeals through the services: deadlines, transitions, refusals, the special audit."""

from datetime import date

import pytest

from certflow.core.events.models import Event
from certflow.core.rules import RuleViolation
from certflow.lifecycle import cases
from certflow.lifecycle.domain import CaseStatus as S
from certflow.lifecycle.models import Case
from certflow.notifications.models import Notification

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 11, 23)


@pytest.fixture
def complaint(enterprise_a, programme_manager):
    return cases.complaint_receive(
        name="王女士",
        contact="13900000000",
        description="安装后柜门开裂，企业拒绝维修",
        enterprise=enterprise_a,
        subject_text="甲定制家居",
        today=MONDAY,
    )


def unchanged(case):
    return (Case.objects.filter(pk=case.pk).values().get(), Event.objects.count(), Notification.objects.count())


def test_a_complaint_gets_a_reference_deadlines_and_the_managers_hear_of_it(complaint, programme_manager):
    assert complaint.reference == "TS-2026-0001" and complaint.status == S.RECEIVED
    assert complaint.acknowledge_by == date(2026, 11, 30)  # 5 working days after Monday 23 November
    assert complaint.decide_by == date(2027, 1, 22)
    assert not complaint.acknowledge_provisional and len(complaint.tracking_code) >= 16
    assert Notification.objects.filter(recipient=programme_manager, kind="complaint.received").count() == 1
    assert Event.objects.filter(action="complaint.received").count() == 1


def test_ack_deadline_in_a_year_without_calendar_is_provisional_not_refused(enterprise_a):
    case = cases.complaint_receive(name="李", contact="x", description="y", today=date(2026, 12, 29))
    assert case.acknowledge_provisional and case.acknowledge_by == date(2027, 1, 3)


def test_required_fields_are_refused(db):
    with pytest.raises(RuleViolation) as exc:
        cases.complaint_receive(name="", contact="x", description="y")
    assert exc.value.code == "required" and not Case.objects.exists()


def test_the_whole_path_acknowledge_assign_decide(complaint, programme_manager, cb_admin):
    cases.case_acknowledge(by=programme_manager, case=complaint, today=MONDAY)
    cases.case_assign(by=programme_manager, case=complaint, handler=cb_admin, today=MONDAY)
    closed = cases.case_decide(
        by=cb_admin, case=complaint, outcome="upheld", decision="投诉成立，要求企业整改", today=date(2026, 12, 1)
    )
    assert (closed.status, closed.outcome, closed.decided_on, closed.handler) == (
        S.CLOSED,
        "upheld",
        date(2026, 12, 1),
        cb_admin,
    )
    assert list(Event.objects.filter(target_id=str(complaint.pk)).values_list("action", flat=True)) == [
        "complaint.received",
        "complaint.acknowledged",
        "complaint.assigned",
        "complaint.decided",
    ]
    assert Notification.objects.filter(recipient=cb_admin, kind="complaint.assigned").exists()


@pytest.mark.parametrize("who", ["clerk", "auditor", "committee_member", "user_a"])
def test_only_programme_managers_and_administrators_handle_cases(request, complaint, who):
    before = unchanged(complaint)
    with pytest.raises(RuleViolation):
        cases.case_acknowledge(by=request.getfixturevalue(who), case=complaint)
    assert unchanged(complaint) == before


def test_refusals_leave_the_case_unchanged(complaint, programme_manager, user_a):
    before = unchanged(complaint)
    with pytest.raises(RuleViolation):
        cases.case_decide(by=programme_manager, case=complaint, outcome="upheld", decision="x")  # not in progress
    with pytest.raises(RuleViolation):
        cases.case_assign(by=programme_manager, case=complaint, handler=user_a)  # not CB staff
    assert unchanged(complaint) == before
    cases.case_acknowledge(by=programme_manager, case=complaint)
    with pytest.raises(RuleViolation) as exc:
        cases.case_acknowledge(by=programme_manager, case=complaint)
    assert exc.value.code == "wrong_state"


def test_the_person_who_made_the_decision_cannot_handle_the_appeal(
    issue, enterprise_a, user_a, programme_manager, cb_admin
):
    certificate = issue(enterprise_a)  # issued by the programme manager
    appeal = cases.appeal_lodge(
        by=user_a,
        enterprise=enterprise_a,
        certificate=certificate,
        contact="a@ent.example",
        description="不同意暂停决定",
    )
    assert appeal.reference.startswith("SS-")
    with pytest.raises(RuleViolation) as exc:
        cases.case_assign(by=cb_admin, case=appeal, handler=programme_manager)
    assert exc.value.code == "handler_involved"
    cases.case_assign(by=cb_admin, case=appeal, handler=cb_admin)
    cases.case_decide(by=cb_admin, case=appeal, outcome="rejected", decision="维持原决定")
    assert Notification.objects.filter(recipient=user_a, kind="appeal.decided").exists()


def test_an_appeal_only_against_the_users_own_enterprise(issue, enterprise_a, enterprise_b, user_b, programme_manager):
    certificate = issue(enterprise_a)
    with pytest.raises(RuleViolation):
        cases.appeal_lodge(by=user_b, enterprise=enterprise_a, certificate=certificate, contact="x", description="y")
    with pytest.raises(RuleViolation):
        cases.appeal_lodge(by=user_b, enterprise=enterprise_b, certificate=certificate, contact="x", description="y")
    with pytest.raises(RuleViolation):
        cases.appeal_lodge(
            by=programme_manager, enterprise=enterprise_a, certificate=certificate, contact="x", description="y"
        )
    assert not Case.objects.exists()


def test_special_audit_is_created_in_the_audits_app_when_it_offers_one(complaint, programme_manager):
    case = cases.case_request_special_audit(by=programme_manager, case=complaint, today=MONDAY)
    assert case.special_audit_requested
    if cases.special_audit_planner() is not None:
        from certflow.audits.models import Audit

        audit = Audit.objects.get(reference=case.special_audit_reference)
        assert audit.enterprise_id == complaint.enterprise_id and audit.audit_type == "special"
    with pytest.raises(RuleViolation):
        cases.case_request_special_audit(by=programme_manager, case=case)


def test_without_the_audits_planner_only_the_flag_is_recorded(complaint, programme_manager, monkeypatch):
    monkeypatch.setattr(cases, "special_audit_planner", lambda: None)
    case = cases.case_request_special_audit(by=programme_manager, case=complaint)
    assert case.special_audit_requested and case.special_audit_reference == ""


def test_a_complaint_without_an_enterprise_cannot_call_for_a_special_audit(programme_manager):
    case = cases.complaint_receive(name="李", contact="x", description="对认证机构的服务不满")
    with pytest.raises(RuleViolation):
        cases.case_request_special_audit(by=programme_manager, case=case)
