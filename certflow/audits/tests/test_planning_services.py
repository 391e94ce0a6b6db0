"""Planning services: creating audits, the date negotiation, the team, sites and schedule, cancelling."""

from datetime import date, time

import pytest

from certflow.applications.models import Assignment
from certflow.audits.domain import AuditStatus, AuditType
from certflow.audits.models import Audit, AuditTeamMember, DateProposal, ScheduleSlot
from certflow.audits.services import planning
from certflow.audits.tests.helpers import AUDIT_DAYS, TODAY, registered_auditor
from certflow.core.events.models import Event
from certflow.core.rules import RuleViolation


class Unchanged:
    """The audit rows, team, proposals, slots and the event log are the same after the block."""

    def _state(self):
        return (
            list(Audit.objects.values()),
            list(AuditTeamMember.objects.values()),
            list(DateProposal.objects.values()),
            ScheduleSlot.objects.count(),
            Assignment.objects.count(),
            Event.objects.count(),
        )

    def __enter__(self):
        self.before = self._state()
        return self

    def __exit__(self, *exc):
        assert self._state() == self.before


def test_audit_create_moves_the_application_to_onsite_audit_and_copies_its_sites(passed, programme_manager):
    audit = planning.audit_create(by=programme_manager, application=passed, today=TODAY)
    passed.refresh_from_db()
    assert passed.status == "onsite_audit"
    assert audit.status == AuditStatus.PLANNING and audit.audit_type == AuditType.INITIAL
    assert audit.reference.startswith("SH2026-")
    assert [s.name for s in audit.sites.all()] == ["一号车间"]
    assert Event.objects.filter(action="audit.created", target_id=str(audit.pk)).count() == 1


def test_audit_create_before_the_review_passed_is_refused(enterprise_a, user_a, clerk, programme_manager):
    from certflow.reviews.tests.helpers import accepted_application

    application = accepted_application(enterprise=enterprise_a, user=user_a, clerk=clerk)
    with Unchanged(), pytest.raises(RuleViolation) as exc:
        planning.audit_create(by=programme_manager, application=application, today=TODAY)
    assert exc.value.code == "review_not_passed"


def test_a_second_open_audit_on_one_application_is_refused(audit, passed, programme_manager):
    with Unchanged(), pytest.raises(RuleViolation) as exc:
        planning.audit_create(by=programme_manager, application=passed, today=TODAY)
    assert exc.value.code == "open_audit_exists"


def test_after_a_cancellation_a_new_audit_may_be_opened(audit, passed, programme_manager):
    planning.audit_cancel(by=programme_manager, audit=audit, reason="企业搬迁，原场所不再使用")
    again = planning.audit_create(by=programme_manager, application=passed, today=TODAY)
    assert again.status == AuditStatus.PLANNING
    passed.refresh_from_db()
    assert passed.status == "onsite_audit"


@pytest.mark.parametrize("who", ["auditor", "clerk", "user_a", "lead_auditor"])
def test_only_a_programme_manager_creates_audits(who, passed, request):
    with Unchanged(), pytest.raises(RuleViolation) as exc:
        planning.audit_create(by=request.getfixturevalue(who), application=passed, today=TODAY)
    assert exc.value.code == "not_planner"


def test_special_audit_needs_a_reason(enterprise_a, programme_manager):
    with Unchanged(), pytest.raises(RuleViolation) as exc:
        planning.special_audit_create(by=programme_manager, enterprise=enterprise_a, reason="  ")
    assert exc.value.code == "reason_required"
    audit = planning.special_audit_create(by=programme_manager, enterprise=enterprise_a, reason="客户投诉质量问题")
    assert audit.audit_type == AuditType.SPECIAL and audit.application is None
    assert audit.special_reason == "客户投诉质量问题"


def test_special_audit_refuses_another_enterprises_application(passed, enterprise_b, programme_manager):
    with Unchanged(), pytest.raises(RuleViolation) as exc:
        planning.special_audit_create(by=programme_manager, enterprise=enterprise_b, reason="投诉", application=passed)
    assert exc.value.code == "wrong_enterprise"


# --- negotiation ---------------------------------------------------------------------------------


def test_propose_confirm_records_the_exchange(audit, programme_manager, user_a):
    proposal = planning.dates_propose(by=programme_manager, audit=audit, days=list(AUDIT_DAYS), today=TODAY)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.DATES_PROPOSED and audit.days == []
    planning.dates_confirm(by=user_a, audit=audit, proposal=proposal, today=TODAY)
    audit.refresh_from_db()
    proposal.refresh_from_db()
    assert audit.status == AuditStatus.SCHEDULED
    assert audit.days == ["2026-03-16", "2026-03-17"] and audit.first_day == AUDIT_DAYS[0]
    assert proposal.response == "accepted" and proposal.responded_by == user_a


def test_counter_proposal_goes_back_to_planning_and_the_manager_answers(proposed, programme_manager, user_a):
    offered = planning.pending_proposal(proposed)
    counter = planning.dates_counter(
        by=user_a,
        audit=proposed,
        proposal=offered,
        days=[date(2026, 3, 23), date(2026, 3, 24)],
        message="16日有客户验收",
        today=TODAY,
    )
    proposed.refresh_from_db()
    offered.refresh_from_db()
    assert proposed.status == AuditStatus.PLANNING
    assert offered.response == "declined" and offered.response_message == "16日有客户验收"
    assert counter.side == "enterprise" and counter.response == "pending"
    new = planning.dates_propose(
        by=programme_manager, audit=proposed, days=[date(2026, 3, 24), date(2026, 3, 25)], today=TODAY
    )
    counter.refresh_from_db()
    assert counter.response == "superseded"
    assert list(proposed.proposals.values_list("side", "response")) == [
        ("cb", "declined"),
        ("enterprise", "superseded"),
        ("cb", "pending"),
    ]
    assert new.days == ["2026-03-24", "2026-03-25"]


def test_the_manager_may_accept_the_counter_proposal_as_it_stands(proposed, programme_manager, user_a):
    counter = planning.dates_counter(
        by=user_a,
        audit=proposed,
        proposal=planning.pending_proposal(proposed),
        days=[date(2026, 3, 23)],
        today=TODAY,
    )
    planning.dates_accept_counter(by=programme_manager, audit=proposed, proposal=counter, today=TODAY)
    proposed.refresh_from_db()
    assert proposed.status == AuditStatus.SCHEDULED and proposed.days == ["2026-03-23"]


def test_counter_with_the_same_days_is_refused(proposed, user_a):
    with Unchanged(), pytest.raises(RuleViolation) as exc:
        planning.dates_counter(
            by=user_a, audit=proposed, proposal=planning.pending_proposal(proposed), days=list(AUDIT_DAYS), today=TODAY
        )
    assert exc.value.code == "same_days"


def test_another_enterprise_may_not_confirm(proposed, user_b):
    with Unchanged(), pytest.raises(RuleViolation) as exc:
        planning.dates_confirm(by=user_b, audit=proposed, proposal=planning.pending_proposal(proposed), today=TODAY)
    assert exc.value.code == "not_enterprise"


def test_staff_may_not_confirm_for_the_enterprise(proposed, programme_manager):
    with Unchanged(), pytest.raises(RuleViolation) as exc:
        planning.dates_confirm(
            by=programme_manager, audit=proposed, proposal=planning.pending_proposal(proposed), today=TODAY
        )
    assert exc.value.code == "not_enterprise"


def test_a_superseded_proposal_cannot_be_confirmed(proposed, programme_manager, user_a):
    old = planning.pending_proposal(proposed)
    planning.dates_propose(by=programme_manager, audit=proposed, days=[date(2026, 3, 18)], today=TODAY)
    with Unchanged(), pytest.raises(RuleViolation) as exc:
        planning.dates_confirm(by=user_a, audit=proposed, proposal=old, today=TODAY)
    assert exc.value.code == "proposal_not_pending"


@pytest.mark.parametrize(
    ("days", "code"),
    [([], "no_days"), ([date(2026, 3, 1)], "past_days"), ([date(2026, 3, 16), date(2026, 3, 16)], "duplicate_days")],
)
def test_bad_days_are_refused(audit, programme_manager, days, code):
    with Unchanged(), pytest.raises(RuleViolation) as exc:
        planning.dates_propose(by=programme_manager, audit=audit, days=days, today=TODAY)
    assert exc.value.code == code


def test_proposing_again_after_agreement_gives_up_the_agreed_days(scheduled, programme_manager):
    planning.dates_propose(by=programme_manager, audit=scheduled, days=[date(2026, 3, 30)], today=TODAY)
    scheduled.refresh_from_db()
    assert scheduled.status == AuditStatus.DATES_PROPOSED and scheduled.days == [] and scheduled.first_day is None


# --- team ----------------------------------------------------------------------------------------------


def test_team_set_records_members_and_assignments(scheduled, programme_manager, registered_lead, registered_member):
    planning.team_set(
        by=programme_manager, audit=scheduled, members=[registered_lead, registered_member], lead=registered_lead
    )
    roles = dict(scheduled.team.filter(removed_at__isnull=True).values_list("user_id", "role"))
    assert roles == {registered_lead.pk: "lead_auditor", registered_member.pk: "auditor"}
    active = set(
        Assignment.objects.filter(application=scheduled.application, ended_at__isnull=True).values_list(
            "user_id", "role"
        )
    )
    assert {(registered_lead.pk, "lead_auditor"), (registered_member.pk, "auditor")} <= active
    # The member leaves: his membership and assignment end, the record stays.
    planning.team_set(by=programme_manager, audit=scheduled, members=[registered_lead], lead=registered_lead)
    assert scheduled.team.get(user=registered_member).removed_at is not None
    assert Assignment.objects.get(application=scheduled.application, user=registered_member).ended_at is not None


def _refusal(scheduled, programme_manager, members, lead):
    with Unchanged(), pytest.raises(RuleViolation) as exc:
        planning.team_set(by=programme_manager, audit=scheduled, members=members, lead=lead)
    return exc.value


def test_team_with_an_unregistered_auditor_is_refused(scheduled, programme_manager, registered_lead, auditor):
    refusal = _refusal(scheduled, programme_manager, [registered_lead, auditor], registered_lead)
    assert refusal.code == "team_refused" and "注册" in refusal.zh


def test_team_with_an_expired_qualification_is_refused(scheduled, programme_manager, registered_lead):
    expired = registered_auditor(
        keeper=programme_manager, email="old@cb.example", valid_from=date(2020, 1, 1), valid_until=date(2026, 3, 16)
    )
    refusal = _refusal(scheduled, programme_manager, [registered_lead, expired], registered_lead)
    assert "2026-03-17" in refusal.zh and "资格" in refusal.zh


def test_team_led_by_an_auditor_without_lead_level_is_refused(scheduled, programme_manager, registered_member):
    refusal = _refusal(scheduled, programme_manager, [registered_member], registered_member)
    assert "审核组长资格" in refusal.zh


def test_team_not_competent_for_the_category_is_refused(scheduled, programme_manager):
    apparel_lead = registered_auditor(
        keeper=programme_manager, email="apparel@cb.example", lead=True, categories=("custom_apparel",)
    )
    refusal = _refusal(scheduled, programme_manager, [apparel_lead], apparel_lead)
    assert "专业能力" in refusal.zh


def test_team_with_a_declared_conflict_is_refused(scheduled, programme_manager, registered_lead, enterprise_a):
    from certflow.auditors import services as auditor_services

    auditor_services.conflict_declare(
        by=programme_manager,
        profile=registered_lead.auditor_profile,
        enterprise=enterprise_a,
        reason="曾为该企业提供咨询",
        today=TODAY,
    )
    refusal = _refusal(scheduled, programme_manager, [registered_lead], registered_lead)
    assert "利益冲突" in refusal.zh


def test_team_with_an_unavailable_auditor_is_refused(scheduled, programme_manager, registered_lead):
    from certflow.auditors import services as auditor_services

    auditor_services.unavailability_add(
        by=programme_manager,
        profile=registered_lead.auditor_profile,
        start=date(2026, 3, 17),
        end=date(2026, 3, 20),
        reason="培训",
        today=TODAY,
    )
    refusal = _refusal(scheduled, programme_manager, [registered_lead], registered_lead)
    assert "2026-03-17" in refusal.zh and "不能参加" in refusal.zh


def test_team_without_a_lead_or_with_a_lead_outside_it_is_refused(
    scheduled, programme_manager, registered_lead, registered_member
):
    assert "审核组长" in _refusal(scheduled, programme_manager, [registered_member], None).zh
    assert "成员" in _refusal(scheduled, programme_manager, [registered_member], registered_lead).zh


def test_empty_team_is_refused(scheduled, programme_manager, registered_lead):
    assert "没有成员" in _refusal(scheduled, programme_manager, [], registered_lead).zh


def test_only_the_planner_sets_the_team(scheduled, registered_lead):
    with Unchanged(), pytest.raises(RuleViolation) as exc:
        planning.team_set(by=registered_lead, audit=scheduled, members=[registered_lead], lead=registered_lead)
    assert exc.value.code == "not_planner"


# --- sites and schedule ------------------------------------------------------------------------------


def test_schedule_slots_within_the_days_and_without_overlap(staffed, programme_manager, registered_member):
    site = staffed.sites.first()
    planning.schedule_slot_add(
        by=programme_manager,
        audit=staffed,
        day=AUDIT_DAYS[0],
        start=time(9, 30),
        end=time(12, 0),
        activity="生产车间审核",
        site=site,
        auditor=registered_member,
        item_ids=[],
    )
    with Unchanged(), pytest.raises(RuleViolation) as exc:
        planning.schedule_slot_add(
            by=programme_manager,
            audit=staffed,
            day=AUDIT_DAYS[0],
            start=time(11, 0),
            end=time(13, 0),
            activity="设计场所审核",
            auditor=registered_member,
        )
    assert exc.value.code == "slot_overlap"
    with Unchanged(), pytest.raises(RuleViolation) as exc:
        planning.schedule_slot_add(
            by=programme_manager, audit=staffed, day=date(2026, 3, 18), start=time(9), end=time(10), activity="x"
        )
    assert exc.value.code == "not_audit_day"


def test_a_site_in_use_cannot_be_removed(staffed, programme_manager):
    with Unchanged(), pytest.raises(RuleViolation) as exc:
        planning.site_remove(by=programme_manager, site=staffed.sites.first())
    assert exc.value.code == "site_in_use"


def test_site_add_and_remove(audit, programme_manager):
    site = planning.site_add(
        by=programme_manager, audit=audit, kind="inspection_lab", name="检测室", address="宝安区定制产业园8栋3层"
    )
    assert audit.sites.count() == 2
    planning.site_remove(by=programme_manager, site=site)
    assert audit.sites.count() == 1
    assert Event.objects.filter(action="audit.site_removed", before__name="检测室").exists()


def test_the_plan_is_frozen_once_the_notice_is_sent(notified, programme_manager):
    with Unchanged(), pytest.raises(RuleViolation) as exc:
        planning.site_add(by=programme_manager, audit=notified, kind="workshop", name="二号车间", address="某地")
    assert exc.value.code == "plan_frozen"


def test_cancel_ends_the_teams_assignments(staffed, programme_manager):
    planning.audit_cancel(by=programme_manager, audit=staffed, reason="企业申请延期")
    staffed.refresh_from_db()
    assert staffed.status == AuditStatus.CANCELLED and staffed.cancel_reason == "企业申请延期"
    assert not Assignment.objects.filter(
        application=staffed.application, role__in=["auditor", "lead_auditor"], ended_at__isnull=True
    ).exists()


def test_cancel_needs_a_reason(audit, programme_manager):
    with Unchanged(), pytest.raises(RuleViolation):
        planning.audit_cancel(by=programme_manager, audit=audit, reason="")
